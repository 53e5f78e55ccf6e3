#!/usr/bin/env node
// node bench/ab.mjs [--rounds 10] NAME=COMMAND NAME=COMMAND ...
// Alternating A/B runs of shell commands (bench/alternate.mjs: the order reversed every other
// round, CPU time beside wall time), to show a change made a mode no slower, or by how much it
// sped up; prints the medians, and each command's ratio to the first. For example, the report
// against count, and a build from before a change (a copy of the tree at that commit, built)
// against this one:
//   C=bench/.work/corpus-v2-1000000.ndjson
//   node bench/ab.mjs --rounds 10 "count=node bin/hidlog.js count $C" "report=node bin/hidlog.js report $C"
//   node bench/ab.mjs --rounds 10 "before=node /tmp/before/bin/hidlog.js count $C" "after=node bin/hidlog.js count $C"
import { parseArgs } from 'node:util';
import { alternate } from './alternate.mjs';
import { withoutExtraCaCerts } from './environment.mjs';

const { values: opts, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '10' } }, allowPositionals: true });
const rounds = Number(opts.rounds);
const commands = positionals.map((arg) => {
  const at = arg.indexOf('=');
  if (at <= 0) {
    process.stderr.write(`ab: ${arg}: expected NAME=COMMAND\n`);
    process.exit(2);
  }
  return { name: arg.slice(0, at), command: arg.slice(at + 1) };
});
if (commands.length === 0 || !(rounds >= 1)) {
  process.stderr.write('usage: node bench/ab.mjs [--rounds N] NAME=COMMAND [NAME=COMMAND ...]\n');
  process.exit(2);
}

const environment = withoutExtraCaCerts();
if (environment) console.log(`${environment}\n`);
const results = alternate(commands, { rounds, log: (line) => process.stderr.write(`${line}\n`) });
// A failed command was named on stderr as it failed.
if (results.some((r) => r.failed !== undefined)) process.exit(1);
const [first] = results;
console.log(`${rounds} rounds, medians; ratios to ${first.name}`);
console.log('');
console.log('| command | CPU s | wall s | CPU ratio | wall ratio |');
console.log('|---|---|---|---|---|');
for (const { name, cpu, wall } of results) {
  console.log(`| ${name} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} | ${(cpu / first.cpu).toFixed(3)} | ${(wall / first.wall).toFixed(3)} |`);
}
