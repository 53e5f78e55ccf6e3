#!/usr/bin/env node
// Writes docs/cli.md's table of options from the option tables (src/cli/reference.ts), between
// its markers. Run by `npm run docs:cli`, after a build; test/docs.test.ts checks the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { REFERENCE_END, REFERENCE_START, optionsReference } from '../dist/cli/reference.js';

const page = new URL('../docs/cli.md', import.meta.url);
const text = readFileSync(page, 'utf8');
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
if (start < 0 || end < start) {
  process.stderr.write(`docs/cli.md: no ${REFERENCE_START} … ${REFERENCE_END} to replace\n`);
  process.exit(1);
}
writeFileSync(page, text.slice(0, start) + optionsReference() + text.slice(end + REFERENCE_END.length));
