#!/usr/bin/env node
// node bench/log-writer.mjs PATH RATE [FIRST]
// Writes numbered records to PATH at RATE lines a second, as a service writes its log: the file
// opened for appending, the lines due at each millisecond in one write, SIGHUP reopens the file
// (logrotate's postrotate), SIGTERM stops between two writes. At exit it prints the next number.
// Each record carries `t`, the time it was written (Unix ms, to a tenth), for latency measurements.
import { closeSync, openSync, writeSync } from 'node:fs';

const [path, rateText, firstText = '0'] = process.argv.slice(2);
const rate = Number(rateText);
let next = Number(firstText);
let fd = openSync(path, 'a');
const started = performance.now();
const first = next;

const record = (n, t) =>
  `{"n":${n},"t":${t},"status":${n % 5 === 0 ? 401 : 200},"path":"/idp/oauth2/token","client":"app-${n % 7}"${n % 5 === 0 ? ',"response":{"error":"invalid_grant","hid_failure":{"reason":13}}' : ''}}\n`;

const timer = setInterval(() => {
  const due = first + Math.floor(((performance.now() - started) / 1000) * rate);
  if (due <= next) return;
  const t = (performance.timeOrigin + performance.now()).toFixed(1);
  let text = '';
  while (next < due) text += record(next++, t);
  writeSync(fd, text);
}, 1);

process.on('SIGHUP', () => {
  closeSync(fd);
  fd = openSync(path, 'a');
});
process.on('SIGTERM', () => {
  clearInterval(timer);
  closeSync(fd);
  process.stdout.write(`${next}\n`);
});
