import { Checkpointer, type FilePosition, type SavedState } from './checkpointer.js';
import { OutputLost, type FileOutputs } from './file-outputs.js';
import type { FollowContext } from './follow-context.js';

// How long a checkpoint waits for the outputs to take what they were given; if they have not,
// it is not saved, and the last one stands (a full disk, a slow reader of stdout).
const CATCH_UP_MS = 100;

export interface CheckpointsOptions {
  stateFile?: string | undefined;
  patterns: readonly string[];
  /** How often, at most, the state file is written while lines flow; and how often the outputs are checked. */
  checkpointMs: number;
  /** And after how many bytes read, at most. */
  checkpointBytes?: number | undefined;
}

/**
 * The state file's side of following: the positions (the contents memory's, see positions())
 * saved with each file output's identity and size, synced, at the start, when due, and at
 * shutdown; and the file outputs checked, now and then, for a deletion or a move. Without a state
 * file, only the outputs are checked.
 */
export class Checkpoints {
  private readonly checkpointer: Checkpointer | undefined;
  private lastOutputCheck = Date.now();
  /** An output was deleted while written: the positions read since the last save are not saved (OutputLost). */
  private outputLost = false;

  constructor(
    private readonly options: CheckpointsOptions,
    /** The outputs, in Delivery's order. */
    private readonly outputs: FileOutputs,
    private readonly context: FollowContext,
  ) {
    const { stateFile, checkpointMs, checkpointBytes } = options;
    if (stateFile) this.checkpointer = new Checkpointer({ path: stateFile, everyMs: checkpointMs, everyBytes: checkpointBytes, warn: context.warn });
  }

  /** The state saved by the last run, if any. */
  async load(): Promise<SavedState | undefined> {
    return this.checkpointer?.load();
  }

  /** Whether a save is due (Checkpointer.due); never without a state file. */
  get due(): boolean {
    return this.checkpointer?.due ?? false;
  }

  /** `count` more bytes were read. */
  advanced(count: number): void {
    this.checkpointer?.advanced(count);
  }

  /**
   * Before anything is read: the positions loaded, and the file outputs as they are (cut back to
   * what `saved` says they held). From here on a restart after a kill cuts the outputs back to at
   * least this point, and a state file that cannot be written stops hidlog (returned) before it
   * reads, not after a restart that skips lines.
   */
  async start(saved: SavedState | undefined, positions: FilePosition[]): Promise<string | undefined> {
    if (saved) await this.outputs.cutBack(saved.outputs);
    if (!this.checkpointer) return undefined;
    const outputs = (await this.outputs.marks()) ?? [];
    return this.checkpointer.save({ patterns: [...this.options.patterns], files: positions, outputs }, () => this.outputs.sync(outputs), true);
  }

  /**
   * Saves the delivered positions (see Delivery): when the checkpointer is due, at the start, and at
   * shutdown; with them each file output's identity and size, synced to disk first, so that a
   * restart cuts off what was written after them. Not saved while an output holds more than the
   * delivered positions cover (a write under way, failing, or held): the last save stands.
   */
  async save(): Promise<void> {
    const { checkpointer, context } = this;
    const { memory } = context;
    if (!checkpointer || this.outputLost) return;
    await this.outputs.flushed(AbortSignal.any([context.stop, AbortSignal.timeout(CATCH_UP_MS)]));
    const outputs = await this.outputs.marks((i) => memory.holdsExactly(i));
    if (!outputs) return;
    const positions = memory.positions(context.files.values());
    await checkpointer.save({ patterns: [...this.options.patterns], files: positions, outputs }, () => this.outputs.sync(outputs));
    context.events.stateSaved(checkpointer.failures, checkpointer.failure);
  }

  /** After a quiet while (checkpointMs), before a look writes: a file output deleted or moved away while written (FileOutputs.check) is written at its path again; a deleted one stops hidlog if there is a state file. */
  checkOutputsWhenDue(): Promise<void> | undefined {
    const now = Date.now();
    if (now - this.lastOutputCheck < this.options.checkpointMs) return undefined;
    this.lastOutputCheck = now;
    return this.checkOutputs();
  }

  private async checkOutputs(): Promise<void> {
    try {
      await this.outputs.check(this.checkpointer !== undefined);
    } catch (error) {
      if (error instanceof OutputLost) this.outputLost = true;
      throw error;
    }
  }
}
