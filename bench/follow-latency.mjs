#!/usr/bin/env node
// node bench/follow-latency.mjs [--rate 200] [--seconds 5] [--poll-interval 250]
// Appends lines to a followed file at a steady rate and times each one until hidlog has
// written it out: the latency of follow mode, p50 and p99.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '5' }, 'poll-interval': { type: 'string', default: '250' } } });
const rate = Number(values.rate);
const total = rate * Number(values.seconds);
const dir = mkdtempSync(join(tmpdir(), 'hidlog-latency-'));
const log = join(dir, 'app.log');
const out = join(dir, 'out.ndjson');
writeFileSync(log, '');
const hidlog = join(dirname(fileURLToPath(import.meta.url)), '../bin/hidlog.js');
const child = spawn(process.execPath, [hidlog, 'annotate', '--follow', '--poll-interval', values['poll-interval'], '-o', out, log], { stdio: 'inherit' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Wait until hidlog follows the file.
for (let i = 0; ; i++) {
  appendFileSync(log, `{"probe":${i}}\n`);
  await sleep(100);
  if (existsSync(out)) break;
}
await sleep(300);

const sent = new Map();
const latencies = [];
let readOffset = 0;
let carry = '';
let fd;
const buffer = Buffer.alloc(1 << 20);
function collect() {
  fd ??= openSync(out, 'r');
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, readOffset);
    if (n === 0) return;
    readOffset += n;
    const parts = (carry + buffer.toString('utf8', 0, n)).split('\n');
    carry = parts.pop();
    const now = performance.now();
    for (const line of parts) {
      const match = /^\{"seq":(\d+)/.exec(line);
      if (match && sent.has(Number(match[1]))) latencies.push(now - sent.get(Number(match[1])));
    }
  }
}
const started = performance.now();
let seq = 0;
while (latencies.length < total && performance.now() - started < (Number(values.seconds) + 10) * 1000) {
  const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
  while (seq < due) {
    sent.set(seq, performance.now());
    appendFileSync(log, `{"seq":${seq},"status":401,"hid_failure":{"reason":13}}\n`);
    seq++;
  }
  collect();
  await sleep(1);
}
child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(`follow latency, ${latencies.length}/${total} lines at ${rate}/s, --poll-interval ${values['poll-interval']}: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
