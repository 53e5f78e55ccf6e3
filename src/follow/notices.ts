import { describeError } from '../common/error-text.js';
import type { InputFormatOption } from '../envelopes/formats.js';
import { judgeInput } from '../pipeline/input-survey.js';
import type { FollowEvents } from './follow-events.js';
import type { FollowedFile, UnfollowableError } from './followed-file.js';

/**
 * What follow mode says about a path, once: a file it cannot read (counted, and retried), a FIFO
 * or a device it refuses, a compression it does not read, lines that are mostly not records.
 */
export class Notices {
  /** Paths that could not be read: said again only after a read of them worked. */
  private readonly reported = new Set<string>();
  /** Paths that named a FIFO or a device: said once each, never opened. */
  private readonly refused = new Set<string>();
  /** Files compressed in a way hidlog does not read, named once. */
  private readonly skipped = new Set<string>();
  /** Paths whose lines were judged for the notice on unusable input: once per path. */
  private readonly judged = new Set<string>();

  constructor(
    private readonly warn: (message: string) => void,
    private readonly events: FollowEvents,
    /** `--input-format`, for the notice on a file that is mostly not records. */
    private readonly inputFormat: InputFormatOption,
  ) {}

  /** A FIFO or a device a pattern names: said once per path; the other files are followed on. */
  refuse(error: UnfollowableError): void {
    if (this.refused.has(error.path)) return;
    this.refused.add(error.path);
    this.warn(error.message);
  }

  /** The file at `path` could not be read: said (and counted) once, until a read of it works. */
  cannotRead(path: string, error: unknown): void {
    if (this.reported.has(path)) return;
    this.reported.add(path);
    this.events.readFailed();
    this.warn(`cannot read ${path}: ${describeError(error)} (will retry)`);
  }

  /** Lines were read from the file at `path`: a failure to read it is said again. */
  readAgain(path: string): void {
    this.reported.delete(path);
  }

  /** A file compressed in a way hidlog does not read: named once. */
  notRead(path: string, compression: string): void {
    if (!this.skipped.has(path)) this.warn(`${path} is ${compression}-compressed: not read (hidlog reads gzip only)`);
    this.skipped.add(path);
  }

  /** Says once per path, when a file has enough lines (or at shutdown), that they are mostly unusable (input-survey.ts). */
  judge(file: FollowedFile, final: boolean): void {
    if (this.judged.has(file.path)) return;
    const survey = file.takeSurvey(final);
    if (!survey) return;
    this.judged.add(file.path);
    const notice = judgeInput(survey, { name: file.path, inputFormat: this.inputFormat, final });
    if (notice) this.warn(notice);
  }
}
