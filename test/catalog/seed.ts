// Reads the vendor's table of codes (the seed) on its own terms, so the catalog test
// compares hidlog's data with the seed itself rather than with anything hidlog derived.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SeedKind = 'http' | 'error' | 'failure' | 'response';

export interface SeedEntry {
  kind: SeedKind;
  code: number;
  description: string;
  label?: string;
  methods?: string;
}

const SECTION_KIND: Record<string, SeedKind> = {
  'HTTP Status Codes': 'http',
  'HID Error Reason Codes': 'error',
  'HID Failure Reason Codes': 'failure',
  'HID Response Codes': 'response',
};

/** The vendor's table, kept in the repository (its provenance in the README beside it). */
export const SEED_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/catalog/vendor/hid-codes.txt');

export function parseSeed(text: string): SeedEntry[] {
  const entries: SeedEntry[] = [];
  let kind: SeedKind | undefined;
  let inTable = false;
  let current: SeedEntry | undefined;
  let fields: string[] = [];

  const finish = () => {
    if (!current) return;
    if (current.kind === 'http') {
      const [label, methods, ...description] = fields;
      current.label = label;
      current.methods = methods;
      current.description = description.join(' ');
    } else {
      current.description = fields.join(' ');
    }
    entries.push(current);
    current = undefined;
    fields = [];
  };

  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\s*•\s*/, '').trim();
    if (line === '') continue;
    const sectionKind = SECTION_KIND[line];
    if (sectionKind) {
      finish();
      kind = sectionKind;
      inTable = false;
      continue;
    }
    if (!kind) continue;
    if (!inTable) {
      inTable = line.startsWith('Code ');
      continue;
    }
    const codeAlone = /^(-?\d+)$/.exec(line);
    const codeWithText = /^(-?\d+) (.+)$/.exec(line);
    if (codeAlone || codeWithText) {
      finish();
      const match = (codeAlone ?? codeWithText)!;
      current = { kind, code: Number(match[1]), description: '' };
      if (codeWithText) fields.push(codeWithText[2]!);
    } else {
      fields.push(line);
    }
  }
  finish();
  return entries;
}

export function readSeed(): SeedEntry[] {
  return parseSeed(readFileSync(SEED_PATH, 'utf8'));
}
