// The options of codes and explain, from argv.
import type { InferredOptionTypes } from 'yargs';
import type { CodesOptions, ExplainOptions } from '../app/codes.js';
import { CODE_KINDS, type CodeKind } from '../catalog/catalog.js';
import { KIND_BY_NAME } from './input-argv.js';
import { UsageError, type CATALOG_OPTIONS, type CODES_OPTIONS } from './options.js';

export type CodesArgv = InferredOptionTypes<typeof CATALOG_OPTIONS & typeof CODES_OPTIONS>;
export type ExplainArgv = CodesArgv & { code: unknown };

function parseKind(name: string | undefined): CodeKind | undefined {
  if (name === undefined) return undefined;
  const kind = KIND_BY_NAME[name];
  if (!kind) throw new UsageError(`--kind ${name}: expected one of ${CODE_KINDS.join(', ')} (or status)`);
  return kind;
}

export function codesOptions(argv: CodesArgv): CodesOptions {
  return { kind: parseKind(argv.kind), category: argv.category, json: argv.json, catalog: argv.catalog };
}

export function explainOptions(argv: ExplainArgv): ExplainOptions {
  const typed = String(argv.code);
  if (!/^-?\d+$/.test(typed)) throw new UsageError(`explain ${typed}: a code is a whole number`);
  return { code: Number(typed), typed, kind: parseKind(argv.kind), catalog: argv.catalog };
}
