#!/usr/bin/env node
// npm run bench [-- --lines N --rounds R --workers N --no-memory --no-follow]
// Runs hidlog, the Node floor and the peers (jq, mtail) side by side on one generated corpus,
// alternating modes over several rounds, and prints medians, ratios against the targets, and
// whether every mode's counts equal the corpus's truth.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeCorpus } from './corpus.mjs';
import { followBench } from './follow.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, '.work');
mkdirSync(work, { recursive: true });

const { values: opts } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'no-memory': { type: 'boolean', default: false },
    'no-follow': { type: 'boolean', default: false },
  },
});
const lines = Number(opts.lines);
const rounds = Number(opts.rounds);
const workers = Number(opts.workers);
const hidlog = join(root, 'bin/hidlog.js');
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
const bytes = statSync(corpus).size;

/** Runs a shell command with stdout to /dev/null; returns wall seconds and peak RSS (MiB) of the process tree's largest member. */
function timed(command) {
  const rssFile = join(work, 'rss.txt');
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, 'bash', '-c', `${command} > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`failed: ${command}\n${result.stderr}`);
  return { seconds, rssMiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 };
}

const q = (s) => `'${s}'`;
const modes = [
  { name: 'floor: read, split, parse, write', key: 'floorWrite', command: `node ${q(join(here, 'floor.mjs'))} ${q(corpus)} write` },
  { name: 'floor: read, split, parse', key: 'floorParse', command: `node ${q(join(here, 'floor.mjs'))} ${q(corpus)} parse` },
  { name: 'hidlog annotate', key: 'annotate', command: `node ${q(hidlog)} annotate ${q(corpus)}` },
  { name: `hidlog annotate --workers ${workers}`, key: 'annotateWorkers', command: `node ${q(hidlog)} annotate --workers ${workers} ${q(corpus)}` },
  { name: 'hidlog count', key: 'count', command: `node ${q(hidlog)} count ${q(corpus)}` },
  { name: `hidlog count --workers ${workers}`, key: 'countWorkers', command: `node ${q(hidlog)} count --workers ${workers} ${q(corpus)}` },
];
if (has('jq')) modes.push({ name: 'jq enrichment (peers/enrich.jq)', key: 'jq', command: `jq -rR --slurpfile catalog ${q(join(work, 'catalog-map.json'))} -f ${q(join(here, 'peers/enrich.jq'))} ${q(corpus)}` });
else process.stderr.write('jq is not installed: apt-get install jq to compare\n');
if (has('mtail')) modes.push({ name: 'mtail --one_shot (peers/hid.mtail)', key: 'mtail', command: `mtail --one_shot --one_shot_format prometheus --logtostderr=false --progs ${q(join(here, 'peers/hid.mtail'))} --logs ${q(corpus)}` });
else process.stderr.write('mtail is not installed: apt-get install mtail to compare\n');

const samples = Object.fromEntries(modes.map((m) => [m.key, []]));
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round, so no mode always runs on a cold or a warm cache.
  const order = modes.map((_, i) => modes[(i + round) % modes.length]);
  for (const mode of order) {
    const sample = timed(mode.command);
    samples[mode.key].push(sample);
    process.stderr.write(`round ${round + 1}/${rounds}  ${mode.name.padEnd(40)} ${sample.seconds.toFixed(2)} s  ${sample.rssMiB.toFixed(0)} MiB\n`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = Object.fromEntries(modes.map((m) => [m.key, { seconds: median(samples[m.key].map((s) => s.seconds)), rssMiB: Math.max(...samples[m.key].map((s) => s.rssMiB)) }]));

// Exactness: every mode's counts against the truth (runs not timed).
const sameCounts = (counted) => ['http', 'error', 'failure', 'response'].every((kind) => JSON.stringify(sortKeys(counted[kind] ?? {})) === JSON.stringify(sortKeys(truth.codes[kind])));
function sortKeys(o) {
  return Object.fromEntries(Object.entries(o).filter(([, n]) => n > 0).map(([k, n]) => [String(k), n]).sort(([a], [b]) => Number(a) - Number(b)));
}
function parseExposition(text) {
  const counts = { http: {}, error: {}, failure: {}, response: {} };
  const metric = { hid_http_responses_total: 'http', hid_errors_total: 'error', hid_failures_total: 'failure', hid_responses_total: 'response' };
  const lines = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const code = /code="([^"]*)"/.exec(m[2])?.[1];
    if (metric[m[1]] && code !== undefined) counts[metric[m[1]]][code] = (counts[metric[m[1]]][code] ?? 0) + Number(m[3]);
    if (m[1] === 'hidlog_lines_total') lines[/result="(\w+)"/.exec(m[2])[1]] = Number(m[3]);
  }
  return { counts, lines };
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
async function countAnnotations(command) {
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
  const counts = { http: {}, error: {}, failure: {}, response: {} };
  let carry = '';
  let newlines = 0;
  const tally = (line) => {
    newlines++;
    let hid;
    try {
      hid = JSON.parse(line).hid;
    } catch {
      return;
    }
    if (!hid) return;
    for (const [kind, part] of [['http', hid.status], ['error', hid.error], ['failure', hid.failure], ['response', hid.response]]) {
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
checks.push(['hidlog annotate: counts equal the truth', sameCounts(annotateCounts.counts) && JSON.stringify(annotateCounts.lines) === JSON.stringify(truth.results)]);
const many = await hashOf(`node ${q(hidlog)} annotate --workers ${workers} ${q(corpus)}`);
checks.push([`hidlog annotate --workers ${workers}: output byte-identical to one worker`, many.hash === one.hash]);
const annotated = await countAnnotations(`node ${q(hidlog)} annotate --workers ${workers} ${q(corpus)}`);
checks.push([`hidlog annotate --workers ${workers}: annotations equal the truth`, sameCounts(annotated.counts)]);
for (const w of [1, workers]) {
  const counted = parseExposition(spawnSync(process.execPath, [hidlog, 'count', '--workers', String(w), corpus], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout);
  checks.push([`hidlog count --workers ${w}: counts equal the truth`, sameCounts(counted.counts) && JSON.stringify(counted.lines) === JSON.stringify(truth.results)]);
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

// Memory: flat across input sizes and under a slow reader.
const memory = [];
if (!opts['no-memory']) {
  const five = join(work, `corpus-v2-${lines}x5.ndjson`);
  if (!existsSync(five)) spawnSync('bash', ['-c', `for i in 1 2 3 4 5; do cat ${q(corpus)}; done > ${q(five)}`]);
  const runs = [
    [`hidlog annotate, ${lines} lines`, timed(`node ${q(hidlog)} annotate ${q(corpus)}`)],
    [`hidlog annotate, ${5 * lines} lines`, timed(`node ${q(hidlog)} annotate ${q(five)}`)],
    [`hidlog annotate --workers ${workers}, ${5 * lines} lines`, timed(`node ${q(hidlog)} annotate --workers ${workers} ${q(five)}`)],
  ];
  for (const [name, run] of runs) memory.push([name, run.rssMiB, run.seconds]);
  const slowReader = `node -e "process.stdin.on('data', () => { process.stdin.pause(); setTimeout(() => process.stdin.resume(), 1); })"`;
  const rssFile = join(work, 'rss-slow.txt');
  spawnSync('bash', ['-c', `/usr/bin/time -f %M -o ${q(rssFile)} node ${q(hidlog)} annotate ${q(corpus)} | ${slowReader}`]);
  memory.push([`hidlog annotate, ${lines} lines, slow reader`, Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024]);
}

// The report.
const mb = bytes / 1e6;
const row = (m) => {
  const r = result[m.key];
  return `| ${m.name} | ${r.seconds.toFixed(2)} | ${(mb / r.seconds).toFixed(0)} | ${(lines / r.seconds / 1000).toFixed(0)}k | ${r.rssMiB.toFixed(0)} |`;
};
const ratio = (a, b) => result[a] && result[b] ? result[a].seconds / result[b].seconds : undefined;
const targets = [
  ['annotate / floor (read, split, parse, write)', ratio('annotate', 'floorWrite'), (x) => x <= 1.5, '≤ 1.5'],
  ['count / floor (read, split, parse)', ratio('count', 'floorParse'), (x) => x <= 1.5, '≤ 1.5'],
  [`count --workers ${workers} / floor (read, split, parse)`, ratio('countWorkers', 'floorParse'), (x) => x <= 1.5, '≤ 1.5'],
  ['jq / annotate', ratio('jq', 'annotate'), (x) => x >= 5, '≥ 5'],
  ['mtail / count', ratio('mtail', 'count'), (x) => x >= 2.5, '≥ 2.5'],
  [`annotate --workers ${workers} / annotate`, ratio('annotateWorkers', 'annotate'), (x) => x <= 0.65, '≤ 0.65'],
];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const out = [];
out.push(`Corpus: ${lines.toLocaleString('en')} lines, ${mb.toFixed(0)} MB; ${rounds} rounds, medians; ${availableParallelism()} cores (${cpu}); Node ${process.version}.`);
out.push('');
out.push('| mode | seconds | MB/s | lines/s | peak RSS MiB |');
out.push('|---|---|---|---|---|');
for (const m of modes) out.push(row(m));
out.push('');
out.push('| ratio | measured | target | |');
out.push('|---|---|---|---|');
for (const [name, value, ok, target] of targets) out.push(`| ${name} | ${value === undefined ? 'n/a' : value.toFixed(2)} | ${target} | ${value === undefined ? 'not run' : ok(value) ? 'met' : 'MISSED'} |`);
if (memory.length > 0) {
  out.push('');
  out.push('| memory (one run each) | peak RSS MiB | seconds |');
  out.push('|---|---|---|');
  for (const [name, rss, seconds] of memory) out.push(`| ${name} | ${rss.toFixed(0)} | ${seconds === undefined ? '' : seconds.toFixed(2)} |`);
  // Not a target row: one run each, on the larger file, where the per-run costs of a second thread weigh less.
  out.push('');
  out.push(`On ${5 * lines} lines, annotate --workers ${workers} / annotate: ${(memory[2][2] / memory[1][2]).toFixed(2)} (one run each).`);
  const hidlogPeaks = [...modes.filter((m) => m.key !== 'floorWrite' && m.key !== 'floorParse' && m.key !== 'jq' && m.key !== 'mtail').map((m) => result[m.key].rssMiB), ...memory.map(([, rss]) => rss)];
  const growth = memory[1][1] / memory[0][1];
  out.push('');
  out.push('| memory target | measured | target | |');
  out.push('|---|---|---|---|');
  out.push(`| highest peak RSS of every hidlog run above | ${Math.max(...hidlogPeaks).toFixed(0)} MiB | < 200 MiB | ${Math.max(...hidlogPeaks) < 200 ? 'met' : 'MISSED'} |`);
  out.push(`| peak RSS, ${5 * lines} lines / ${lines} lines | ${growth.toFixed(2)} | within 20% | ${Math.abs(growth - 1) <= 0.2 ? 'met' : 'MISSED'} |`);
}
out.push('');
out.push('| exactness check | |');
out.push('|---|---|');
for (const [name, ok] of checks) out.push(`| ${name} | ${ok ? 'yes' : 'NO'} |`);
console.log(out.join('\n'));
if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
if (!opts['no-follow']) { const follow = await followBench(); console.log(`\n${follow.text}`); if (follow.failed) process.exitCode = 1; }
