import { close, constants, fstatSync, open, stat } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { isatty } from 'node:tty';
import { describeError } from '../common/error-text.js';
import { FileSink, type WriteFaults, type WriteMode } from '../sinks/file-sink.js';
import { LineWriter } from '../sinks/line-writer.js';
import { WAITED_OUT_ERRORS, type OutputErrors, type OutputName } from '../sinks/output-errors.js';
import { warn } from './warn.js';

/**
 * batch: a failed write ends the run (one line, exit 1). follow: a full disk or an I/O error is
 * waited out, input held, and any other write error ends the run.
 */
export type OutputMode = 'batch' | 'follow';

export interface Outputs {
  output: LineWriter;
  deadLetter: LineWriter | undefined;
  /** Whether the output is a file of ours to close (not stdout). */
  outputIsFile: boolean;
  /** What the output is called in messages: `output FILE` or `stdout`, and `dead-letter file FILE`. */
  names: { output: string; deadLetter: string | undefined };
  /** Writes go on in new files at the same paths (SIGHUP, after logrotate moved them away). */
  reopen(): Promise<void>;
}

/** The output (-o FILE, or stdout) and the dead-letter file, if any. */
export async function openOutputs(
  args: { output?: string | undefined; deadLetter?: string | undefined },
  mode: OutputMode,
  errors: OutputErrors,
  stop: AbortSignal,
): Promise<Outputs> {
  const flags = mode === 'follow' ? 'a' : 'w';
  // A follower writes a few lines per look: at once is cheaper than through the thread pool.
  const writes: WriteMode = mode === 'follow' ? 'at once' : 'pool';
  const names = { output: args.output ? `output ${args.output}` : 'stdout', deadLetter: args.deadLetter && `dead-letter file ${args.deadLetter}` };
  const outputFaults = faultsOf(mode, 'output', names.output, errors, stop);
  const output = args.output ? await openFile(args.output, 'output', flags, outputFaults, writes, stop) : stdoutStream(outputFaults, writes);
  if (output === process.stdout) output.on('error', (error: NodeJS.ErrnoException) => errors.count('output', error.code));
  const deadLetter = args.deadLetter
    ? await openFile(args.deadLetter, 'dead-letter file', flags, faultsOf(mode, 'dead_letter', names.deadLetter!, errors, stop), writes, stop)
    : undefined;
  return {
    output: new LineWriter(output, { stop }),
    deadLetter: deadLetter && new LineWriter(deadLetter, { stop }),
    outputIsFile: output !== process.stdout,
    names,
    async reopen() {
      for (const [sink, name] of [
        [output, names.output],
        [deadLetter, names.deadLetter],
      ] as const) {
        if (!(sink instanceof FileSink)) continue;
        await sink.reopen().catch((error: unknown) => warn(`cannot reopen ${name}: ${describeError(error)}`));
      }
    },
  };
}

/** Opens a file for writing ('w') or appending ('a'); a failure is one line naming it. */
async function openFile(path: string, what: string, flags: 'w' | 'a', faults: WriteFaults, writes: WriteMode, stop: AbortSignal): Promise<FileSink> {
  try {
    const probe = await untilFifoHasReader(path, `${what} ${path}`, stop);
    try {
      return await FileSink.open(path, flags, faults, writes);
    } finally {
      if (probe !== undefined) await promisify(close)(probe);
    }
  } catch (error) {
    throw new Error(`cannot write ${what} ${path}: ${describeError(error)}`);
  }
}

// How often a FIFO with no reader is tried again.
const FIFO_RETRY_MS = 100;

/**
 * An open of a FIFO for writing waits until a process opens it for reading, in the thread pool,
 * where no signal reaches it: with no reader, hidlog would ignore SIGTERM. So, for a FIFO, wait
 * here instead (said once), trying every FIFO_RETRY_MS without blocking, until a reader comes or
 * hidlog is stopped. Returns the descriptor that found the reader, to be closed only after the
 * sink's own open: closed before, it would be the reader's end of file (the last writer gone).
 */
async function untilFifoHasReader(path: string, name: string, stop: AbortSignal): Promise<number | undefined> {
  const isFifo = await promisify(stat)(path).then(
    (stats) => stats.isFIFO(),
    () => false,
  );
  if (!isFifo) return undefined;
  let said = false;
  for (;;) {
    try {
      return await promisify(open)(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
    }
    if (!said) warn(`${name} is a FIFO no process reads yet: waiting for one`);
    said = true;
    await sleep(FIFO_RETRY_MS, undefined, { signal: stop }).catch(() => undefined);
    if (stop.aborted) throw new Error('stopped before a process opened the FIFO for reading');
  }
}

/**
 * stdout redirected to a file or a device is written like a file (Node's own stream for it drops
 * the rest of a short write); a pipe or a terminal through process.stdout.
 */
function stdoutStream(faults: WriteFaults, writes: WriteMode): Writable {
  const stat = fstatSync(1);
  if (stat.isFile() || (stat.isCharacterDevice() && !isatty(1))) return FileSink.onDescriptor(1, faults, writes);
  return process.stdout;
}

function faultsOf(mode: OutputMode, output: OutputName, name: string, errors: OutputErrors, stop: AbortSignal): WriteFaults {
  let failingSince: number | undefined;
  return {
    retries: (error) => mode === 'follow' && WAITED_OUT_ERRORS.includes(error.code ?? ''),
    failed(error, retrying) {
      errors.count(output, error.code);
      if (!retrying || failingSince !== undefined) return;
      failingSince = Date.now();
      warn(`cannot write ${name}: ${describeError(error)}; input held, retrying until it can`);
    },
    recovered(failures) {
      if (failingSince === undefined) return;
      const seconds = ((Date.now() - failingSince) / 1000).toFixed(1);
      failingSince = undefined;
      warn(`${name} written again, after ${failures} failed attempts in ${seconds} s: nothing lost`);
    },
    stop,
  };
}
