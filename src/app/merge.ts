// `hidlog report --partial` and `--merge`: a report read per shard and merged, under any
// scheduler. What decides what is counted (--tz, --time-field, --by, --since, --until) is fixed
// when a shard is read, so the partials must agree on it; what only decides how the report is
// shown (--top, --format, a wider --bucket) is the merge's, and so is a window that takes each
// partial whole or not at all.
import { readFileSync } from 'node:fs';
import { text as textOf } from 'node:stream/consumers';
import { CODE_KINDS } from '../catalog/catalog.js';
import { describeError } from '../common/error-text.js';
import { ReportAggregator } from '../report/aggregator.js';
import { formatDuration } from '../report/duration.js';
import { factsSetup } from '../report/facts.js';
import { AskedWindowError, askedWindow } from '../report/asked-window.js';
import {
  DamagedPartial,
  PARTIAL_FORMAT,
  PARTIAL_VERSION,
  absorbPartials,
  checkPartial,
  damagedText,
  partialOf,
  type MergeNotes,
  type Partial,
  type PartialSetup,
} from '../report/partial.js';
import { TimeWindow, type WindowBounds } from '../report/window.js';
import { isoIn, parseZone, type Zone } from '../report/zone.js';
import { VERSION } from '../version.js';
import { inputsOf } from './inputs.js';
import { warn } from './warn.js';
import { loadRunCatalog } from './catalog-session.js';
import { Refusal } from './refusal.js';
import { checkOutputWritable, partialText, writeReport, writeReportOf, type ReportOptions } from './report-output.js';
import { isObject } from '../common/json.js';

