// An output that is one of the run's inputs would be truncated (-o, --dead-letter), replaced
// (report -o, --textfile) or followed forever (--follow) before it is read: refused before any
// output is opened. Files are compared by identity (device and inode), so a symlink or a hard
// link to an input is the input.
import { fstatSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './options.js';

export interface RunFiles {
  /** The inputs as given (`-` for stdin); with `follow`, paths or globs. */
  inputs: readonly string[];
  /** Other files the run reads, by option: `--catalog`, `--config`, `--web-config`. */
  reads: Readonly<Record<string, string | undefined>>;
  /** The files the run writes, by option: `--output`, `--dead-letter`, `--textfile`, `--state-file`. */
  writes: Readonly<Record<string, string | undefined>>;
  /** Whether records, a report or an exposition go to stdout (no output file given). */
  writesStdout: boolean;
  follow: boolean;
}

interface Named {
  name: string;
  stats: Stats | undefined;
}

// Globs are read (follow/paths-provider.js) by runs that follow only.
const pathsProvider = () => import('../follow/paths-provider.js');

const regularFile = (stats: Stats | undefined) => (stats?.isFile() ? stats : undefined);
const statOf = async (path: string) => regularFile(await stat(path).catch(() => undefined));
const fdStats = (fd: number) => {
  try {
    return regularFile(fstatSync(fd));
  } catch {
    return undefined;
  }
};
const same = (a: Stats | undefined, b: Stats | undefined) => a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** Every file the run reads, now, named as in messages. */
async function filesRead(files: RunFiles): Promise<Named[]> {
  const inputs = files.inputs.length > 0 ? files.inputs : ['-'];
  const expandPattern = files.follow ? (await pathsProvider()).expandPattern : undefined;
  const paths = expandPattern ? (await Promise.all(inputs.map((pattern) => expandPattern(pattern)))).flatMap((expansion) => expansion.files) : inputs;
  const named = await Promise.all(
    paths.map(async (path) => (path === '-' ? { name: 'the input stdin', stats: fdStats(0) } : { name: `the input ${path}`, stats: await statOf(path) })),
  );
  for (const [option, path] of Object.entries(files.reads)) {
    if (path !== undefined) named.push({ name: `${option} ${path}`, stats: await statOf(path) });
  }
  return named;
}

/**
 * A followed pattern that names `path`, existing or not: a directory the pattern looks in is the
 * path's (however either is spelled), and the pattern names the path's name there.
 */
async function patternNaming(patterns: readonly string[], path: string): Promise<string | undefined> {
  const { expandPattern, patternNames } = await pathsProvider();
  const directory = await stat(dirname(path)).catch(() => undefined);
  for (const pattern of patterns) {
    for (const looked of (await expandPattern(pattern)).directories) {
      if (same(directory, await stat(looked).catch(() => undefined)) && patternNames(pattern, join(looked, basename(path)))) return pattern;
    }
  }
  return undefined;
}

/**
 * Throws a one-line usage error (exit 2) when an output is one of the inputs, is named by a
 * followed pattern, or is another output.
 */
export async function refuseOutputsOverInputs(files: RunFiles): Promise<void> {
  const refuse = (output: string, what: string): never => {
    throw new UsageError(`${output} is ${what}: choose another file; nothing was read or written`, false);
  };
  const read = await filesRead(files);
  const writes = Object.entries(files.writes).flatMap(([option, path]) => (path === undefined ? [] : [{ option, path }]));
  const outputs: (Named & { path?: string })[] = await Promise.all(
    writes.map(async ({ option, path }) => ({ name: `${option} ${path}`, path, stats: await statOf(path) })),
  );
  if (files.writesStdout) outputs.push({ name: 'stdout', stats: fdStats(1) });
  for (const [index, output] of outputs.entries()) {
    const input = read.find((file) => same(file.stats, output.stats));
    if (input) refuse(output.name, `the same file as ${input.name}`);
    const pattern = files.follow && output.path !== undefined ? await patternNaming(files.inputs, output.path) : undefined;
    if (pattern !== undefined) refuse(output.name, `named by --follow '${pattern}' (hidlog would follow its own output)`);
    const other = outputs
      .slice(0, index)
      .find(
        (earlier) =>
          same(earlier.stats, output.stats) || (earlier.path !== undefined && output.path !== undefined && resolve(earlier.path) === resolve(output.path)),
      );
    if (other) refuse(output.name, `the same file as ${other.name}`);
  }
}
