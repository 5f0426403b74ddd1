/** The `...ById` activity calls name the activity by workflow and activity id instead of a task token. */
import { notFound } from '../errors';
import type { Pb } from '../proto';
import { type Engine, encodeToken } from '../engine';

/**
 * Finds the running attempt of an activity by workflow and activity id, for the `...ById` calls;
 * with no workflow id, of the standalone activity `activityId` (its run `runId`, or its latest).
 */
export function activityTokenById(h: Engine, request: Pb): Buffer {
  const namespace = h.requireNamespace(request.namespace);
  if (!request.workflowId) return h.standaloneActivities!.tokenById(namespace, request.activityId ?? '', request.runId);
  const exec = h.requireRunning(namespace, { workflowId: request.workflowId, runId: request.runId });
  const activity = Object.values(exec.activities).find((candidate) => candidate.activityId === request.activityId);
  if (!activity || activity.phase !== 'started' || !activity.token) throw notFound('Activity task not found.');
  return encodeToken({ kind: 'activity', namespace, runId: exec.runId, id: activity.scheduledEventId, token: activity.token });
}
