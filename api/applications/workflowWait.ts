import type { ErrorRequestHandler } from 'express';

/**
 * The application's workflow took a request but has not finished it within the wait: it goes on by
 * itself (the engine retries a failing activity until it succeeds). Answered 202 with the
 * application's location, so the caller reads it rather than sending the request again.
 */
export class StillInProgress extends Error {
  constructor(
    readonly applicationId: string,
    readonly waitedMs: number,
  ) {
    super(`application ${applicationId}: the workflow has not finished the step within ${waitedMs} ms`);
  }
}

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

/** 202 Accepted for a step still in progress (RFC 9110: accepted, not yet completed). */
export const stillInProgressResponder: ErrorRequestHandler = (error, _req, res, next) => {
  if (!(error instanceof StillInProgress) || res.headersSent) return next(error);
  res
    .status(202)
    .location(`/v1/applications/${error.applicationId}`)
    .json({
      applicationId: error.applicationId,
      inProgress: true,
      detail: `The workflow took the request and has not finished it within ${Math.round(error.waitedMs / 1000)} s; it goes on by itself. Read the application to see the outcome before sending this again.`,
    });
};
