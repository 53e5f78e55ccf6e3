import type { LineOptions } from '../pipeline/line-processor.js';
import type { ContentsMemory, Read } from './contents-memory.js';
import type { FollowEvents } from './follow-events.js';
import type { FollowedFile } from './followed-file.js';
import type { FollowedFiles } from './followed-files.js';
import type { Notices } from './notices.js';

/**
 * What the follower's rooms share, handed to them by the loop (follower.ts): the parts that own
 * state (the followed files, the contents memory, the notices), and what only the loop decides
 * (which paths the patterns name, where a file found at the first look starts, reading on).
 */
export interface FollowContext {
  readonly files: FollowedFiles;
  readonly memory: ContentsMemory;
  readonly notices: Notices;
  readonly events: FollowEvents;
  readonly stop: AbortSignal;
  readonly warn: (message: string) => void;
  /** Whether a pattern names `path`. */
  named(path: string): boolean;
  /** Whether a file found now starts at its end: at the first look, with --start-at end, unless a pattern the state file knows finds it. */
  startsAtEnd(path: string): boolean;
  /** How the lines of the file at `path` are read: counted as its path says, with --kubernetes-labels. */
  linesOf(path: string): LineOptions;
  /** Reading `read` has reached `offset` (undefined: inside a too-long line): what to wait for before reading on. */
  afterChunk(bytes: number, read: Read, offset: number | undefined): Promise<void> | undefined;
  /** A file found outside a look (a copy, a later rotation), its start decided: followed from here, and read now. */
  followFound(file: FollowedFile, rotatedAway: boolean): Promise<void>;
  /** A file no longer followed: forgotten, with its position, and closed. */
  drop(file: FollowedFile): Promise<void>;
}

/** An error that says the path names nothing (any more). */
export const isGone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Opens a file a search came upon: undefined when it is gone or cannot be read, as then it is not the file looked for. */
export async function openFound(context: FollowContext, path: string): Promise<FollowedFile | undefined> {
  try {
    return await context.files.open(path, context.linesOf(path));
  } catch {
    return undefined;
  }
}
