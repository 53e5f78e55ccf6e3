// The bcrypt thread's side: one check at a time, each a core's work for ~70 ms at cost 10, none of
// it on the thread that reads and annotates the log.
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import type { BcryptAnswer, BcryptQuestion } from './bcrypt-thread.js';

parentPort!.on('message', ({ id, password, hash }: BcryptQuestion) => {
  let matches = false;
  try {
    matches = bcrypt.compareSync(password, hash);
  } catch {
    // A hash bcryptjs cannot read matches no password.
  }
  parentPort!.postMessage({ id, matches } satisfies BcryptAnswer);
});
