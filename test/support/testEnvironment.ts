/**
 * jest's Node environment, on this worker's own database (workerDatabases.ts), with one guard: a
 * timer a test file left behind never fires after the file has ended. A jest process (a worker, or jest itself when run in band) runs file after file, so
 * such a timer fires while the next file runs and its error is counted against that file (or ends the
 * run): typically the Temporal client's gRPC retry of a call still pending when the file closed its
 * connection, which throws "Channel has been shut down". The leftover is cleared at teardown.
 */
import { TestEnvironment } from 'jest-environment-node';
import { useWorkerDatabase } from './workerDatabases';

// Loaded once per jest process, before its first file: that process's files use its own database.
useWorkerDatabase();

type Timers = Pick<typeof globalThis, 'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval'>;

export default class TestFileEnvironment extends TestEnvironment {
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();

  override async setup(): Promise<void> {
    await super.setup();
    const global = this.global as unknown as Timers;
    const { setTimeout: set, clearTimeout: clear, setInterval: every, clearInterval: stop } = global;
    const pending = this.pending;
    global.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = set(
        (...given: unknown[]) => {
          pending.delete(timer);
          callback(...given);
        },
        ms,
        ...args,
      );
      pending.add(timer);
      return timer;
    }) as typeof setTimeout;
    // util.promisify(setTimeout) keeps working: the original's own properties carry over.
    Object.defineProperties(global.setTimeout, Object.getOwnPropertyDescriptors(set));
    global.clearTimeout = ((timer: ReturnType<typeof setTimeout> | undefined) => {
      if (timer !== undefined) pending.delete(timer);
      clear(timer);
    }) as typeof clearTimeout;
    global.setInterval = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = every(callback, ms, ...args);
      pending.add(timer);
      return timer;
    }) as typeof setInterval;
    global.clearInterval = ((timer: ReturnType<typeof setInterval> | undefined) => {
      if (timer !== undefined) pending.delete(timer);
      stop(timer);
    }) as typeof clearInterval;
  }

  override async teardown(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    await super.teardown();
  }
}
