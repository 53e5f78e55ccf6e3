import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { describeError } from '../pipeline/errors.js';
import { LineWriter } from '../sinks/line-writer.js';

export interface Outputs {
  output: LineWriter;
  deadLetter: LineWriter | undefined;
  /** Whether the output is a file of ours to close (not stdout). */
  outputIsFile: boolean;
}

/** Opens a file for writing ('w') or appending ('a'); a failure is one line naming it. */
export async function openFile(path: string, what: string, flags: 'w' | 'a'): Promise<Writable> {
  const stream = createWriteStream(path, { flags });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new Error(`cannot write ${what} ${path}: ${describeError(error)}`);
  }
  return stream;
}

/** The output (-o FILE, or stdout) and the dead-letter file, if any. */
export async function openOutputs(args: { output?: string | undefined; deadLetter?: string | undefined }, flags: 'w' | 'a'): Promise<Outputs> {
  const output = args.output ? await openFile(args.output, 'output', flags) : process.stdout;
  const deadLetter = args.deadLetter ? await openFile(args.deadLetter, 'dead-letter file', flags) : undefined;
  return { output: new LineWriter(output), deadLetter: deadLetter && new LineWriter(deadLetter), outputIsFile: output !== process.stdout };
}
