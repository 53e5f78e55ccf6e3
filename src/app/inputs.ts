// The inputs of a run, as every command that reads them takes them.
import type { DurationField } from '../core/duration.js';
import type { FieldPaths } from '../core/extract.js';
import { readersFor, type InputFormatOption } from '../envelopes/formats.js';
import type { RunOptions } from '../pipeline/run.js';

/** How the inputs are read, for every command that reads records. */
export interface InputOptions {
  /** As given, `-` for stdin; none: stdin. */
  files: string[];
  /** `--field`: where to read each kind first. */
  fields: FieldPaths;
  /** `--duration-field`: where to read a record's duration first. */
  durationFields: DurationField[];
  builtinFields: boolean;
  strict: boolean;
  maxLineBytes: number;
  /** 0: one per core. */
  workers: number;
  inputFormat: InputFormatOption;
}

/** How each input is read (`--input-format`): the envelopes its lines are read from. */
export function inputReading(options: Pick<InputOptions, 'inputFormat'>): Pick<RunOptions, 'readers' | 'inputFormat'> {
  return { readers: readersFor(options.inputFormat), inputFormat: options.inputFormat };
}

export function inputsOf(options: Pick<InputOptions, 'files'>): string[] {
  return options.files.length > 0 ? options.files : ['-'];
}
