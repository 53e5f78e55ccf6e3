import { describe, expect, it } from 'vitest';
import { Delivery } from '../../src/follow/delivery.js';
import { handOutput } from '../helpers/hand-output.js';

describe('Delivery', () => {
  it('delivers a position only once every output accepted what was written by then', () => {
    const out = handOutput();
    const dead = handOutput();
    const delivery = new Delivery<string>([out, dead]);
    delivery.start('a', 100);
    out.write(50);
    delivery.reached('a', 200);
    dead.write(10);
    out.write(50);
    delivery.reached('a', 300);
    expect(delivery.offsetOf('a')).toBe(100);
    out.accept(100);
    expect(delivery.offsetOf('a')).toBe(200); // the dead-letter file has not taken its 10 bytes
    dead.accept(10);
    expect(delivery.offsetOf('a')).toBe(300);
  });

  it('keeps the order of reading across files: a later mark waits for an earlier one', () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('a', 0);
    delivery.start('b', 0);
    out.write(100);
    delivery.reached('a', 1000);
    out.write(100);
    delivery.reached('b', 2000);
    out.accept(150);
    expect([delivery.offsetOf('a'), delivery.offsetOf('b')]).toEqual([1000, 0]);
    out.accept(50);
    expect([delivery.offsetOf('a'), delivery.offsetOf('b')]).toEqual([1000, 2000]);
  });

  it('at close, takes back from each output what it accepted beyond the last delivered position', async () => {
    const out = handOutput();
    const dead = handOutput();
    const delivery = new Delivery<string>([out, dead]);
    delivery.start('a', 0);
    out.write(100);
    dead.write(5);
    delivery.reached('a', 1000);
    out.write(100);
    dead.write(5);
    delivery.reached('a', 2000);
    out.accept(200); // all of it
    dead.accept(5); // the second 5 bytes never went out
    await delivery.close(AbortSignal.abort());
    expect(delivery.offsetOf('a')).toBe(1000);
    expect(out.takenBackTo).toEqual([100]);
    // It accepted no more than the delivered position covers, but was given more: a failed write
    // may have left some of it in the file.
    expect(dead.takenBackTo).toEqual([5]);
  });

  it('takes nothing back when every output accepted everything', async () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('a', 0);
    out.write(100);
    delivery.reached('a', 1000);
    out.accept(100);
    await delivery.close(AbortSignal.abort());
    expect(out.takenBackTo).toEqual([]);
    expect(delivery.offsetOf('a')).toBe(1000);
  });

  it('a forgotten file is not delivered again, and its output still counts for what is taken back', async () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('gone', 0);
    out.write(100);
    delivery.reached('gone', 1000);
    delivery.forget('gone');
    out.accept(100);
    await delivery.close(AbortSignal.abort());
    expect(delivery.offsetOf('gone')).toBeUndefined();
    expect(out.takenBackTo).toEqual([]);
  });

  it('continueAs: what was read of one key goes on as another, its marks with it', () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('app.log', 0);
    out.write(100);
    delivery.reached('app.log', 1000);
    out.write(100);
    delivery.reached('app.log', 2000);
    // The file is closed into remembered content while its last lines are still on their way.
    delivery.continueAs('app.log', 'content', 2000);
    expect(delivery.offsetOf('app.log')).toBeUndefined();
    expect(delivery.offsetOf('content')).toBe(0);
    out.accept(100);
    expect(delivery.offsetOf('content')).toBe(1000);
    // The content is found again in a file (a copy), read on from where it was read to.
    delivery.continueAs('content', 'app.log.1', 2000);
    out.write(100);
    delivery.reached('app.log.1', 3000);
    out.accept(100);
    expect(delivery.offsetOf('app.log.1')).toBe(2000);
    out.accept(100);
    expect(delivery.offsetOf('app.log.1')).toBe(3000);
    expect(delivery.offsetOf('content')).toBeUndefined();
  });

  it('continueAs from a key it never knew (a saved position found again) starts at the offset; below what was delivered, at the offset', () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.continueAs('saved', 'app.log.1', 5000);
    expect(delivery.offsetOf('app.log.1')).toBe(5000);
    delivery.start('app.log', 0);
    out.write(100);
    delivery.reached('app.log', 4000);
    out.accept(100);
    expect(delivery.offsetOf('app.log')).toBe(4000);
    // A copy shorter than what was delivered is read on from its end.
    delivery.continueAs('app.log', 'copy', 3000);
    expect(delivery.offsetOf('copy')).toBe(3000);
  });

  it('continueAs to a copy shorter than what was read: the marks still on their way reach no further than the copy', () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('app.log', 0);
    out.write(100);
    delivery.reached('app.log', 4000);
    out.write(100);
    delivery.reached('app.log', 5000);
    // Truncated (copytruncate) with those lines not yet accepted: the rest, then its copy, which ends at 4500.
    delivery.continueAs('app.log', 'rest', 5000);
    delivery.continueAs('rest', 'copy', 4500);
    out.accept(100);
    expect(delivery.offsetOf('copy')).toBe(4000);
    out.accept(100);
    expect(delivery.offsetOf('copy')).toBe(4500);
  });

  it('start: the marks made before no longer move the key, and still count for what the outputs hold', async () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('app.log', 0);
    out.write(100);
    delivery.reached('app.log', 1000);
    // Truncated in place: read again from 0.
    delivery.start('app.log', 0);
    out.write(50);
    delivery.reached('app.log', 500);
    out.accept(100);
    expect(delivery.offsetOf('app.log')).toBe(0);
    await delivery.close(AbortSignal.abort());
    expect(out.takenBackTo).toEqual([100]);
    expect(delivery.offsetOf('app.log')).toBe(0);
  });

  it('startIfNew starts a key it does not know, and leaves one it knows where it is, with its marks', () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.startIfNew('a.gz', 700);
    expect(delivery.offsetOf('a.gz')).toBe(700);
    out.write(100);
    delivery.reached('a.gz', 1000);
    delivery.startIfNew('a.gz', 1000);
    expect(delivery.offsetOf('a.gz')).toBe(700);
    out.accept(100);
    expect(delivery.offsetOf('a.gz')).toBe(1000);
  });

  it('after close, a write that went through while the outputs were cut back does not move a position past what they kept', async () => {
    const out = handOutput();
    const delivery = new Delivery<string>([out]);
    delivery.start('a', 0);
    out.write(100);
    delivery.reached('a', 1000);
    out.write(100);
    delivery.reached('a', 2000);
    out.accept(100);
    // The second write completes while the file is being cut back to 100 bytes: it is cut off.
    out.takeBack = async (bytes) => {
      out.accept(100);
      out.takenBackTo.push(bytes);
      return true;
    };
    await delivery.close(AbortSignal.abort());
    expect(out.takenBackTo).toEqual([100]);
    expect(delivery.offsetOf('a')).toBe(1000);
  });

  it('holds exactly what the delivered positions cover once every output took all it was given, and after close cut it back', async () => {
    const out = handOutput();
    const dead = handOutput();
    const delivery = new Delivery<string>([out, dead]);
    expect([delivery.holdsExactly(0), delivery.holdsExactly(1)]).toEqual([true, true]);
    delivery.start('a', 0);
    out.write(100);
    delivery.reached('a', 1000);
    expect(delivery.holdsExactly(0)).toBe(false); // not accepted yet
    out.accept(100);
    expect([delivery.holdsExactly(0), delivery.holdsExactly(1)]).toEqual([true, true]);
    out.write(50); // written, and no position reached with it yet
    expect(delivery.holdsExactly(0)).toBe(false);
    delivery.reached('a', 1500);
    out.accept(50);
    expect(delivery.holdsExactly(0)).toBe(true);
    out.write(70);
    delivery.reached('a', 2000);
    await delivery.close(AbortSignal.abort());
    expect(out.takenBackTo).toEqual([150]);
    expect([delivery.holdsExactly(0), delivery.holdsExactly(1)]).toEqual([true, true]);
  });
});
