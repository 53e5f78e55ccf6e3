import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../common/error-text.js';
import { writeFileAtomically } from '../common/atomic-file.js';
import type { OutputName } from '../sinks/output-errors.js';
import { isCount } from '../common/json.js';

/**
 * Where reading one file's content stopped: the content's fingerprint (a SHA-256 of its first
 * `fingerprintBytes` bytes), the offset after the last complete line written out, and the path it
 * was last seen at (where a restart looks for it if no pattern finds it).
 */
export interface FilePosition {
  path: string;
  fingerprint: string;
  fingerprintBytes: number;
  offset: number;
}

/**
 * How far a file output held exactly the lines of the saved positions, synced: the file (its
 * device, inode and birth time: see FileMark) and its size then. A restart cuts the file back to
 * that size before writing on.
 */
export interface OutputMark {
  output: OutputName;
  dev: number;
  ino: number;
  born: number;
  size: number;
}

export interface SavedState {
  /** The patterns followed (undefined in versions 1 and 2): their files are the ones the positions are of. */
  patterns: string[] | undefined;
  files: FilePosition[];
  outputs: OutputMark[];
}

export interface CheckpointerOptions {
  path: string;
  /** How often, at most, positions are saved unless forced. */
  everyMs: number;
  /** Or after this many bytes read (a catch-up reads far more than a second's worth between two looks). */
  everyBytes?: number | undefined;
  warn: (message: string) => void;
}

const VERSION = 3;

/** Keeps the state file: loads the saved positions, and saves the positions it is given (delivered ones: see Delivery). */
export class Checkpointer {
  /** When positions were last saved, or a save last failed: a failing save is tried again after everyMs, not at every chunk. */
  private lastSave = 0;
  private lastText = '';
  private bytesSinceSave = 0;
  /** Why the last save failed; undefined once one succeeds. */
  failure: string | undefined;
  /** Saves that failed, since the start. */
  failures = 0;

  constructor(private readonly options: CheckpointerOptions) {}

  async load(): Promise<SavedState | undefined> {
    const { path } = this.options;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read state file ${path}: ${describeError(error)}`);
    }
    return parseState(path, text);
  }

  /** `count` more bytes were read. */
  advanced(count: number): void {
    this.bytesSinceSave += count;
  }

  /** Whether a save is due: the last one is at least `everyMs` old, or `everyBytes` were read since. */
  get due(): boolean {
    const { everyMs, everyBytes } = this.options;
    return Date.now() - this.lastSave >= everyMs || (everyBytes !== undefined && this.bytesSinceSave >= everyBytes);
  }

  /**
   * Writes `state` atomically, unless it is the one saved last; `beforeWrite` (syncing the outputs
   * the state describes) runs first, and only when there is something new to save. A failure is
   * said once (and once more when saving works again), counted, kept in `failure`, and returned;
   * when the save is `required`, only returned (the caller stops).
   */
  async save(state: SavedState, beforeWrite: () => Promise<void> = async () => undefined, required = false): Promise<string | undefined> {
    const { path, warn } = this.options;
    const text = JSON.stringify({ version: VERSION, patterns: state.patterns, files: state.files, outputs: state.outputs }, null, 1) + '\n';
    this.bytesSinceSave = 0;
    if (text === this.lastText) {
      this.lastSave = Date.now();
      return undefined;
    }
    let step = 'sync the outputs before saving state file';
    try {
      await beforeWrite();
      step = 'write state file';
      await writeFileAtomically(path, text);
      await syncDirectory(dirname(path));
    } catch (error) {
      const failure = `cannot ${step} ${path}: ${describeError(error)}`;
      if (required) return failure;
      // Tried again at the next checkpoint, not at once: a full disk is not freed within milliseconds.
      this.lastSave = Date.now();
      this.failures++;
      if (this.failure === undefined) warn(`${failure}; positions not saved (a restart reads again from the last saved ones), retrying every checkpoint`);
      this.failure = failure;
      return failure;
    }
    this.lastSave = Date.now();
    this.lastText = text;
    if (this.failure !== undefined) warn(`state file ${path} written again, after ${this.failures} failed ${this.failures === 1 ? 'save' : 'saves'}`);
    this.failure = undefined;
    return undefined;
  }
}

/** The rename that replaced the state file survives power loss only once its directory is synced. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Version 3 as written; version 2 has no outputs (nothing is cut back at the first restart);
 * version 1 (hidlog 0.1: device, inode, and a SHA-256 of the first bytes) carries the same
 * fingerprint, so its files are read on from their offsets.
 */
function parseState(path: string, text: string): SavedState {
  const notState = (why: string) => new Error(`${path} is not a hidlog state file (${why}); move it away to start afresh`);
  let state: { version?: unknown; patterns?: unknown; files?: unknown; outputs?: unknown };
  try {
    state = JSON.parse(text) as typeof state;
  } catch {
    throw notState('not JSON');
  }
  if (state === null || typeof state !== 'object' || !Array.isArray(state.files)) throw notState('no list of files');
  if (state.version !== 1 && state.version !== 2 && state.version !== VERSION) {
    throw new Error(`${path} is a hidlog state file of version ${String(state.version)}; this hidlog reads versions 1 to ${VERSION}`);
  }
  const files: FilePosition[] = [];
  for (const entry of state.files as Partial<FilePosition>[]) {
    const { path: filePath, fingerprint, fingerprintBytes, offset } = entry ?? {};
    if (
      typeof filePath !== 'string' ||
      typeof fingerprint !== 'string' ||
      !/^[0-9a-f]{64}$/.test(fingerprint) ||
      !isCount(fingerprintBytes) ||
      !isCount(offset)
    ) {
      throw notState('a file entry without path, fingerprint and offset');
    }
    // Version 1 kept files with nothing read yet, and empty ones: nothing to resume there. Later
    // versions save offset 0 only for a content read but not taken by the outputs yet: a restart looks for it.
    if (fingerprintBytes > 0 && (offset > 0 || state.version !== 1)) files.push({ path: filePath, fingerprint, fingerprintBytes, offset });
  }
  const outputs: OutputMark[] = [];
  let patterns: string[] | undefined;
  if (state.version === VERSION) {
    if (!Array.isArray(state.patterns) || !state.patterns.every((pattern) => typeof pattern === 'string')) throw notState('no list of patterns');
    patterns = state.patterns as string[];
    if (!Array.isArray(state.outputs)) throw notState('no list of outputs');
    for (const entry of state.outputs as Partial<OutputMark>[]) {
      const { output, dev, ino, born, size } = entry ?? {};
      const isTime = typeof born === 'number' && Number.isFinite(born) && born >= 0;
      if ((output !== 'output' && output !== 'dead_letter') || !isCount(dev) || !isCount(ino) || !isTime || !isCount(size)) {
        throw notState('an output entry without output, dev, ino, born and size');
      }
      outputs.push({ output, dev, ino, born, size });
    }
  }
  return { patterns, files, outputs };
}
