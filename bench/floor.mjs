// The floor: the least a Node program must do for the same job. Reads, splits on newlines,
// JSON.parses each line and (mode "write") writes it back; mode "parse" only parses.
import { createReadStream } from 'node:fs';

const [path, mode] = process.argv.slice(2);
let carry = '';
let out = '';
let parsed = 0;
for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
  const text = carry + chunk.toString('utf8');
  let start = 0;
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
    const line = text.slice(start, newline);
    start = newline + 1;
    try {
      JSON.parse(line);
      parsed++;
    } catch {}
    if (mode === 'write') out += line + '\n';
  }
  carry = text.slice(start);
  if (out.length >= 256 * 1024) {
    if (!process.stdout.write(out)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    out = '';
  }
}
if (out) process.stdout.write(out);
if (mode !== 'write') process.stdout.write(`${parsed}\n`);
