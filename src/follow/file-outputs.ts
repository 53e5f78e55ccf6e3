import { describeError } from '../common/error-text.js';
import type { LineWriter } from '../sinks/line-writer.js';
import type { OutputName } from '../sinks/output-errors.js';
import type { OutputMark } from './checkpointer.js';

export interface FollowerOutput {
  name: OutputName;
  writer: LineWriter;
  /** What it is called in messages: `output FILE`, `stdout`, `dead-letter file FILE`. */
  label: string;
}

/**
 * A follower's outputs as the state file sees them: the files among them (-o, --dead-letter) are
 * marked (identity and size) with the positions, synced first, and cut back to their mark at a
 * restart; stdout is not (a pipe cannot be cut). Also notices a file output deleted or moved away.
 */
export class FileOutputs {
  constructor(
    readonly all: readonly FollowerOutput[],
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * Cuts each file output back to its mark (what a killed hidlog wrote after its last save, a
   * torn line included, is read again from the saved positions). A file that is shorter, or
   * another file, is said once and written on as it is.
   */
  async cutBack(marks: readonly OutputMark[]): Promise<void> {
    for (const { name, writer, label } of this.all) {
      const mark = marks.find((saved) => saved.output === name);
      const sink = writer.fileSink;
      if (!mark || !sink) continue;
      const found = await sink.cutBackTo(mark);
      if (found === 'shorter') {
        this.warn(`${label} is shorter than when the positions were last saved (${mark.size} bytes): cut meanwhile (copytruncate?); written on at its end`);
      } else if (found === 'another file') {
        this.warn(
          `${label} is not the file written up to the last saved positions (replaced or rotated meanwhile): written on as it is; lines read after those positions may be in both`,
        );
      }
    }
  }

  /**
   * The file outputs' marks; undefined if one of them holds more or less than the positions to be
   * saved cover (`holdsExactly(i)` is false for output i).
   */
  async marks(holdsExactly: (i: number) => boolean = () => true): Promise<OutputMark[] | undefined> {
    const marks: OutputMark[] = [];
    for (const [i, { name, writer }] of this.all.entries()) {
      const mark = await writer.fileSink?.mark().catch(() => undefined);
      if (!mark) continue;
      if (!holdsExactly(i)) return undefined;
      marks.push({ output: name, ...mark });
    }
    return marks;
  }

  /** Syncs the file outputs `marks` describe, before a state that says what they hold is saved. */
  async sync(marks: readonly OutputMark[]): Promise<void> {
    const marked = new Set(marks.map((mark) => mark.output));
    await Promise.all(this.all.filter(({ name }) => marked.has(name)).map(({ writer }) => writer.fileSink?.sync()));
  }

  /** Waits until every output took what it was given, or `until` fires. */
  async flushed(until: AbortSignal): Promise<void> {
    await Promise.all(this.all.map(({ writer }) => writer.flushed(until)));
  }

  /**
   * A file output moved away, or deleted, while written (FileSink.condition) is written on in a
   * new file at its path, and said once. A deleted one lost what was written to it since: when
   * `stopIfDeleted` (a state file can have those lines written again), this throws instead.
   */
  async check(stopIfDeleted: boolean): Promise<void> {
    for (const { writer, label } of this.all) {
      const sink = writer.fileSink;
      const condition = await sink?.condition().catch(() => 'at its path' as const);
      if (!sink || condition === undefined || condition === 'at its path') continue;
      if (condition === 'deleted' && stopIfDeleted) {
        throw new OutputLost(
          `${label} was deleted while hidlog wrote it; stopped without saving positions past the last save, so that a restart writes the lines since then to a new file`,
        );
      }
      try {
        await sink.reopen();
      } catch (error) {
        this.warn(`cannot reopen ${label}: ${describeError(error)}`);
        continue;
      }
      this.warn(
        condition === 'deleted'
          ? `${label} was deleted while hidlog wrote it: written on in a new file at its path; any lines written to it after it was deleted are lost (with --state-file, hidlog stops instead and a restart writes them again)`
          : `${label} was moved away or replaced while hidlog wrote it: written on in a new file at its path`,
      );
    }
  }
}

/** An output was deleted while written: the positions read since the last save must not be saved. */
export class OutputLost extends Error {}
