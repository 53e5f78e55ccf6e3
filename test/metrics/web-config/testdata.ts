import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Web configurations, each named for its case and verdict (NAME.good.yml, NAME.bad.yml). */
export const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

export const testdataNamed = (verdict: 'good' | 'bad') =>
  readdirSync(TESTDATA)
    .filter((name) => name.endsWith(`.${verdict}.yml`))
    .sort();

export const readTestdata = (name: string) => readFileSync(join(TESTDATA, name), 'utf8');
