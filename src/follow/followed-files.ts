import type { LineOptions } from '../pipeline/line-processor.js';
import type { DescriptorBudget } from './descriptor-budget.js';
import { sameStart } from './fingerprinter.js';
import { FollowedFile, isOutOfDescriptors } from './followed-file.js';
import type { WakeUp } from './wake-up.js';

/**
 * The files being followed, by identity (the wake-up told of each), and the descriptors they hold:
 * within the descriptor budget (descriptor-budget.ts), the files idle the longest are parked
 * (their handle closed) to open another, and opened again when they change.
 */
export class FollowedFiles {
  private readonly files = new Map<string, FollowedFile>();
  /** Files being read now (reading one may open others meanwhile): never parked. */
  readonly reading = new Set<FollowedFile>();
  private saidBudgetBinds = false;

  constructor(
    private readonly budget: DescriptorBudget,
    private readonly wakeUp: WakeUp<FollowedFile>,
    private readonly warn: (message: string) => void,
  ) {}

  get size(): number {
    return this.files.size;
  }

  /** Followed files held open at most. */
  get limit(): number {
    return this.budget.files;
  }

  get(identity: string): FollowedFile | undefined {
    return this.files.get(identity);
  }

  has(identity: string): boolean {
    return this.files.has(identity);
  }

  values(): IterableIterator<FollowedFile> {
    return this.files.values();
  }

  entries(): IterableIterator<[string, FollowedFile]> {
    return this.files.entries();
  }

  /** Followed from now on: the wake-up looks at it. */
  add(file: FollowedFile): void {
    this.files.set(file.identity, file);
    this.wakeUp.follow(file);
  }

  /** No longer followed (it is closed by the caller). */
  delete(file: FollowedFile): void {
    this.files.delete(file.identity);
    this.wakeUp.forget(file);
  }

  /** A followed file (other than `except`) whose content begins as `start` does. */
  withStart(start: Buffer, except?: FollowedFile): FollowedFile | undefined {
    for (const file of this.files.values()) if (file !== except && file.decided && sameStart(file.start, start)) return file;
    return undefined;
  }

  /** Bytes written to the followed files and not read yet. */
  lag(): number {
    let lag = 0;
    for (const file of this.files.values()) lag += file.lag();
    return lag;
  }

  /** Followed files held open now. */
  openCount(): number {
    let open = 0;
    for (const file of this.files.values()) if (!file.parked) open++;
    return open;
  }

  /** Opens the file at `path` (not followed yet) within the descriptor budget. */
  open(path: string, lines: LineOptions): Promise<FollowedFile> {
    return this.withDescriptor(undefined, () => FollowedFile.open(path, lines));
  }

  /** Opens a parked file again at its path; false if the path names another file by now, or none (a rotation: see changedWhileParked). */
  async unpark(file: FollowedFile): Promise<boolean> {
    if (!(await this.withDescriptor(file, () => file.unpark()))) return false;
    this.wakeUp.rewatch(file);
    return true;
  }

  /**
   * Opens something (a followed file, a parked one again) within the descriptor budget: first
   * parks the files idle the longest if it is spent, and if the open still fails for want of a
   * descriptor (more were in use than the budget assumed), shrinks the budget and tries once more.
   */
  private async withDescriptor<T>(keep: FollowedFile | undefined, open: () => Promise<T>): Promise<T> {
    await this.makeRoom(keep);
    try {
      return await open();
    } catch (error) {
      if (!isOutOfDescriptors(error)) throw error;
      this.budget.shrink(this.openCount());
      await this.makeRoom(keep);
      return open();
    }
  }

  /**
   * Parks followed files, those idle the longest first, until one more can be opened within the
   * budget, and a few more (so that not every open has to look for one). A file rotated away is
   * never parked (its handle is the only way to its last lines), nor one being read.
   */
  private async makeRoom(keep: FollowedFile | undefined): Promise<void> {
    const { files } = this.budget;
    let open = this.openCount();
    if (open < files) return;
    this.sayBudgetBinds();
    const idle = [...this.files.values()].filter((file) => !file.parked && !file.rotatedAway && file !== keep && !this.reading.has(file));
    idle.sort((a, b) => a.lastGrowth - b.lastGrowth);
    const target = files - Math.ceil(files / 16);
    for (const file of idle) {
      if (open < target) break;
      await this.park(file);
      open--;
    }
  }

  private async park(file: FollowedFile): Promise<void> {
    await file.park();
    this.wakeUp.rewatch(file);
  }

  /** Said once, when the budget first binds. */
  private sayBudgetBinds(): void {
    if (this.saidBudgetBinds) return;
    this.saidBudgetBinds = true;
    const { files, limit } = this.budget;
    this.warn(
      `more files to follow than descriptors to hold them open (open files limit ${limit}, ulimit -n): at most ${files} are held open, the others closed while idle and opened again when they change`,
    );
  }
}
