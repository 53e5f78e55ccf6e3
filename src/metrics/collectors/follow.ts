import { HIDLOG_METRICS } from '../../contract/metrics.js';
import type { FollowStats } from '../follow-stats.js';
import { readCounter, readGauge, type Registers } from './read.js';

/** Follow mode's own numbers: files, descriptors, rotations, truncations, lag, read errors, state saves. */
export function followMetrics(registers: Registers, follow: FollowStats): void {
  const counter = (name: string, help: string, label: string | undefined, read: () => Iterable<[string, number]> | number) =>
    readCounter(registers, name, help, label, read);
  const gauge = (name: string, help: string, read: () => number) => readGauge(registers, name, help, read);
  gauge(HIDLOG_METRICS.followFiles, 'Files being followed.', () => follow.files);
  gauge(
    HIDLOG_METRICS.followOpenFiles,
    'Followed files held open now: fewer than hidlog_follow_files when the descriptor budget binds (the others are closed while idle).',
    () => follow.openFiles,
  );
  gauge(
    HIDLOG_METRICS.followOpenFilesLimit,
    'Followed files held open at most: the open files limit less the descriptors hidlog keeps for itself (+Inf without a limit).',
    () => follow.openFilesLimit,
  );
  counter(HIDLOG_METRICS.followRotations, 'Followed files renamed or deleted (and read to their end).', undefined, () => follow.rotations);
  counter(
    HIDLOG_METRICS.followTruncations,
    'Followed files truncated in place (copytruncate) and read again from the start.',
    undefined,
    () => follow.truncations,
  );
  gauge(HIDLOG_METRICS.followLagBytes, 'Bytes written to the followed files and not read yet.', () => follow.lagBytes);
  gauge(HIDLOG_METRICS.followLastRead, 'When lines were last read from a followed file (Unix time).', () => follow.lastLineSeconds);
  counter(HIDLOG_METRICS.followReadErrors, 'Followed files that could not be opened (each reported once, and retried).', undefined, () => follow.readErrors);
  counter(
    HIDLOG_METRICS.followStateSaveErrors,
    'Saves of the --state-file that failed (each retried at the next checkpoint; /healthz fails meanwhile).',
    undefined,
    () => follow.stateSaveErrors,
  );
  gauge(
    HIDLOG_METRICS.followStateLastSaveSuccessful,
    'Whether the last save of the --state-file succeeded (1; also without one), or failed (0): a restart would read again from the last saved positions.',
    () => (follow.stateFailure === undefined ? 1 : 0),
  );
}
