/**
 * The server's clock: real time plus an offset that only grows. With time skipping on, whenever
 * nothing holds the lock (no test asked for real time, no workflow or activity task is out with a
 * worker) the clock jumps straight to the next scheduled deadline, so a 60-day timer fires at once.
 */
export interface ScheduledEntry {
  cancel(): void;
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Longest delay setTimeout accepts; later deadlines are re-armed when it fires. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export class VirtualClock {
  private offset = 0;
  private locks: number;
  private seq = 0;
  private entries: Entry[] = [];
  private realTimer: NodeJS.Timeout | undefined;
  private skipPending = false;
  private stopped = false;

  /**
   * @param timeSkipping whether the clock may jump ahead at all
   * @param initiallyLocked the test server starts locked: the SDK unlocks it around `result()`
   */
  constructor(readonly timeSkipping: boolean, initiallyLocked = timeSkipping) {
    this.locks = initiallyLocked ? 1 : 0;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /** How far time has been skipped ahead of real time. */
  get skippedMs(): number {
    return this.offset;
  }

  /** Restores a clock that had skipped `ms` before a restart (time never goes back). */
  skipTo(ms: number): void {
    if (ms > this.offset) this.offset = ms;
  }

  /** Runs `fn` once the clock reaches `at` (virtual epoch ms). */
  schedule(at: number, fn: () => void): ScheduledEntry {
    const entry: Entry = { at, seq: this.seq++, fn, cancelled: false };
    // The real timer follows the earliest entry only: re-armed when that changes.
    if (this.insert(entry) === 0) this.arm();
    this.requestSkip();
    return {
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        const index = this.position(entry);
        if (this.entries[index] !== entry) return;
        this.entries.splice(index, 1);
        if (index === 0) this.arm();
      },
    };
  }

  after(ms: number, fn: () => void): ScheduledEntry {
    return this.schedule(this.now() + Math.max(0, ms), fn);
  }

  lock(): void {
    this.locks++;
  }

  /** @throws Error when the lock is not held: unbalanced unlocks are a caller bug. */
  unlock(): void {
    if (this.locks <= 0) throw new Error('time skipping is not locked: unbalanced UnlockTimeSkipping');
    this.locks--;
    if (this.locks === 0) this.requestSkip();
  }

  get lockCount(): number {
    return this.locks;
  }

  stop(): void {
    this.stopped = true;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.entries = [];
  }

  /** Where `entry` is, or would go, in the entries sorted by time then sequence. */
  private position(entry: Entry): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = this.entries[mid];
      if (other.at < entry.at || (other.at === entry.at && other.seq < entry.seq)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** A sorted array: one entry per live timer task, found by binary search. @returns its index. */
  private insert(entry: Entry): number {
    const index = this.position(entry);
    this.entries.splice(index, 0, entry);
    return index;
  }

  private arm(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    if (this.stopped || this.entries.length === 0) return;
    const delay = Math.min(MAX_TIMEOUT, Math.max(0, this.entries[0].at - this.now()));
    this.realTimer = setTimeout(() => this.fireDue(), delay);
  }

  private fireDue(): void {
    this.realTimer = undefined;
    const now = this.now();
    while (this.entries.length > 0 && this.entries[0].at <= now) {
      const entry = this.entries.shift()!;
      if (entry.cancelled) continue;
      entry.cancelled = true;
      entry.fn();
    }
    this.arm();
    this.requestSkip();
  }

  /** Deferred so that every state change made in the current turn (and the locks it takes) lands first. */
  private requestSkip(): void {
    if (!this.timeSkipping || this.skipPending || this.stopped) return;
    this.skipPending = true;
    setImmediate(() => {
      this.skipPending = false;
      this.skip();
    });
  }

  private skip(): void {
    if (this.locks > 0 || this.entries.length === 0 || this.stopped) return;
    const next = this.entries[0];
    const gap = next.at - this.now();
    if (gap > 0) this.offset += gap;
    this.fireDue();
  }
}
