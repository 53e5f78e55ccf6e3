import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createAnnotator } from '../core/annotate.js';
import { describeError } from '../pipeline/errors.js';
import { run } from '../pipeline/run.js';
import { LineWriter } from '../sinks/line-writer.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { parseFields, positiveInteger, validateKey } from './options.js';

export interface AnnotateArgs {
  files: string[];
  output?: string | undefined;
  format: 'ndjson' | 'pretty';
  key: string;
  field: string[];
  deadLetter?: string | undefined;
  strict: boolean;
  maxLineBytes: number;
}

export const warn = (message: string) => process.stderr.write(`hidlog: ${message}\n`);

async function openOutputFile(path: string, what: string): Promise<Writable> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new Error(`cannot write ${what} ${path}: ${describeError(error)}`);
  }
  return stream;
}

/** `hidlog annotate`: returns the exit code. */
export async function annotateCommand(args: AnnotateArgs): Promise<number> {
  const annotator = createAnnotator({ key: validateKey(args.key), fields: parseFields(args.field) });
  const maxLineBytes = positiveInteger('max-line-bytes', args.maxLineBytes);
  let outputStream: Writable;
  let deadLetterStream: Writable | undefined;
  try {
    outputStream = args.output ? await openOutputFile(args.output, 'output') : process.stdout;
    deadLetterStream = args.deadLetter ? await openOutputFile(args.deadLetter, 'dead-letter file') : undefined;
  } catch (error) {
    warn(describeError(error));
    return 1;
  }
  const output = new LineWriter(outputStream);
  const deadLetter = deadLetterStream && new LineWriter(deadLetterStream);
  const colour = !args.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const report = await run(args.files.length > 0 ? args.files : ['-'], {
    annotator,
    maxLineBytes,
    strict: args.strict,
    output,
    format: args.format === 'pretty' ? prettyFormatter(colour) : undefined,
    deadLetter,
    warn,
  });
  await Promise.all([output.finish(outputStream !== process.stdout), deadLetter?.finish(true)]);
  for (const [writer, name] of [[output, args.output ?? 'stdout'], [deadLetter, args.deadLetter]] as const) {
    if (writer?.error) {
      warn(`cannot write ${name}: ${describeError(writer.error)}`);
      return 1;
    }
  }
  if (report.outputClosed) return 0;
  if (report.strictStop) {
    warn(report.strictStop);
    return 1;
  }
  return report.failedInputs > 0 ? 1 : 0;
}
