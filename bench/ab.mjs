#!/usr/bin/env node
// node bench/ab.mjs [--rounds 10] NAME=COMMAND NAME=COMMAND ...
// Alternating A/B runs of shell commands (stdout to /dev/null), to show a change made a mode no
// slower, or by how much it sped up: each round runs every command once, in turn, the order
// reversed every other round so that none always runs right after the same one. It measures CPU
// time (user + sys of the command and its children, from /usr/bin/time), which other load on a
// shared machine moves less than wall time, and wall time; prints the medians, and each command's
// ratio to the first. For example, the report against count, and a build from before a change
// (a copy of the tree at that commit, built) against this one:
//   C=bench/.work/corpus-v2-1000000.ndjson
//   node bench/ab.mjs --rounds 10 "count=node bin/hidlog.js count $C" "report=node bin/hidlog.js report $C"
//   node bench/ab.mjs --rounds 10 "before=node /tmp/before/bin/hidlog.js count $C" "after=node bin/hidlog.js count $C"
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '10' } }, allowPositionals: true });
const rounds = Number(opts.rounds);
const modes = positionals.map((arg) => {
  const at = arg.indexOf('=');
  if (at <= 0) {
    process.stderr.write(`ab: ${arg}: expected NAME=COMMAND\n`);
    process.exit(2);
  }
  return { name: arg.slice(0, at), command: arg.slice(at + 1), cpu: [], wall: [] };
});
if (modes.length === 0 || !(rounds >= 1)) {
  process.stderr.write('usage: node bench/ab.mjs [--rounds N] NAME=COMMAND [NAME=COMMAND ...]\n');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'hidlog-ab-'));
const timesFile = join(work, 'time.txt');
try {
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const run = spawnSync('/usr/bin/time', ['-f', '%U %S %e', '-o', timesFile, 'bash', '-c', `${mode.command} > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (run.status !== 0) {
        process.stderr.write(`ab: ${mode.name} failed (exit ${run.status}):\n${run.stderr}`);
        process.exit(1);
      }
      const [user, sys, wall] = readFileSync(timesFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      mode.cpu.push(user + sys);
      mode.wall.push(wall);
      process.stderr.write(`round ${round + 1}/${rounds}  ${mode.name.padEnd(20)} cpu ${(user + sys).toFixed(2)} s  wall ${wall.toFixed(2)} s\n`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
};
const [first] = modes;
console.log(`${rounds} rounds, medians; ratios to ${first.name}`);
console.log('');
console.log('| command | CPU s | wall s | CPU ratio | wall ratio |');
console.log('|---|---|---|---|---|');
for (const mode of modes) {
  const cpu = median(mode.cpu);
  const wall = median(mode.wall);
  console.log(`| ${mode.name} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} | ${(cpu / median(first.cpu)).toFixed(3)} | ${(wall / median(first.wall)).toFixed(3)} |`);
}
