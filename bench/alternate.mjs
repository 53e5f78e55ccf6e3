// Alternating runs of shell commands (stdout to /dev/null), for differences smaller than the
// run-to-run noise of whole-process wall time: each round runs every command once, in turn, the
// order reversed every other round so that none always runs right after the same one. It measures
// CPU time (user + sys of the command and its children, from /usr/bin/time), which other load on a
// shared machine moves less than wall time, and wall time. Used by bench/ab.mjs and bench/run.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
};

/**
 * Runs the commands alternately for `rounds` rounds; returns each one's median CPU and wall
 * seconds, or, when a run fails, `failed` with its stderr (and runs that command no more).
 * @param {{ name: string, command: string }[]} commands
 * @param {{ rounds: number, log?: (line: string) => void }} options
 */
export function alternate(commands, { rounds, log = () => {} }) {
  const modes = commands.map((c) => ({ ...c, cpu: [], wall: [], failed: undefined }));
  const work = mkdtempSync(join(tmpdir(), 'hidlog-ab-'));
  const timesFile = join(work, 'time.txt');
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        if (mode.failed !== undefined) continue;
        const run = spawnSync('/usr/bin/time', ['-f', '%U %S %e', '-o', timesFile, 'bash', '-c', `${mode.command} > /dev/null`], {
          stdio: ['ignore', 'ignore', 'pipe'],
          encoding: 'utf8',
        });
        if (run.status !== 0) {
          mode.failed = `exit ${run.status}: ${run.stderr.trim()}`;
          log(`${mode.name} failed (${mode.failed})`);
          continue;
        }
        const [user, sys, wall] = readFileSync(timesFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        mode.cpu.push(user + sys);
        mode.wall.push(wall);
        log(`round ${round + 1}/${rounds}  ${mode.name.padEnd(20)} cpu ${(user + sys).toFixed(2)} s  wall ${wall.toFixed(2)} s`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return modes.map(({ name, command, cpu, wall, failed }) =>
    failed !== undefined ? { name, command, failed } : { name, command, cpu: median(cpu), wall: median(wall) },
  );
}
