import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';

const GLOB_CHARS = /[*?[]/;

/** A shell-style pattern (`*`, `?`, `[abc]`) for one path segment, as a RegExp. */
function segmentPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) source += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function nameMatcher(segment: string): (entry: string) => boolean {
  if (!GLOB_CHARS.test(segment)) return (entry) => entry === segment;
  const matcher = segmentPattern(segment);
  return (entry) => matcher.test(entry) && (segment.startsWith('.') || !entry.startsWith('.'));
}

/**
 * A pattern with a wildcard as the directory before its first wildcard segment, and the segments
 * from there on (the last one names files, the others directories).
 */
interface WildPattern {
  root: string;
  segments: string[];
}

function parse(pattern: string): WildPattern | undefined {
  const parts = normalize(pattern).split('/');
  const first = parts.findIndex((part) => GLOB_CHARS.test(part));
  if (first === -1) return undefined;
  const root = first === 0 ? '.' : parts.slice(0, first).join('/') || '/';
  return { root, segments: parts.slice(first) };
}

/** Whether `path` is `directory` or inside it (paths as expansion makes them). */
export function isWithin(path: string, directory: string): boolean {
  if (path === directory) return true;
  if (directory === '.') return !isAbsolute(path) && path !== '..' && !path.startsWith('../');
  return path.startsWith(directory.endsWith('/') ? directory : `${directory}/`);
}

/** `path`'s segments below `directory`, which holds it. */
function segmentsBelow(path: string, directory: string): string[] {
  if (path === directory) return [];
  const rest = directory === '.' ? path : path.slice(directory.endsWith('/') ? directory.length : directory.length + 1);
  return rest.split('/');
}

/** What a pattern names now, and what it depends on. */
export interface Expansion {
  /** The files it names now (a pattern without wildcards: its file, whether it exists or not). */
  files: string[];
  /**
   * The directories whose entries decide that: the ones a wildcard segment was matched in, the
   * ones the files are in, and the ones a segment without wildcards is looked up in (which may not
   * exist yet).
   */
  directories: string[];
}

/**
 * The files a pattern names now. Wildcards may stand in any segment (the pattern Kubernetes log
 * agents follow has one in each of the last three): each directory a wildcard segment applies to
 * is listed once, and only the entries it matches are gone into. Hidden entries match only a segment that starts with a dot, as in the shell.
 * With `from` (one of the pattern's `directories`), only what lies below that directory.
 */
export async function expandPattern(pattern: string, from?: string): Promise<Expansion> {
  const wild = parse(pattern);
  if (!wild) return { files: [pattern], directories: [dirname(pattern)] };
  let level = 0;
  if (from !== undefined) {
    if (!isWithin(from, wild.root)) return { files: [], directories: [] };
    level = segmentsBelow(from, wild.root).length;
    if (level >= wild.segments.length) return { files: [], directories: [] };
  }
  const directories: string[] = [];
  let reached = [from ?? wild.root];
  for (let i = level; i < wild.segments.length; i++) {
    const segment = wild.segments[i]!;
    const namesFiles = i === wild.segments.length - 1;
    directories.push(...reached);
    if (!GLOB_CHARS.test(segment)) {
      reached = reached.map((directory) => join(directory, segment));
      continue;
    }
    const matches = nameMatcher(segment);
    const listed = await Promise.all(reached.map((directory) => matchingEntries(directory, matches, !namesFiles)));
    reached = listed.flat();
  }
  return { files: reached, directories };
}

/** The entries of `directory` that match, sorted; only directories (or links to one) if asked. Nothing if it cannot be listed. */
async function matchingEntries(directory: string, matches: (entry: string) => boolean, directoriesOnly: boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    // Missing (not yet, or gone with its pod) or unreadable: it names nothing now.
    return [];
  }
  const paths: string[] = [];
  for (const entry of entries) {
    if (!matches(entry.name)) continue;
    const path = join(directory, entry.name);
    if (directoriesOnly && !entry.isDirectory() && !(entry.isSymbolicLink() && (await isDirectory(path)))) continue;
    paths.push(path);
  }
  return paths.sort();
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the pattern names `path` (as expandPattern would list it, were it there). */
export function patternNames(pattern: string, path: string): boolean {
  const wild = parse(pattern);
  if (!wild) return normalize(path) === normalize(pattern);
  const normalized = normalize(path);
  if (!isWithin(normalized, wild.root)) return false;
  const below = segmentsBelow(normalized, wild.root);
  return below.length === wild.segments.length && below.every((name, i) => nameMatcher(wild.segments[i]!)(name));
}
