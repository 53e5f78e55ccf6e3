#!/usr/bin/env node
// npm run bench [-- --lines N --rounds R --workers N --ab-rounds N --no-memory --no-series --no-follow]
// Runs hidlog, the Node floors and the peers (jq, mtail) side by side on one generated corpus (and
// hidlog on the corpus five times over, and on its copies wrapped as CRI and docker json-file
// logs), alternating modes over several rounds, and prints medians, ratios against the targets,
// and whether every mode's counts equal the corpus's truth; then the cost of recognising
// envelopes on bare NDJSON, in CPU time over alternating rounds (bench/alternate.mjs); then the
// series of three labels of 50 values with and without --max-series (bench/series.mjs); then
// follow mode's CPU and latency beside mtail and tail -F (bench/follow.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { alternate } from './alternate.mjs';
import { wrapCorpus, writeCorpus } from './corpus.mjs';
import { withoutExtraCaCerts } from './environment.mjs';
import { followBench } from './follow.mjs';
import { seriesBench } from './series.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, '.work');
mkdirSync(work, { recursive: true });

const { values: opts } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    // The --workers targets are decided for two threads.
    workers: { type: 'string', default: '2' },
    // Rounds of the alternating CPU-time runs that judge the recognition cost's 2%.
    'ab-rounds': { type: 'string', default: '10' },
    'no-memory': { type: 'boolean', default: false },
    // The uncapped run holds millions of series: gigabytes, and a minute to print them.
    'no-series': { type: 'boolean', default: false },
    'no-follow': { type: 'boolean', default: false },
  },
});
const lines = Number(opts.lines);
const rounds = Number(opts.rounds);
const workers = Number(opts.workers);
const abRounds = Number(opts['ab-rounds']);
const hidlog = join(root, 'bin/hidlog.js');
const environment = withoutExtraCaCerts();
if (environment) process.stderr.write(`${environment}\n`);
const has = (tool) => spawnSync('which', [tool]).status === 0;