async function readPartial(path: string): Promise<Partial> {
  let text: string;
  try {
    // Synchronously: a merge reads a few small files one after another, with nothing else to do meanwhile.
    text = path === '-' ? await textOf(process.stdin) : readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${describeError(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // A partial's first bytes, then JSON that does not parse: a damaged partial (most often one cut short), not some other file.
    if (/^\s*\{\s*"format"\s*:\s*"hidlog-partial"/.test(text.slice(0, 64)))
      throw new Error(damagedText(path, text.trimEnd().endsWith('}') ? `not valid JSON: ${describeError(error)}` : 'its JSON ends early: cut short?'));
    data = undefined;
  }
  if (!isObject(data) || data.format !== PARTIAL_FORMAT || !isObject(data.setup))
    throw new Error(`${path}: not a report partial (hidlog report --partial writes them)`);
  if (data.version !== PARTIAL_VERSION)
    throw new Error(`${path}: a partial of format version ${String(data.version)}; this hidlog reads version ${PARTIAL_VERSION}`);
  if (data.hidlog !== VERSION)
    throw new Error(`${path}: a partial of hidlog ${String(data.hidlog)}, this is ${VERSION}: make and merge partials with one version`);
  const codes = data.codes;
  const damaged =
    !isObject(data.input) ||
    !Array.isArray(data.input.files) ||
    !isObject(data.counted) ||
    !isObject(data.outcomes) ||
    !isObject(codes) ||
    !CODE_KINDS.every((kind) => Array.isArray(codes[kind])) ||
    !Array.isArray(data.by) ||
    !(data.timeline === null || isObject(data.timeline));
  if (damaged) throw new Error(damagedText(path, 'its parts are not all there'));
  try {
    return checkPartial(data);
  } catch (error) {
    throw error instanceof DamagedPartial ? new Error(damagedText(path, error.message)) : error;
  }
}

const OPTION_OF: Record<keyof PartialSetup, string> = {
  timeZone: '--tz',
  timeFields: '--time-field',
  by: '--by',
  bucket: '--bucket',
  since: '--since',
  until: '--until',
  catalog: '--catalog',
};
const catalogText = (fingerprint: string | null) =>
  fingerprint === null ? "the vendor's catalog (no --catalog)" : `a --catalog file (catalog ${fingerprint.slice(0, 12)})`;
const shown = (setup: PartialSetup, key: keyof PartialSetup) => {
  const value = setup[key];
  if (value === null || (Array.isArray(value) && value.length === 0)) return 'none';
  if (key === 'bucket') return formatDuration(value as number);
  if (key === 'since' || key === 'until') return (value as { asked: string }).asked;
  return [value].flat().join(' ');
};

/** The one setup every partial was made with. */
function commonSetup(partials: Partial[], paths: string[]): PartialSetup {
  const setup = partials[0]!.setup;
  partials.forEach((partial, i) => {
    const key = (Object.keys(OPTION_OF) as (keyof PartialSetup)[]).find((k) => JSON.stringify(partial.setup[k]) !== JSON.stringify(setup[k]));
    if (key === undefined) return;
    if (key === 'catalog')
      throw new Error(
        `${paths[i]}: counted with ${catalogText(partial.setup.catalog)}, ${paths[0]} with ${catalogText(setup.catalog)}: partials merge only when counted with one catalog; make them again with the same --catalog file (or none)`,
      );
    const option = OPTION_OF[key];
    throw new Error(
      `${paths[i]}: made with ${option} ${shown(partial.setup, key)}, ${paths[0]} with ${shown(setup, key)}: partials merge only when made with the same --tz, --time-field, --by, --bucket, --since and --until`,
    );
  });
  return setup;
}

/** The merge's own options against the partials': what was decided while reading cannot be decided again. */
function checkMergeArgs(args: ReportOptions, setup: PartialSetup): void {
  if (args.tz !== undefined && parseZone(args.tz)?.name !== setup.timeZone) {
    throw new Refusal(
      `--tz ${args.tz}: the partials were read in ${setup.timeZone} (times without an offset were read in it, and the timeline is cut in it); merge them without --tz, or make them with --tz ${args.tz}`,
    );
  }
  for (const name of ['since', 'until'] as const) {
    const asked = args[name];
    if (asked !== undefined && (setup.since || setup.until) && asked !== setup[name]?.asked)
      throw new Refusal(
        `--${name} ${asked}: the partials were made with a window (${windowText(setup.since?.asked, setup.until?.asked)}); a merge cannot apply another`,
      );
  }
  const same = (given: string[], kept: string[]) => given.length === 0 || JSON.stringify(given) === JSON.stringify(kept);
  if (!same(args.by, setup.by))
    throw new Refusal(
      `--by ${args.by.join(' --by ')}: the partials count ${setup.by.length === 0 ? 'no --by field' : `--by ${setup.by.join(' --by ')}`}; a merge cannot count another`,
    );
  if (!same(args.timeFields, setup.timeFields))
    throw new Refusal(
      `--time-field ${args.timeFields.join(' --time-field ')}: the partials read their times where they were made to; a merge cannot read them again`,
    );
}

const windowText = (since: string | undefined, until: string | undefined) =>
  [since && `--since ${since}`, until && `--until ${until}`].filter(Boolean).join(' ');

/**
 * A window asked of the merge, over partials made without one: which partials it leaves out. A
 * partial holds counts, not each record's time, so the window must take each partial whole or
 * leave it out whole (daily partials and a window of days); a partial it would cut is refused.
 */
function leftOutBy(bounds: WindowBounds, partials: Partial[], paths: string[], args: ReportOptions, zone: Zone): boolean[] {
  const window = new TimeWindow(bounds);
  const latest = partials.reduce((max, partial) => Math.max(max, partial.input.last ?? Number.NEGATIVE_INFINITY), Number.NEGATIVE_INFINITY);
  const { since, until } = window.resolve(latest);
  const asked = windowText(args.since, args.until);
  return partials.map((partial, i) => {
    const { first, last, missingTime, unparseableTime } = partial.input;
    if (first === null || last === null || (since !== undefined && last < since) || (until !== undefined && first >= until)) return true;
    if (!window.includes(first, latest) || !window.includes(last, latest)) {
      throw new Refusal(
        `${asked}: ${paths[i]} has records from ${isoIn(zone, first)} to ${isoIn(zone, last)}, on both sides of the window's edge; a merge can only take partials whole or leave them out (make the partials with the window)`,
      );
    }
    const untimed = missingTime + unparseableTime;
    if (untimed > 0)
      throw new Refusal(
        `${asked}: ${paths[i]} has ${untimed} records without a time, which a window leaves out and a merge cannot take from its counts (make the partials with the window)`,
      );
    return false;
  });
}

/** The timeline's bucket: the merge's --bucket if every partial's buckets divide it, else the partials'. */
function bucketOf(asked: number | undefined, setup: PartialSetup, partials: Partial[], paths: string[]): number | undefined {
  if (asked === undefined || asked === setup.bucket) return setup.bucket ?? undefined;
  partials.forEach((partial, i) => {
    const width = partial.timeline?.width;
    if (width !== undefined && asked % width !== 0) {
      throw new Refusal(
        `--bucket ${formatDuration(asked)}: ${paths[i]} keeps buckets of ${formatDuration(width)} (the finest its time range allowed), so a merge can only make a multiple of ${formatDuration(width)}`,
      );
    }
  });
  return asked;
}

/** The window asked of the merge, read again in the zone the partials were read in. */
function windowInPartialsZone(args: ReportOptions, zone: Zone): WindowBounds {
  try {
    return askedWindow(args, zone);
  } catch (error) {
    throw error instanceof AskedWindowError ? new Refusal(error.message) : error;
  }
}

/** `hidlog report --merge`: the partials in the order given, as if their inputs were read one after another. */
export async function merge(args: ReportOptions): Promise<number> {
  await checkOutputWritable(args.output);
  const paths = inputsOf(args);
  const partials: Partial[] = [];
  for (const path of paths) partials.push(await readPartial(path));
  const setup = commonSetup(partials, paths);
  checkMergeArgs(args, setup);
  const bucket = bucketOf(args.bucket, setup, partials, paths);
  const zone = parseZone(setup.timeZone);
  if (!zone) throw new Error(`${paths[0]}: made with --tz ${setup.timeZone}, which this hidlog does not know`);
  // One pass stops where --strict stopped a shard's read: the partials after it are listed, not counted.
  const stoppedAt = partials.findIndex((partial) => partial.input.stopped !== null);
  const counting = stoppedAt < 0 ? partials : partials.slice(0, stoppedAt + 1);
  // A window the partials were made with, or one asked of the merge that takes each partial whole or not at all.
  const atMerge = !setup.since && !setup.until && (args.since !== undefined || args.until !== undefined);
  if (atMerge && args.partial)
    throw new Refusal(
      `${windowText(args.since, args.until)} with --merge --partial: a window is applied to the report, not to a partial; give it to the final merge`,
    );
  const window = atMerge
    ? windowInPartialsZone(args, zone)
    : { since: setup.since ? { at: setup.since.at } : undefined, until: setup.until ? { at: setup.until.at } : undefined };
  const leftOut = atMerge ? leftOutBy(window, counting, paths, args, zone) : [];
  const asked = atMerge ? { since: args.since, until: args.until } : { since: setup.since?.asked, until: setup.until?.asked };
  const { catalog, site } = await loadRunCatalog(args);
  const fingerprint = site ? (await import('../catalog/fingerprint.js')).catalogFingerprint(site) : null;
  if (fingerprint !== setup.catalog)
    throw new Refusal(
      `${paths[0]}: counted with ${catalogText(setup.catalog)}, this merge with ${catalogText(fingerprint)}: ${setup.catalog === null ? 'merge without --catalog' : 'merge with the --catalog file the partials were made with'}`,
      false,
    );
  const facts = factsSetup({ timeFields: setup.timeFields, by: setup.by, zone: setup.timeZone });
  const aggregator = new ReportAggregator({ facts, zone, window, bucket, top: args.top, catalog, partial: args.partial });
  const notes: MergeNotes = new Set();
  absorbPartials(
    aggregator,
    counting.map((partial, i) => ({ partial, name: paths[i]!, leftOut: leftOut[i] })),
    notes,
  );
  for (const note of notes) warn(note);
  const incomplete = sayIncomplete(counting, paths, partials.length);
  // Every input is listed, as one pass lists them, read or not.
  const files = partials.flatMap((partial) => partial.input.files);
  const unreadable = counting.flatMap((partial) => partial.input.unreadable);
  const stopped = stoppedAt < 0 ? null : partials[stoppedAt]!.input.stopped;
  const written = args.partial
    ? await writeReport(partialText(partialOf(aggregator, { ...setup, bucket: bucket ?? null }, { files, unreadable, stopped, version: VERSION })), args.output)
    : await writeReportOf(aggregator, { files, unreadable: unreadable.length, zone, top: args.top, version: VERSION, asked }, args.format, args.output);
  return written && !incomplete ? 0 : 1;
}

/** One line for each partial counted whose shard was not read whole (as one pass says each, and exits 1); whether there was one. */
function sayIncomplete(counting: Partial[], paths: string[], all: number): boolean {
  let incomplete = false;
  counting.forEach(({ input }, i) => {
    const what = [...input.unreadable];
    if (input.stopped !== null)
      what.push(`stopped at ${input.stopped} (--strict)${i < all - 1 ? '; the partials after it are not counted, as one pass stops there' : ''}`);
    if (what.length === 0) return;
    warn(`${paths[i]}: its shard was not read whole: ${what.join('; ')}`);
    incomplete = true;
  });
  return incomplete;
}
