import { readFile } from 'node:fs/promises';
import { describeError } from '../pipeline/errors.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';

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

export interface CheckpointerOptions {
  path: string;
  /** How often, at most, positions are saved unless forced. */
  everyMs: number;
  /** Or after this many bytes read (a catch-up reads far more than a second's worth between two looks). */
  everyBytes?: number | undefined;
  warn: (message: string) => void;
}

const VERSION = 2;

/** Keeps the state file: loads the saved positions, and saves the positions it is given (delivered ones: see Delivery). */
export class Checkpointer {
  /** When positions were last saved, or a save last failed: a failing save is tried again after everyMs, not at every chunk. */
  private lastSave = 0;
  private lastText = '';
  private bytesSinceSave = 0;

  constructor(private readonly options: CheckpointerOptions) {}

  async load(): Promise<FilePosition[] | undefined> {
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

  /** Writes `positions` atomically, unless they are the ones saved last; a failure is warned about, not thrown. */
  async save(positions: FilePosition[]): Promise<void> {
    const { path, warn } = this.options;
    const text = JSON.stringify({ version: VERSION, files: positions }, null, 1) + '\n';
    this.bytesSinceSave = 0;
    if (text === this.lastText) {
      this.lastSave = Date.now();
      return;
    }
    try {
      await writeFileAtomically(path, text);
      this.lastText = text;
    } catch (error) {
      warn(`cannot write state file ${path}: ${describeError(error)}`);
    } finally {
      this.lastSave = Date.now();
    }
  }
}

/**
 * Version 2 as written; version 1 (hidlog 0.1: device, inode, and a SHA-256 of the first bytes)
 * carries the same fingerprint, so its files are read on from their offsets.
 */
function parseState(path: string, text: string): FilePosition[] {
  const notState = (why: string) => new Error(`${path} is not a hidlog state file (${why}); move it away to start afresh`);
  let state: { version?: unknown; files?: unknown };
  try {
    state = JSON.parse(text) as typeof state;
  } catch {
    throw notState('not JSON');
  }
  if (state === null || typeof state !== 'object' || !Array.isArray(state.files)) throw notState('no list of files');
  if (state.version !== 1 && state.version !== VERSION) {
    throw new Error(`${path} is a hidlog state file of version ${String(state.version)}; this hidlog reads versions 1 and ${VERSION}`);
  }
  const positions: FilePosition[] = [];
  for (const entry of state.files as Partial<FilePosition>[]) {
    const { path: filePath, fingerprint, fingerprintBytes, offset } = entry ?? {};
    if (typeof filePath !== 'string' || typeof fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(fingerprint) || !isCount(fingerprintBytes) || !isCount(offset)) {
      throw notState('a file entry without path, fingerprint and offset');
    }
    // Version 1 kept files with nothing read yet, and empty ones: nothing to resume there. Version 2
    // saves offset 0 only for a content read but not taken by the outputs yet: a restart looks for it.
    if (fingerprintBytes > 0 && (offset > 0 || state.version === VERSION)) positions.push({ path: filePath, fingerprint, fingerprintBytes, offset });
  }
  return positions;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
