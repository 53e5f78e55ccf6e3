import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether a tmpfs can be mounted here (root: CI runs as root), to fill a disk for real. Like
 * hasTool: outside CI its tests are skipped loudly; with CI=true, not being able to is an error.
 */
export function canMountTmpfs(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'hidlog-tmpfs-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  if (mounted) return true;
  const message = 'cannot mount a tmpfs (needs root): the disk-full tests need one';
  if (process.env.CI === 'true') throw new Error(`CI: ${message}`);
  console.warn(`\n*** SKIPPING: ${message} ***\n`);
  return false;
}

/** A filesystem of `bytes` bytes at a new directory; `resize` gives it more (or less) room. */
export class SmallDisk {
  readonly dir = mkdtempSync(join(tmpdir(), 'hidlog-disk-'));

  constructor(bytes: number) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', this.dir]);
  }

  resize(bytes: number): void {
    execFileSync('mount', ['-o', `remount,size=${bytes}`, this.dir]);
  }

  remove(): void {
    spawnSync('umount', ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
