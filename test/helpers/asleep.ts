import { readFileSync, readdirSync } from 'node:fs';

const LOOKS = 12;
const LOOK_EVERY_MS = 25;

/** Each thread's scheduler state (Linux /proc): R running or runnable, S asleep, D in I/O, ... */
function threadStates(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  });
}

/**
 * Resolves once every thread of the process has been asleep at each of a dozen looks over 300 ms:
 * it has taken all that was written to its stdin and waits for more (a reader with input at hand
 * is woken at once; one the machine is too busy to run shows R).
 */
export async function untilAsleep(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let asleep = 0;
  while (asleep < LOOKS) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not fall asleep within ${timeoutMs} ms`);
    asleep = threadStates(pid).every((state) => state === 'S') ? asleep + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  }
}
