/**
 * PauseActivity: a workflow's pending activities (by id or type) are paused; one waiting for a worker
 * or a retry is held back, one a worker holds runs on and hears of it by heartbeat; a failed attempt
 * then waits for the unpause instead of retrying (`service/history/api/pauseactivity`).
 */
import { failedPrecondition } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import { pause, workflowActivities } from '../activityControl';

export function pauseActivity(h: Engine, request: Pb): Pb {
  const { exec, activities } = workflowActivities(h, request);
  const requestId: string = request.requestId ?? '';
  for (const activity of activities) {
    if (activity.pause) {
      if (activity.pause.requestId === requestId) continue;
      throw failedPrecondition('activity is already paused');
    }
    pause(h, exec, activity, { time: h.clock.now(), identity: request.identity ?? '', reason: request.reason ?? '', requestId });
  }
  return {};
}
