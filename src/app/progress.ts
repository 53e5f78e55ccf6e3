// The progress bar of a batch run, on stderr (the caller shows it only when stderr is a terminal):
// bytes read of the total where the inputs' sizes are known, the rate, the time left, file i of n.
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import { bytes } from '../report/render/text.js';

export interface Progress {
  /** The pipeline's `opened`: follows this input's raw stream. */
  opened(input: { index: number; raw: Readable }): void;
  stop(): void;
}

const REDRAW_MS = 200;

const secondsText = (seconds: number) =>
  seconds < 60
    ? `${Math.ceil(seconds)}s`
    : seconds < 3600
      ? `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`
      : `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;

/** Bytes a raw input stream has read from its file (or pipe): compressed bytes for gzip, so they compare with the file's size. */
const readSoFar = (raw: Readable) => (raw as Readable & { bytesRead?: number }).bytesRead ?? 0;

export async function startProgress(inputs: readonly string[], stream: NodeJS.WritableStream = process.stderr): Promise<Progress> {
  const sizes = await Promise.all(inputs.map(async (input) => (input === '-' ? undefined : (await stat(input).catch(() => undefined))?.size)));
  const total = sizes.every((size) => size !== undefined) ? sizes.reduce((a: number, b) => a + b!, 0) : undefined;
  const files = inputs.length;
  const format =
    total === undefined
      ? 'reading {done} | {rate} | {duration_formatted} | file {file} of {files}'
      : '{bar} {percentage}% | {done} of {size} | {rate} | ETA {timeLeft} | file {file} of {files}';
  const bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: true, barsize: 24, fps: 5 }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  let finishedBytes = 0;
  let current: { index: number; raw: Readable } | undefined;
  const payload = (read: number) => {
    const perSecond = read / Math.max(0.001, (Date.now() - started) / 1000);
    return {
      done: bytes(read),
      size: bytes(total ?? 0),
      rate: `${bytes(perSecond)}/s`,
      // From the average rate so far; none before the first bytes.
      timeLeft: read > 0 && total !== undefined ? secondsText((total - read) / perSecond) : '-',
      file: (current?.index ?? 0) + 1,
      files,
    };
  };
  const read = () => finishedBytes + (current ? readSoFar(current.raw) : 0);
  bar.start(Math.max(1, total ?? 1), 0, payload(0));
  const timer = setInterval(() => bar.update(Math.min(read(), total ?? 0), payload(read())), REDRAW_MS);
  timer.unref();
  return {
    opened(input) {
      if (current) finishedBytes += sizes[current.index] ?? readSoFar(current.raw);
      current = input;
    },
    stop() {
      clearInterval(timer);
      bar.update(Math.min(read(), total ?? 0), payload(read()));
      bar.stop();
    },
  };
}
