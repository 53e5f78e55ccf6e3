import type { DeliveredOutput } from '../../src/follow/delivery.js';

/** An output whose counts a test moves by hand (what it was given, what it accepted); takeBack records what it was asked. */
export function handOutput(): DeliveredOutput & { write(bytes: number): void; accept(bytes: number): void; takenBackTo: number[] } {
  const counts = { written: 0, accepted: 0 };
  const takenBackTo: number[] = [];
  return {
    get bytesWritten() {
      return counts.written;
    },
    get bytesAccepted() {
      return counts.accepted;
    },
    write: (bytes) => void (counts.written += bytes),
    accept: (bytes) => void (counts.accepted += bytes),
    flushed: async () => undefined,
    takeBack: async (bytes) => {
      takenBackTo.push(bytes);
      return true;
    },
    takenBackTo,
  };
}
