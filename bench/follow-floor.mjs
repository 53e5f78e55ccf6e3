#!/usr/bin/env node
// node bench/follow-floor.mjs LOG OUT PERIOD_MS
// The floor for follow mode: the least a Node program does to follow a file with a latency bound.
// It wakes every PERIOD_MS (as hidlog polls a busy file), reads what was appended, JSON.parses each
// line and appends it to OUT: no annotation, no rotation, no state, no backpressure. What it costs
// is what any Node follower that looks as often pays; bench/follow.mjs runs it beside hidlog.
import { openSync, readSync, writeSync } from 'node:fs';

const [log, out, periodText] = process.argv.slice(2);
const input = openSync(log, 'r');
const output = openSync(out, 'a');
const buffer = Buffer.allocUnsafe(1 << 20);
let offset = 0;
let carry = '';

setInterval(() => {
  for (;;) {
    const read = readSync(input, buffer, 0, buffer.length, offset);
    if (read === 0) return;
    offset += read;
    const lines = (carry + buffer.toString('utf8', 0, read)).split('\n');
    carry = lines.pop();
    let text = '';
    for (const line of lines) {
      try {
        JSON.parse(line);
      } catch {}
      text += `${line}\n`;
    }
    writeSync(output, text);
    if (read < buffer.length) return;
  }
}, Number(periodText));
process.on('SIGTERM', () => process.exit(0));
