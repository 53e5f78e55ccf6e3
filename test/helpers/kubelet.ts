// A container's log under /var/log/pods as containerd writes it and kubelet rotates it, for the
// Kubernetes follow tests. The rotation does what kubelet's container log manager does
// (pkg/kubelet/logs/container_log_manager.go, rotateLog): of the files named `<log>.*`, remove the
// leftovers of a failed rotation, remove the oldest past containerLogMaxFiles, gzip each rotated
// file not compressed yet (into `<file>.tmp`, renamed to `<file>.gz`, the uncompressed one
// removed), then rename the log to `<log>.<YYYYMMDD-hhmmss>` and have the runtime reopen it.
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const COMPRESS_SUFFIX = '.gz';
const TMP_SUFFIX = '.tmp';

/** kubelet's timestampFormat, "20060102-150405", of a time in UTC (a node's usual zone). */
export function rotationStamp(time: Date): string {
  const iso = time.toISOString(); // 2026-12-01T10:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** One container's log: the runtime holds it open for appending; kubelet rotates it. */
export class ContainerLog {
  private descriptor: number;

  constructor(
    readonly path: string,
    /** containerLogMaxFiles: the log and its rotated files, at most (kubelet's default 5). */
    private readonly maxFiles = 5,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.descriptor = openSync(path, 'a');
  }

  /** The runtime writes CRI lines (each write a `write(2)` of its own). */
  write(lines: string | Buffer): void {
    writeSync(this.descriptor, typeof lines === 'string' ? Buffer.from(lines) : lines);
  }

  /** The container stopped: the runtime closes its log. */
  close(): void {
    closeSync(this.descriptor);
  }

  /** The rotated files of this log, oldest first (their names sort so). */
  rotated(): string[] {
    const prefix = `${basename(this.path)}.`;
    return readdirSync(dirname(this.path))
      .filter((name) => name.startsWith(prefix))
      .sort()
      .map((name) => join(dirname(this.path), name));
  }

  /** kubelet rotates the log at `time`; `writtenMeanwhile` is what the runtime writes between the rename and its reopening the log. */
  rotate(time: Date, writtenMeanwhile = ''): void {
    const all = this.rotated();
    const inUse = all.filter((path) => !path.endsWith(TMP_SUFFIX) && (path.endsWith(COMPRESS_SUFFIX) || !all.includes(path + COMPRESS_SUFFIX)));
    for (const path of all) if (!inUse.includes(path)) rmSync(path);
    const kept = inUse.slice(Math.max(0, inUse.length - Math.max(0, this.maxFiles - 2)));
    for (const path of inUse) if (!kept.includes(path)) rmSync(path);
    for (const path of kept) if (!path.endsWith(COMPRESS_SUFFIX)) compress(path);
    renameSync(this.path, `${this.path}.${rotationStamp(time)}`);
    if (writtenMeanwhile !== '') this.write(writtenMeanwhile);
    // ReopenContainerLog: the runtime closes the renamed file and creates the log anew.
    closeSync(this.descriptor);
    this.descriptor = openSync(this.path, 'a');
  }
}

/** kubelet's compressLog: gzip into `<path>.tmp` (the log's mode), renamed to `<path>.gz`, then the log removed. */
function compress(path: string): void {
  const temporary = path + TMP_SUFFIX;
  const descriptor = openSync(temporary, 'w', statSync(path).mode);
  try {
    writeSync(descriptor, gzipSync(readFileSync(path)));
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, path + COMPRESS_SUFFIX);
  rmSync(path);
}
