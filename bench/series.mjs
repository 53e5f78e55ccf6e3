// The series cap (issue 21): three --labels of 50 values each, combined freely over `lines`
// records, counted by `hidlog count` with the default --max-series and with no cap (as before
// the option): peak RSS, wall time, and the size and series of the exposition it prints.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { random } from '../fixtures/shapes.mjs';

const LABELS = ['tenant', 'region', 'client'];
const VALUES = 50;
const STATUSES = [400, 401, 403];

/** Records of the three labels' values, each drawn alone, with a status and a catalog failure code. */
async function writeLabelledCorpus(path, lines, failures) {
  const rnd = random(20261207);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const out = createWriteStream(path);
  let buffer = '';
  for (let i = 0; i < lines; i++) {
    const labels = LABELS.map((name) => `"${name}":"${name}-${Math.floor(rnd() * VALUES)}"`).join(',');
    buffer += `{${labels},"status":${pick(STATUSES)},"hid_failure":${pick(failures)}}\n`;
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/** @param {{ lines: number, work: string, hidlog: string, catalog: { kind: string, code: number }[], log: (line: string) => void }} options */
export async function seriesBench({ lines, work, hidlog, catalog, log }) {
  const corpus = join(work, `labelled-v1-${lines}.ndjson`);
  if (!existsSync(corpus)) {
    log(`generating ${lines} labelled records…`);
    await writeLabelledCorpus(
      corpus,
      lines,
      catalog.filter((e) => e.kind === 'failure').map((e) => e.code),
    );
  }
  const labelArgs = LABELS.flatMap((name) => ['--label', `${name}=${name}`]);
  const modes = [
    { name: 'no cap (as before --max-series)', args: ['--max-series', String(Number.MAX_SAFE_INTEGER)] },
    { name: '--max-series 10000 (the default)', args: [] },
  ];
  const rows = [];
  let failed = false;
  for (const mode of modes) {
    const exposition = join(work, 'series.prom');
    const rssFile = join(work, 'rss-series.txt');
    const start = process.hrtime.bigint();
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', '-o', rssFile, process.execPath, hidlog, 'count', ...labelArgs, ...mode.args, '--textfile', exposition, corpus],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0) {
      failed = true;
      rows.push(`| ${mode.name} | failed: exit ${run.status} | | | | |`);
      continue;
    }
    const rssMiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
    const text = readFileSync(exposition, 'utf8');
    const series = text.match(/^hid_\w+_total\{/gm)?.length ?? 0;
    const overflow = /^hidlog_label_overflow_total\{label="series"\} (\S+)$/m.exec(text)?.[1] ?? '0';
    log(`series: ${mode.name.padEnd(36)} ${seconds.toFixed(2)} s  ${rssMiB.toFixed(0)} MiB  ${series} series`);
    rows.push(
      `| ${mode.name} | ${seconds.toFixed(2)} | ${rssMiB.toFixed(0)} | ${(statSync(exposition).size / 2 ** 20).toFixed(1)} | ${series.toLocaleString('en')} | ${Number(overflow).toLocaleString('en')} |`,
    );
  }
  const text = [
    `| three --labels of ${VALUES} values, ${lines.toLocaleString('en')} records (hidlog count) | seconds | peak RSS MiB | exposition MiB | code counter series | overflow{label="series"} |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  return { text, failed };
}
