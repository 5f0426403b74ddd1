import { problems } from '../problems';

/**
 * Waits at most `ms` for a workflow to answer. The engine retries a failing activity until it
 * succeeds (the database away, say), and the step then completes on its own; the caller should not
 * hang meanwhile, so it gets 503 `workflow_pending` and reads the application before trying again.
 */
export async function waitForWorkflow<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(problems.workflowPending(ms)), ms);
  });
  // Once the caller has had its answer, a late failure is the engine's to retry, not an unhandled rejection.
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
