import { Worker } from 'node:worker_threads';

export interface BcryptQuestion {
  id: number;
  password: string;
  hash: string;
}

export interface BcryptAnswer {
  id: number;
  matches: boolean;
}

interface Waiting {
  resolve: (matches: boolean) => void;
  reject: (error: Error) => void;
}

/**
 * bcrypt comparisons on a worker thread of their own, started at the first one. A thread that
 * stops fails the comparisons it held; the next one starts a new thread, until `close`.
 */
export class BcryptThread {
  private worker: Worker | undefined;
  private closed = false;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;

  readonly compare = (password: string, hash: string): Promise<boolean> => {
    if (this.closed) return Promise.reject(new Error('the bcrypt thread is closed'));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, password, hash } satisfies BcryptQuestion);
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./bcrypt-worker.js', import.meta.url));
    // The server's sockets keep the process alive while it serves; the thread alone must not.
    worker.unref();
    worker.on('message', ({ id, matches }: BcryptAnswer) => {
      this.waiting.get(id)?.resolve(matches);
      this.waiting.delete(id);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the bcrypt thread stopped with exit code ${code}`)));
    return worker;
  }
}