// The corpus, cached by size; the catalog for jq comes from hidlog's own `codes --json`.
const catalog = JSON.parse(spawnSync(process.execPath, [hidlog, 'codes', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout);
const catalogMap = { http: {}, error: {}, failure: {}, response: {} };
for (const { kind, ...entry } of catalog) catalogMap[kind][entry.code] = entry;
writeFileSync(join(work, 'catalog-map.json'), JSON.stringify(catalogMap));
// The version in the name changes with the generator, so a cached corpus is never stale.
const corpus = join(work, `corpus-v2-${lines}.ndjson`);
const truthFile = `${corpus}.truth.json`;
if (!existsSync(truthFile)) {
  process.stderr.write(`generating ${lines} lines…\n`);
  writeFileSync(truthFile, JSON.stringify(await writeCorpus({ lines, path: corpus, catalog })));
}
const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
// The corpus five times over: where a second thread's fixed costs weigh less.
const five = join(work, `corpus-v2-${lines}x5.ndjson`);
if (!existsSync(five)) spawnSync('bash', ['-c', `for i in 1 2 3 4 5; do cat '${corpus}'; done > '${five}'`]);
// The same records as containerd (CRI) and Docker (json-file) log them; the version in the name, as above.
const wrapped = { cri: join(work, `corpus-v2-${lines}.cri-v1.log`), docker: join(work, `corpus-v2-${lines}.docker-v1.log`) };
const wrappedFile = join(work, `corpus-v2-${lines}.wrapped-v1.json`);
if (!existsSync(wrappedFile)) {
  process.stderr.write('wrapping the corpus as CRI and docker logs…\n');
  writeFileSync(wrappedFile, JSON.stringify(await wrapCorpus({ source: corpus, ...wrapped, truth })));
}
const wrappedTruth = JSON.parse(readFileSync(wrappedFile, 'utf8'));
const FORMATS = [
  { format: 'cri', label: 'CRI' },
  { format: 'docker', label: 'docker' },
];
const sizes = {
  corpus: { lines, bytes: statSync(corpus).size },
  five: { lines: 5 * lines, bytes: statSync(five).size },
  ...Object.fromEntries(FORMATS.map(({ format }) => [format, { lines: wrappedTruth[format].lines, bytes: statSync(wrapped[format]).size }])),
};
const fiveLines = `${sizes.five.lines.toLocaleString('en')} lines`;
// The corpus in 8 shards of whole lines, each read into a partial (again each run: a partial is of one hidlog build), for the merge.
const SHARDS = 8;
const shardFiles = Array.from({ length: SHARDS }, (_, i) => join(work, `corpus-v2-${lines}.shard-${i}`));
if (!shardFiles.every((path) => existsSync(path))) spawnSync('split', ['-n', `l/${SHARDS}`, '-a', '1', '-d', corpus, join(work, `corpus-v2-${lines}.shard-`)]);
const partialFiles = shardFiles.map((path) => `${path}.hidpart`);
shardFiles.forEach((path, i) => spawnSync(process.execPath, [hidlog, 'report', '--partial', '-o', partialFiles[i], path]));

/** Runs a shell command with stdout to /dev/null; returns wall seconds and peak RSS (MiB) of the process tree's largest member, or what failed. */
function timed(command) {
  const rssFile = join(work, 'rss.txt');
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, 'bash', '-c', `${command} > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) return { failed: `exit ${result.status}: ${String(result.stderr).trim().split('\n')[0]}` };
  return { seconds, rssMiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 };
}

const q = (s) => `'${s}'`;
// Each mode runs on the corpus unless it names the five-times file.
const modes = [
  { name: 'floor: read, split, parse, write', key: 'floorWrite', command: `node ${q(join(here, 'floor.mjs'))} ${q(corpus)} write` },
  { name: 'floor: read, split, parse', key: 'floorParse', command: `node ${q(join(here, 'floor.mjs'))} ${q(corpus)} parse` },
  { name: 'floor: read, split2, parse', key: 'floorSplit2', command: `node ${q(join(here, 'floor.mjs'))} ${q(corpus)} split2` },
  { name: 'hidlog annotate', key: 'annotate', hidlog: true, command: `node ${q(hidlog)} annotate ${q(corpus)}` },
  {
    name: `hidlog annotate --workers ${workers}`,
    key: 'annotateWorkers',
    hidlog: true,
    command: `node ${q(hidlog)} annotate --workers ${workers} ${q(corpus)}`,
  },
  { name: 'hidlog count', key: 'count', hidlog: true, command: `node ${q(hidlog)} count ${q(corpus)}` },
  { name: `hidlog count --workers ${workers}`, key: 'countWorkers', hidlog: true, command: `node ${q(hidlog)} count --workers ${workers} ${q(corpus)}` },
  { name: 'hidlog report', key: 'report', hidlog: true, command: `node ${q(hidlog)} report ${q(corpus)}` },
  {
    name: `hidlog report --merge, ${SHARDS} partials of it`,
    key: 'reportMerge',
    hidlog: true,
    command: `node ${q(hidlog)} report --merge ${partialFiles.map(q).join(' ')}`,
  },
  { name: `hidlog annotate, ${fiveLines}`, key: 'annotate5x', hidlog: true, size: 'five', command: `node ${q(hidlog)} annotate ${q(five)}` },
  {
    name: `hidlog annotate --workers ${workers}, ${fiveLines}`,
    key: 'annotateWorkers5x',
    hidlog: true,
    size: 'five',
    command: `node ${q(hidlog)} annotate --workers ${workers} ${q(five)}`,
  },
  // The wrapped copies with the default --input-format auto, as a user runs them.
  ...FORMATS.flatMap(({ format, label }) =>
    ['annotate', 'count'].map((command) => ({
      name: `hidlog ${command}, ${label} copy`,
      key: `${command}:${format}`,
      hidlog: true,
      size: format,
      command: `node ${q(hidlog)} ${command} ${q(wrapped[format])}`,
    })),
  ),
];
if (has('jq'))
  modes.push({
    name: 'jq enrichment (peers/enrich.jq)',
    key: 'jq',
    command: `jq -rR --slurpfile catalog ${q(join(work, 'catalog-map.json'))} -f ${q(join(here, 'peers/enrich.jq'))} ${q(corpus)}`,
  });
else process.stderr.write('jq is not installed: apt-get install jq to compare\n');
if (has('mtail'))
  modes.push({
    name: 'mtail --one_shot (peers/hid.mtail)',
    key: 'mtail',
    command: `mtail --one_shot --one_shot_format prometheus --logtostderr=false --progs ${q(join(here, 'peers/hid.mtail'))} --logs ${q(corpus)}`,
  });
else process.stderr.write('mtail is not installed: apt-get install mtail to compare\n');

const samples = Object.fromEntries(modes.map((m) => [m.key, []]));
// A mode that fails once is reported as failed and run no more; the others go on.
const failures = {};
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round, so no mode always runs on a cold or a warm cache.
  const order = modes.map((_, i) => modes[(i + round) % modes.length]);
  for (const mode of order) {
    if (failures[mode.key]) continue;
    const sample = timed(mode.command);
    if (sample.failed) {
      failures[mode.key] = sample.failed;
      process.stderr.write(`round ${round + 1}/${rounds}  ${mode.name.padEnd(40)} FAILED (${sample.failed})\n`);
      continue;
    }
    samples[mode.key].push(sample);
    process.stderr.write(`round ${round + 1}/${rounds}  ${mode.name.padEnd(40)} ${sample.seconds.toFixed(2)} s  ${sample.rssMiB.toFixed(0)} MiB\n`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = Object.fromEntries(
  modes
    .filter((m) => !failures[m.key])
    .map((m) => [m.key, { seconds: median(samples[m.key].map((s) => s.seconds)), rssMiB: Math.max(...samples[m.key].map((s) => s.rssMiB)) }]),
);

// The cost of recognising envelopes on bare NDJSON: too small for whole-process wall times over a
// few rounds to show, so measured as bench/ab.mjs measures, in CPU time over alternating rounds.
const recognition = alternate(
  ['auto', 'ndjson'].map((format) => ({
    name: `hidlog count --input-format ${format}`,
    command: `node ${q(hidlog)} count --input-format ${format} ${q(corpus)}`,
  })),
  { rounds: abRounds, log: (line) => process.stderr.write(`${line}\n`) },
);

// Exactness: every mode's counts against the truth (runs not timed).
const sameCounts = (counted) =>
  ['http', 'error', 'failure', 'response'].every((kind) => JSON.stringify(sortKeys(counted[kind] ?? {})) === JSON.stringify(sortKeys(truth.codes[kind])));
function sortKeys(o) {
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => [String(k), n])
      .sort(([a], [b]) => Number(a) - Number(b)),
  );
}
function parseExposition(text) {
  const counts = { http: {}, error: {}, failure: {}, response: {} };
  const metric = { hid_http_responses_total: 'http', hid_errors_total: 'error', hid_failures_total: 'failure', hid_responses_total: 'response' };
  const lines = {};
  let partials = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const code = /code="([^"]*)"/.exec(m[2])?.[1];
    if (metric[m[1]] && code !== undefined) counts[metric[m[1]]][code] = (counts[metric[m[1]]][code] ?? 0) + Number(m[3]);
    // A line joined into the line after it (CRI P, a docker partial) is counted as result="partial".
    const result = m[1] === 'hidlog_lines_total' ? /result="(\w+)"/.exec(m[2])[1] : undefined;
    if (result === 'partial') partials = Number(m[3]);
    else if (result !== undefined) lines[result] = Number(m[3]);
  }
  return { counts, lines, partials };
}
async function hashOf(command) {
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
  const hash = createHash('sha256');
  let newlines = 0;
  for await (const chunk of child.stdout) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  }
  return { hash: hash.digest('hex'), newlines };
}
/** Tallies the codes in the `hid` annotations a command writes; `recordOf` finds the JSON record in a line. */
async function countAnnotations(command, recordOf = (line) => line) {
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
  const counts = { http: {}, error: {}, failure: {}, response: {} };
  let carry = '';
  let newlines = 0;
  const tally = (line) => {
    newlines++;
    let hid;
    try {
      hid = JSON.parse(recordOf(line)).hid;
    } catch {
      return;
    }
    if (!hid) return;
    for (const [kind, part] of [
      ['http', hid.status],
      ['error', hid.error],
      ['failure', hid.failure],
      ['response', hid.response],
    ]) {
      if (part) counts[kind][part.code] = (counts[kind][part.code] ?? 0) + 1;
    }
  };
  for await (const chunk of child.stdout) {
    const text = carry + chunk.toString();
    const parts = text.split('\n');
    carry = parts.pop();
    parts.forEach(tally);
  }
  return { counts, newlines };
}

const checks = [];
const textfile = join(work, 'annotate.prom');
const one = await hashOf(`node ${q(hidlog)} annotate --textfile ${q(textfile)} ${q(corpus)}`);
const annotateCounts = parseExposition(readFileSync(textfile, 'utf8'));
checks.push(['hidlog annotate: one line out per line in', one.newlines === lines]);
checks.push([
  'hidlog annotate: counts equal the truth',
  sameCounts(annotateCounts.counts) && JSON.stringify(annotateCounts.lines) === JSON.stringify(truth.results),
]);
const many = await hashOf(`node ${q(hidlog)} annotate --workers ${workers} ${q(corpus)}`);
checks.push([`hidlog annotate --workers ${workers}: output byte-identical to one worker`, many.hash === one.hash]);
const annotated = await countAnnotations(`node ${q(hidlog)} annotate --workers ${workers} ${q(corpus)}`);
checks.push([`hidlog annotate --workers ${workers}: annotations equal the truth`, sameCounts(annotated.counts)]);
const reported = JSON.parse(
  spawnSync(process.execPath, [hidlog, 'report', '--format', 'json', '--top', '100000', corpus], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout,
);
const reportedCounts = Object.fromEntries(
  ['http', 'error', 'failure', 'response'].map((kind) => [kind, Object.fromEntries(reported.kinds[kind].codes.map((c) => [c.code, c.count]))]),
);
checks.push([
  'hidlog report: counts equal the truth',
  sameCounts(reportedCounts) && reported.input.lines === lines && reported.records.annotated === truth.results.annotated,
]);
const merged = JSON.parse(
  spawnSync(process.execPath, [hidlog, 'report', '--merge', '--format', 'json', '--top', '100000', ...partialFiles], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .stdout,
);
const withoutFiles = (report) => JSON.stringify({ ...report, input: { ...report.input, files: [] } });
checks.push([`hidlog report --merge of ${SHARDS} partials: the report of one pass (but for the file names)`, withoutFiles(merged) === withoutFiles(reported)]);
const countOf = (...args) => parseExposition(spawnSync(process.execPath, [hidlog, 'count', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout);
for (const w of [1, workers]) {
  const counted = countOf('--workers', String(w), corpus);
  checks.push([
    `hidlog count --workers ${w}: counts equal the truth`,
    sameCounts(counted.counts) && JSON.stringify(counted.lines) === JSON.stringify(truth.results),
  ]);
}
{
  const counted = countOf('--input-format', 'ndjson', corpus);
  checks.push([
    'hidlog count --input-format ndjson: counts equal the truth',
    sameCounts(counted.counts) && JSON.stringify(counted.lines) === JSON.stringify(truth.results),
  ]);
}
// The wrapped copies: the same codes; their results as wrapCorpus says; every partial line counted.
// A CRI line's record follows its third space; a docker entry is the record.
const recordOf = { cri: (line) => line.slice(line.indexOf(' ', line.indexOf(' ', line.indexOf(' ') + 1) + 1) + 1), docker: (line) => line };
for (const { format, label } of FORMATS) {
  const expected = wrappedTruth[format];
  const sameLines = (counted) => JSON.stringify(counted.lines) === JSON.stringify(expected.results) && counted.partials === expected.partials;
  const counted = countOf(wrapped[format]);
  checks.push([`hidlog count, ${label} copy: counts equal the truth`, sameCounts(counted.counts) && sameLines(counted)]);
  const wrappedTextfile = join(work, `annotate-${format}.prom`);
  rmSync(wrappedTextfile, { force: true });
  const annotatedOut = await hashOf(`node ${q(hidlog)} annotate --textfile ${q(wrappedTextfile)} ${q(wrapped[format])}`);
  // A joined record is written as one line.
  checks.push([`hidlog annotate, ${label} copy: one line out per record in`, annotatedOut.newlines === expected.lines - expected.partials]);
  const fromTextfile = existsSync(wrappedTextfile) ? parseExposition(readFileSync(wrappedTextfile, 'utf8')) : undefined;
  checks.push([
    `hidlog annotate, ${label} copy: counts equal the truth`,
    fromTextfile !== undefined && sameCounts(fromTextfile.counts) && sameLines(fromTextfile),
  ]);
  const annotations = await countAnnotations(`node ${q(hidlog)} annotate ${q(wrapped[format])}`, recordOf[format]);
  checks.push([`hidlog annotate, ${label} copy: annotations equal the truth`, sameCounts(annotations.counts)]);
}
if (result.jq) {
  const jq = await countAnnotations(modes.find((m) => m.key === 'jq').command);
  checks.push(['jq: one line out per line in', jq.newlines === lines]);
  checks.push(['jq: annotations equal the truth', sameCounts(jq.counts)]);
}
if (result.mtail) {
  const mtail = parseExposition(spawnSync('bash', ['-c', modes.find((m) => m.key === 'mtail').command], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout);
  checks.push(['mtail: counts equal the truth', sameCounts(mtail.counts)]);
}

// Memory: flat across input sizes (the modes above, on the corpus and five times over) and under a slow reader.
let slowReaderRssMiB;
if (!opts['no-memory']) {
  const slowReader = `node -e "process.stdin.on('data', () => { process.stdin.pause(); setTimeout(() => process.stdin.resume(), 1); })"`;
  const rssFile = join(work, 'rss-slow.txt');
  spawnSync('bash', ['-c', `/usr/bin/time -f %M -o ${q(rssFile)} node ${q(hidlog)} annotate ${q(corpus)} | ${slowReader}`]);
  slowReaderRssMiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
}

// The series of three --labels of 50 values, with and without the cap.
const series = opts['no-series'] ? undefined : await seriesBench({ lines, work, hidlog, catalog, log: (line) => process.stderr.write(`${line}\n`) });

// The report.
const row = (m) => {
  const r = result[m.key];
  if (!r) return `| ${m.name} | failed | | | |`;
  const { lines: count, bytes } = sizes[m.size ?? 'corpus'];
  return `| ${m.name} | ${r.seconds.toFixed(2)} | ${(bytes / 1e6 / r.seconds).toFixed(0)} | ${(count / r.seconds / 1000).toFixed(0)}k | ${r.rssMiB.toFixed(0)} |`;
};
// A ratio of two modes' medians: a number, 'failed' when either failed, undefined when either did not run.
const ratio = (a, b) => (failures[a] || failures[b] ? 'failed' : result[a] && result[b] ? result[a].seconds / result[b].seconds : undefined);
const atMost = (limit, shown = String(limit), digits = 2) => ({ target: `≤ ${shown}`, met: (x) => x <= limit, digits });
const atLeast = (limit) => ({ target: `≥ ${limit}`, met: (x) => x >= limit });
// Measured for the record, with no bound to meet.
const noTarget = { target: '—', met: () => undefined };
const [recognitionAuto, recognitionNdjson] = recognition;
const recognitionRatio = recognitionAuto.failed || recognitionNdjson.failed ? 'failed' : recognitionAuto.cpu / recognitionNdjson.cpu;
// One row a target: what is measured, its value (undefined when a mode did not run), the bound.
const targets = [
  ['floor (read, split2, parse) / floor (read, split, parse)', ratio('floorSplit2', 'floorParse'), noTarget],
  ['annotate / floor (read, split, parse, write)', ratio('annotate', 'floorWrite'), atMost(1.5)],
  ['count / floor (read, split, parse)', ratio('count', 'floorParse'), atMost(1.5)],
  [`count --workers ${workers} / floor (read, split, parse)`, ratio('countWorkers', 'floorParse'), atMost(1.5)],
  ['report / count', ratio('report', 'count'), atMost(1.2)],
  [`report --merge of ${SHARDS} partials / report`, ratio('reportMerge', 'report'), atMost(0.05)],
  ['jq / annotate', ratio('jq', 'annotate'), atLeast(5)],
  ['mtail / count', ratio('mtail', 'count'), atLeast(2.5)],
  [`annotate --workers ${workers} / annotate`, ratio('annotateWorkers', 'annotate'), atMost(0.75)],
  [`annotate --workers ${workers} / annotate, ${fiveLines}`, ratio('annotateWorkers5x', 'annotate5x'), atMost(0.65)],
  // Records a second wrapped at least 0.85× bare NDJSON's, as times: at most 1/0.85 of them.
  ...FORMATS.flatMap(({ format, label }) =>
    ['annotate', 'count'].map((command) => [
      `${command}, ${label} copy / ${command} (NDJSON)`,
      ratio(`${command}:${format}`, command),
      atMost(1 / 0.85, '1.18 (records/s ≥ 0.85×)'),
    ]),
  ),
  ['count --input-format auto / ndjson, CPU time, alternating rounds', recognitionRatio, atMost(1.02, '1.02', 3)],
];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const out = [];
out.push(
  `Corpus: ${lines.toLocaleString('en')} lines, ${(sizes.corpus.bytes / 1e6).toFixed(0)} MB (and five times over: ${fiveLines}, ${(sizes.five.bytes / 1e9).toFixed(2)} GB); ${rounds} rounds, medians; ${availableParallelism()} cores (${cpu}); Node ${process.version}.`,
);
if (environment) out.push('', environment);
out.push('');
out.push('| mode | seconds | MB/s | lines/s | peak RSS MiB |');
out.push('|---|---|---|---|---|');
for (const m of modes) out.push(row(m));
out.push('');
out.push('| ratio | measured | target | |');
out.push('|---|---|---|---|');
const judged = (value, met) => {
  if (value === undefined) return 'not run';
  if (value === 'failed') return 'FAILED';
  const ok = met(value);
  return ok === undefined ? '' : ok ? 'met' : 'MISSED';
};
for (const [name, value, { target, met, digits = 2 }] of targets)
  out.push(`| ${name} | ${typeof value === 'number' ? value.toFixed(digits) : 'n/a'} | ${target} | ${judged(value, met)} |`);
if (targets.some(([, value]) => value === 'failed')) process.exitCode = 1;
out.push('');
out.push(`| recognition cost (${abRounds} alternating rounds, medians) | CPU s | wall s |`);
out.push('|---|---|---|');
for (const r of recognition) out.push(r.failed ? `| ${r.name} | failed | |` : `| ${r.name} | ${r.cpu.toFixed(2)} | ${r.wall.toFixed(2)} |`);
if (slowReaderRssMiB !== undefined) {
  const hidlogPeaks = [...modes.filter((m) => m.hidlog && result[m.key]).map((m) => result[m.key].rssMiB), slowReaderRssMiB];
  const growth = result.annotate5x.rssMiB / result.annotate.rssMiB;
  out.push('');
  out.push('| memory (one run) | peak RSS MiB |');
  out.push('|---|---|');
  out.push(`| hidlog annotate, ${lines.toLocaleString('en')} lines, slow reader | ${slowReaderRssMiB.toFixed(0)} |`);
  out.push('');
  out.push('| memory target | measured | target | |');
  out.push('|---|---|---|---|');
  out.push(
    `| highest peak RSS of every hidlog run above | ${Math.max(...hidlogPeaks).toFixed(0)} MiB | < 200 MiB | ${Math.max(...hidlogPeaks) < 200 ? 'met' : 'MISSED'} |`,
  );
  out.push(
    `| peak RSS of hidlog annotate, ${fiveLines} / ${lines.toLocaleString('en')} lines | ${growth.toFixed(2)} | within 20% | ${Math.abs(growth - 1) <= 0.2 ? 'met' : 'MISSED'} |`,
  );
}
if (series) {
  out.push('', series.text);
  if (series.failed) process.exitCode = 1;
}
out.push('');
out.push('| exactness check | |');
out.push('|---|---|');
for (const [name, ok] of checks) out.push(`| ${name} | ${ok ? 'yes' : 'NO'} |`);
const failed = [
  ...modes.filter((m) => failures[m.key]).map((m) => [m.name, failures[m.key]]),
  ...recognition.filter((r) => r.failed).map((r) => [r.name, r.failed]),
];
if (failed.length > 0) {
  out.push('', '| failed mode | first line of its stderr |', '|---|---|');
  for (const [name, reason] of failed) out.push(`| ${name} | ${reason.split('\n')[0].replaceAll('|', '\\|')} |`);
  process.exitCode = 1;
}
console.log(out.join('\n'));
if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
if (!opts['no-follow']) {
  const follow = await followBench();
  console.log(`\n${follow.text}`);
  if (follow.failed) process.exitCode = 1;
}
