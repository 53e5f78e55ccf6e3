import { readFile } from 'node:fs/promises';
import { describeError } from '../pipeline/errors.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';

/** Where reading a file stopped: its identity (device, inode, first bytes) and the offset. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  fingerprint: string;
  fingerprintBytes: number;
  offset: number;
}

export interface CheckpointerOptions {
  path: string;
  /** How often, at most, positions are saved unless forced. */
  everyMs: number;
  warn: (message: string) => void;
}

/** Keeps the state file: loads the saved positions, and saves the positions it is given (delivered ones: see Delivery). */
export class Checkpointer {
  private lastSave = 0;

  constructor(private readonly options: CheckpointerOptions) {}

  async load(): Promise<FilePosition[] | undefined> {
    const { path } = this.options;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = JSON.parse(text) as { version?: number; files?: FilePosition[] };
    if (state.version !== 1 || !Array.isArray(state.files)) throw new Error(`${path} is not a hidlog state file`);
    return state.files;
  }

  /** Whether a save is due: the last one is at least `everyMs` old. */
  get due(): boolean {
    return Date.now() - this.lastSave >= this.options.everyMs;
  }

  /** Writes `positions` atomically; a failure is warned about, not thrown. */
  async save(positions: FilePosition[]): Promise<void> {
    const { path, warn } = this.options;
    try {
      await writeFileAtomically(path, JSON.stringify({ version: 1, files: positions }, null, 1) + '\n');
      this.lastSave = Date.now();
    } catch (error) {
      warn(`cannot write state file ${path}: ${describeError(error)}`);
    }
  }
}
