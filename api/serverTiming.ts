/**
 * Where a request's time went, as a `Server-Timing` response header (W3C Server Timing): durations
 * only, in milliseconds, named by phase — never data. Browsers' developer tools show it; the
 * acceptance benchmark reads it.
 */
export class ServerTiming {
  private readonly started = performance.now();
  private readonly phases = new Map<string, number>();

  /** Runs `work`, adding its duration to the phase `name`. */
  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.phases.set(name, (this.phases.get(name) ?? 0) + performance.now() - start);
    }
  }

  /** The header's value: each phase, then `total` since this timer was made. */
  header(): string {
    const parts = [...this.phases].map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`);
    parts.push(`total;dur=${(performance.now() - this.started).toFixed(1)}`);
    return parts.join(', ');
  }
}
