/** Waits at most `ms` for a workflow's answer; then rejects with what `timedOut` makes. */
export async function waitForWorkflow<T>(pending: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  // Once the caller has had its answer, a late failure is the engine's to retry, not an unhandled rejection.
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
