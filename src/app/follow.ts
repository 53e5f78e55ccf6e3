import { setFlagsFromString } from 'node:v8';
import { Follower, type StartAt } from '../follow/follower.js';
import { FollowStats } from '../metrics/follow-stats.js';
import { describeError } from '../common/error-text.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { readersFor } from '../envelopes/formats.js';
import { setUpAnnotate, type AnnotateOptions } from './annotate-setup.js';
import { warn } from './warn.js';
import { onHangup } from './signals.js';

/** With annotate's options: files or globs to follow (not stdin), and workers 1. */
export interface FollowOptions {
  stateFile?: string | undefined;
  startAt: StartAt;
  pollInterval: number;
  watch: boolean;
}

// How often, at most, positions are saved while lines flow: after a SIGKILL, at most this
// much is read again (docs/follow.md, docs/state-file.md). in a catch-up, also after this many bytes read
// (docs/follow-resources.md).
const CHECKPOINT_MS = 1000;
const CHECKPOINT_BYTES = 8 * 1024 * 1024;
// At shutdown, how long an output may take to accept what is left; the rest is read again at
// the next start. With the state file's save, hidlog is out within 2 s of SIGTERM.
const LAST_WRITES_MS = 1000;

// A follower does a little eleven times a second for days. At that pace V8 leaves the look's code
// in its interpreter for minutes: a function is compiled only once it has run through its
// interrupt budget (66 KiB of bytecode by default) several times, which a function run once a
// look does only every minute or so. Compiled to baseline code at once (Sparkplug), and with a
// quarter of the budget, a look costs a third less CPU from the first minute on, until the code is
// compiled without them too (about four minutes in, from when both cost the same), for some
// 100 ms more of compiling in the first 20 s (measured beside the build without: docs/performance.md).
// Follow mode only: a batch run is hot at once, and the smaller budget made it slower (measured).
const FOLLOW_V8_FLAGS = ['--always-sparkplug', '--interrupt-budget=16000'];

/** `hidlog annotate --follow`: runs until SIGINT or SIGTERM; returns the exit code. */
export async function follow(args: AnnotateOptions & FollowOptions): Promise<number> {
  for (const flag of FOLLOW_V8_FLAGS) setFlagsFromString(flag);
  const stats = new FollowStats();
  const setup = await setUpAnnotate(args, 'follow', stats);
  if (!setup) return 1;
  const { annotator, maxLineBytes, stop, metrics, outputs, colour } = setup;
  const { output, deadLetter } = outputs;
  // logrotate moves hidlog's own output away, then sends SIGHUP: write to a new file at the path
  // (and the catalog is reloaded: keepCatalogCurrent listens to SIGHUP too).
  onHangup(() => void outputs.reopen());
  // An output that fails for good (the reader of stdout went away, an error not waited out) ends
  // the run at once, so that a service manager starts hidlog again.
  const ended = AbortSignal.any([stop, output.broken, ...(deadLetter ? [deadLetter.broken] : [])]);
  let lastWritesEnd: AbortSignal | undefined;
  const lastWrites = () => (lastWritesEnd ??= AbortSignal.timeout(LAST_WRITES_MS));

  const follower = new Follower({
    patterns: args.files,
    lines: {
      annotator,
      maxLineBytes,
      strict: false,
      output,
      format: args.format === 'pretty' ? prettyFormatter(colour, annotator) : undefined,
      deadLetter,
      observer: metrics?.tally,
      readers: readersFor(args.inputFormat),
    },
    observerOf: metrics?.observerOf,
    outputNames: outputs.names,
    startAt: args.startAt,
    pollMs: args.pollInterval,
    watch: args.watch,
    stateFile: args.stateFile,
    checkpointMs: CHECKPOINT_MS,
    checkpointBytes: CHECKPOINT_BYTES,
    events: stats,
    lastWrites,
    warn,
    stop: ended,
    inputFormat: args.inputFormat,
  });
  const stopReloading = await setup.keepCatalogCurrent();
  try {
    await follower.run();
  } catch (error) {
    warn(describeError(error));
    return 1;
  } finally {
    stopReloading();
    await Promise.all([output.finish(outputs.outputIsFile, lastWrites()), deadLetter?.finish(true, lastWrites())]);
    await metrics?.finish(AbortSignal.abort(), warn);
  }
  let code = 0;
  for (const [writer, name] of [
    [output, outputs.names.output],
    [deadLetter, outputs.names.deadLetter],
  ] as const) {
    if (!writer) continue;
    if (writer.error) {
      warn(`cannot write ${name}: ${describeError(writer.error)}; stopped${args.stateFile ? ', the state file covers the lines it took' : ''}`);
      code = 1;
    } else if (writer.bytesAccepted < writer.bytesWritten) {
      warn(`${name} did not take its last lines before shutdown${args.stateFile ? ': they are read again at the next start' : ''}`);
    }
  }
  // A write the output never took (a reader that stopped reading) would keep Node running: the
  // state is saved, so leave now.
  if (output.bytesAccepted < output.bytesWritten && !output.error) process.exit(code);
  return code;
}
