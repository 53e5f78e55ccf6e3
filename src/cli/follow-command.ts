import { Follower, FollowStats, type StartAt } from '../follow/follower.js';
import { wildcardsOutsideFileName } from '../follow/paths-provider.js';
import { describeError } from '../pipeline/errors.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { setUpAnnotate, type AnnotateArgs } from './annotate-setup.js';
import { warn } from './batch.js';
import { openFile } from './outputs.js';
import { UsageError, positiveInteger } from './options.js';

export interface FollowArgs {
  stateFile?: string | undefined;
  startAt: StartAt;
  pollInterval: number;
  watch: boolean;
}

// How often, at most, positions are saved while lines flow: after a SIGKILL, at most this
// much is read again (README, "Follow mode").
const CHECKPOINT_MS = 1000;

/** `hidlog annotate --follow`: runs until SIGINT or SIGTERM; returns the exit code. */
export async function followCommand(args: AnnotateArgs & FollowArgs): Promise<number> {
  if (args.files.length === 0) throw new UsageError('--follow needs at least one file or quoted glob to follow');
  const misplaced = args.files.find(wildcardsOutsideFileName);
  if (misplaced) throw new UsageError(`--follow ${misplaced}: wildcards may stand in the file name only`);
  if (args.files.includes('-')) throw new UsageError('--follow follows files, not stdin');
  if (args.workers !== 1) throw new UsageError('--workers applies to batch inputs, not to --follow');
  const pollMs = positiveInteger('poll-interval', args.pollInterval);
  const stats = new FollowStats();
  const setup = await setUpAnnotate(args, 'a', stats);
  if (!setup) return 1;
  const { annotator, maxLineBytes, stop, metrics, outputs, colour } = setup;
  const { output, deadLetter } = outputs;
  // logrotate moves hidlog's own output away, then sends SIGHUP: write to a new file at the path.
  process.on('SIGHUP', () => {
    if (args.output) void openFile(args.output, 'output', 'a').then((next) => output.reopen(next), (error: Error) => warn(error.message));
    if (args.deadLetter && deadLetter) void openFile(args.deadLetter, 'dead-letter file', 'a').then((next) => deadLetter.reopen(next), (error: Error) => warn(error.message));
  });

  const follower = new Follower({
    patterns: args.files,
    lines: {
      annotator,
      maxLineBytes,
      strict: false,
      output,
      format: args.format === 'pretty' ? prettyFormatter(colour) : undefined,
      deadLetter,
      observer: metrics?.tally,
    },
    startAt: args.startAt,
    pollMs,
    watch: args.watch,
    stateFile: args.stateFile,
    checkpointMs: CHECKPOINT_MS,
    stats,
    bytes: (count) => metrics?.tally.bytes(count),
    warn,
    stop,
  });
  try {
    await follower.run();
  } catch (error) {
    warn(describeError(error));
    return 1;
  } finally {
    await Promise.all([output.finish(outputs.outputIsFile), deadLetter?.finish(true)]);
    await metrics?.finish(AbortSignal.abort(), warn);
  }
  return output.error ? 1 : 0;
}
