// The floor: the least a Node program must do for the same job. Reads, splits on newlines,
// JSON.parses each line and (mode "write") writes it back; mode "parse" only parses; mode
// "split2" only parses too, its lines split by split2 (the usual npm way) instead of this loop.
import { createReadStream } from 'node:fs';

const [path, mode] = process.argv.slice(2);
let parsed = 0;
const parse = (line) => {
  try {
    JSON.parse(line);
    parsed++;
  } catch {}
};
if (mode === 'split2') {
  // Imported here, so that the other floors run where the devDependency is not installed.
  const { default: split2 } = await import('split2');
  createReadStream(path, { highWaterMark: 256 * 1024 })
    .pipe(split2())
    .on('data', parse)
    .on('end', () => process.stdout.write(`${parsed}\n`));
} else {
  let carry = '';
  let out = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const text = carry + chunk.toString('utf8');
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const line = text.slice(start, newline);
      start = newline + 1;
      parse(line);
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
}
