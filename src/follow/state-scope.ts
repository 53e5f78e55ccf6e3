import type { FilePosition, SavedState } from './checkpointer.js';
import { patternNames } from './paths-provider.js';

export interface StateScope {
  /** The saved positions of files the patterns name. */
  positions: FilePosition[];
  /** The patterns whose files the state file knows: a file they find that it does not know is new. */
  known: string[];
}

/**
 * What of a state file belongs to these patterns. Positions of files no pattern names (a state file
 * kept for another hidlog, or for other patterns) are not read, and said once. A pattern is known
 * if the state file lists it, or names a file it finds, or a pattern it lists is a path the
 * pattern names; versions 1 and 2 list no patterns, and with no positions at all know every
 * pattern, as they always did.
 */
export function scopeOf(saved: SavedState | undefined, patterns: readonly string[], stateFile: string, warn: (message: string) => void): StateScope {
  if (!saved) return { positions: [], known: [] };
  const named = (path: string) => patterns.some((pattern) => patternNames(pattern, path));
  const positions = saved.files.filter((position) => named(position.path));
  const others = saved.files.filter((position) => !named(position.path));
  if (others.length > 0) {
    warn(
      `state file ${stateFile} holds positions in ${others.length} file${others.length === 1 ? '' : 's'} no pattern names (${others[0]!.path}${others.length > 1 ? ', …' : ''}): not read`,
    );
  }
  const known = patterns.filter(
    (pattern) =>
      saved.patterns?.includes(pattern) ||
      saved.files.some((position) => patternNames(pattern, position.path)) ||
      (saved.patterns ? saved.patterns.some((other) => patternNames(pattern, other)) : saved.files.length === 0),
  );
  return { positions, known };
}
