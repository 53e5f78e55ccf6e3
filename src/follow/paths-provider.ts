import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The files a pattern names now. Wildcards may stand in the file name only (`/var/log/hid/*.log`),
 * as log rotation needs; a pattern without wildcards names its file whether it exists or not.
 * Hidden files match only a pattern that starts with a dot, as in the shell.
 */
export async function expandPattern(pattern: string): Promise<string[]> {
  const name = basename(pattern);
  if (!GLOB_CHARS.test(name)) return [pattern];
  const directory = dirname(pattern);
  const matches = nameMatcher(name);
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch {
    return [];
  }
  return entries
    .filter(matches)
    .sort()
    .map((entry) => join(directory, entry));
}

function nameMatcher(name: string): (entry: string) => boolean {
  if (!GLOB_CHARS.test(name)) return (entry) => entry === name;
  const matcher = segmentPattern(name);
  return (entry) => matcher.test(entry) && (name.startsWith('.') || !entry.startsWith('.'));
}

/** Whether the pattern names `path` now (as expandPattern would list it). */
export function patternNames(pattern: string, path: string): boolean {
  return dirname(path) === dirname(pattern) && nameMatcher(basename(pattern))(basename(path));
}

export function wildcardsOutsideFileName(pattern: string): boolean {
  return GLOB_CHARS.test(dirname(pattern));
}

/** Every path the patterns name now, each once, in the patterns' order. */
export async function pathsNow(patterns: readonly string[]): Promise<string[]> {
  return [...new Set((await Promise.all(patterns.map(expandPattern))).flat())];
}
