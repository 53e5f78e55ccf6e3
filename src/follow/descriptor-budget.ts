import { readFileSync, readdirSync } from 'node:fs';

// Descriptors left for what else hidlog opens while it follows: the state file's save, /metrics
// connections, the catalog's reload, a compressed file or a copy looked at, directories listed.
export const RESERVED_DESCRIPTORS = 64;
// However low the limit, this many followed files are held open (the others take turns).
const FEWEST_OPEN = 8;

/**
 * How many followed files may be held open at once: the open files limit (`ulimit -n`), less the
 * descriptors open when following begins (stdio, Node's own, the outputs, the /metrics socket)
 * and RESERVED_DESCRIPTORS. Without a known limit, as many as there are.
 */
export class DescriptorBudget {
  /** Followed files held open at most. */
  files: number;

  constructor(
    readonly limit: number = openFilesLimit(),
    inUse: number = descriptorsInUse(),
  ) {
    this.files = Math.max(FEWEST_OPEN, limit - inUse - RESERVED_DESCRIPTORS);
  }

  /** An open failed for want of a descriptor with `open` files held: fewer from now on. */
  shrink(open: number): void {
    this.files = Math.max(FEWEST_OPEN, Math.min(this.files, open - Math.ceil(RESERVED_DESCRIPTORS / 4)));
  }
}

/** The soft limit on open files (RLIMIT_NOFILE) from /proc/self/limits; Infinity when unlimited or unknown. */
export function openFilesLimit(limits = '/proc/self/limits'): number {
  let text: string;
  try {
    text = readFileSync(limits, 'utf8');
  } catch {
    return Infinity;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  const limit = Number(soft);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : Infinity;
}

/** Descriptors open in this process now (0 if /proc cannot tell). */
export function descriptorsInUse(): number {
  try {
    // Less the one the listing itself holds.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return 0;
  }
}
