import { statSync } from 'node:fs';
import { contentStampOf } from '../common/file-stamps.js';
import { dirname } from 'node:path';
import { identityOf } from './fingerprinter.js';
import { UnfollowableError, unfollowable } from './followed-file.js';
import type { Notices } from './notices.js';
import { expandPattern, isWithin, patternNames } from './paths-provider.js';

/** What one look at the patterns found. */
export interface PathsFound {
  /** The files the patterns name, by identity: the first path that named each, and its stamp (size:mtime). */
  files: Map<string, { path: string; stamp: string }>;
  /** The patterns that named an existing path. */
  named: Set<string>;
  /** Whether this look looked where `path` is: a followed file there that it did not find is gone from there. */
  lookedAt(path: string): boolean;
}

/**
 * Which files the patterns name: all of them, or what lies below the directories whose entries
 * changed. Keeps, per pattern, the directories whose entries decide what it names, and tells the
 * wake-up to watch them.
 */
export class PatternPaths {
  /** Per pattern, the directories whose entries decide what it names (see expandPattern). */
  private readonly patternDirectories = new Map<string, Set<string>>();

  constructor(
    readonly patterns: readonly string[],
    private readonly watch: (directories: Set<string>) => void,
    private readonly notices: Notices,
  ) {}

  /** Whether a pattern names `path`. */
  named(path: string): boolean {
    return this.patterns.some((pattern) => patternNames(pattern, path));
  }

  /** Finds the files the patterns name now: all of them, or (`changed`) what lies below the directories whose entries changed. */
  async look(changed: ReadonlySet<string> | undefined): Promise<PathsFound> {
    const found = new Map<string, { path: string; stamp: string }>();
    const named = new Set<string>();
    /** Where this look expanded each pattern from: a followed file it named there and did not find is gone from there. */
    const looked: { pattern: string; from: string }[] = [];
    for (const pattern of this.patterns) {
      let directories = this.patternDirectories.get(pattern);
      const froms = changed ? outermost([...changed].filter((directory) => directories?.has(directory))) : [undefined];
      for (const from of froms) {
        const expansion = await expandPattern(pattern, from);
        if (from === undefined || !directories) directories = new Set();
        else {
          for (const directory of directories) if (isWithin(directory, from)) directories.delete(directory);
          looked.push({ pattern, from });
        }
        for (const directory of expansion.directories) directories.add(directory);
        this.patternDirectories.set(pattern, directories);
        for (const path of expansion.files) {
          try {
            // At once, not through the thread pool: a full look stats every followed path (measured, a tenth of the CPU).
            const stats = statSync(path);
            named.add(pattern);
            const kind = unfollowable(stats);
            if (kind) {
              this.notices.refuse(new UnfollowableError(path, kind));
              continue;
            }
            const { dev, ino, size, mtimeMs } = stats;
            const identity = identityOf({ dev, ino });
            if (!found.has(identity)) found.set(identity, { path, stamp: contentStampOf({ size, mtimeMs }) });
          } catch {
            // Not there (yet, or between a delete and a create): looked for again next time.
          }
        }
      }
    }
    this.watch(new Set([...this.patternDirectories.values()].flatMap((directories) => [...directories])));
    const lookedAt = (path: string) => !changed || looked.some(({ pattern, from }) => isWithin(path, from) && patternNames(pattern, path));
    return { files: found, named, lookedAt };
  }
}

/** The directories not within another of them: looking below those covers the rest. */
function outermost(directories: string[]): string[] {
  const all = new Set(directories);
  return directories.filter((directory) => {
    for (let below = directory, up = dirname(directory); up !== below; below = up, up = dirname(up)) if (all.has(up)) return false;
    return true;
  });
}
