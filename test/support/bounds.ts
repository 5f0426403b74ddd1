/**
 * Bounds on a test's waits, well inside jest's own timeout: a wait that never ends then fails with
 * what did not happen, instead of jest's "Exceeded timeout", which says nothing and costs a minute.
 * The bounds are in real time, whatever the engine's (possibly skipped) clock says.
 */
import type { ChildProcess } from 'node:child_process';
import type { WorkflowHandle, WorkflowUpdateOptions } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';

/** How long a workflow (or operation) a test drives to its end may take to close once nothing else holds it up. */
export const CLOSE_BOUND_MS = 20_000;

/** How long a child process may take to exit once signalled (SIGKILL at once; a graceful stop may need more). */
export const EXIT_BOUND_MS = 15_000;

/** A bound ran out: a test that catches a wait's failure to assert on it lets this one through (failureOf). */
export class BoundExceeded extends Error {
  override name = 'BoundExceeded';
}

/** `promise`'s outcome. @throws BoundExceeded "`failure` within N s" when it has none within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, failure: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BoundExceeded(`${failure} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The result (or the failure) of a workflow, a standalone activity or a Nexus operation.
 * @throws Error "`failure` within N s" when it has not closed within `ms`; without `failure`, the
 * message names the run by its id (so pass one where the id carries personal data, as an application's does).
 */
export function resultWithin<R>(
  handle: { result(): Promise<R>; workflowId?: string; activityId?: string; operationId?: string },
  failure?: string,
  ms = CLOSE_BOUND_MS,
): Promise<R> {
  const id = handle.workflowId ? `workflow ${handle.workflowId}` : handle.activityId ? `activity ${handle.activityId}` : `operation ${handle.operationId}`;
  return within(handle.result(), ms, failure ?? `${id} did not close`);
}

/**
 * What `promise` rejects with (undefined when it resolves), for a test to assert on. A bound's own
 * failure is thrown instead: toBeInstanceOf would report only its class, not what did not happen.
 */
export function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof BoundExceeded) throw error;
      return error;
    },
  );
}

/**
 * The answer to `update` (or its rejection, unchanged, for a test that expects one).
 * @throws BoundExceeded "the `update` update was not answered within N s" when neither comes within `ms`.
 * The message names the update, never the workflow: an application's workflow id carries the citizen number.
 */
export function updateWithin<Ret, Args extends [unknown, ...unknown[]]>(
  handle: Pick<WorkflowHandle, 'executeUpdate'>,
  update: UpdateDefinition<Ret, Args>,
  options: WorkflowUpdateOptions & { args: Args },
  ms = CLOSE_BOUND_MS,
): Promise<Ret> {
  return within(handle.executeUpdate(update, options), ms, `the ${update.name} update was not answered`);
}

/** Resolves with the exit code once `child` has exited (at once if it already has). @throws Error "`failure` within N s" after `ms`. */
export function exitOf(child: ChildProcess, failure: string, ms = EXIT_BOUND_MS): Promise<number | null> {
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return within(exited, ms, failure);
}

/** Sends `signal` to `child` and resolves with its exit code. @throws Error "`name` did not exit after `signal` within N s". */
export function killed(child: ChildProcess, name: string, signal: NodeJS.Signals = 'SIGKILL', ms = EXIT_BOUND_MS): Promise<number | null> {
  const exited = exitOf(child, `${name} did not exit after ${signal}`, ms);
  child.kill(signal);
  return exited;
}

/** Polls `check` until it returns true (workflow side effects land asynchronously). @throws BoundExceeded after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new BoundExceeded(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
