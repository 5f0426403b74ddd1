/**
 * UnpauseActivity: a workflow's paused activities (by id, type or all) run again; one held back is
 * dispatched now (or within `jitter`), optionally from attempt 1 and without its heartbeat details.
 * An activity not paused is left as it is (`service/history/api/unpauseactivity`).
 */
import { toMs, type Pb } from '../proto';
import type { Engine } from '../engine';
import { unpause, workflowActivities } from '../activityControl';

export function unpauseActivity(h: Engine, request: Pb): Pb {
  const { exec, activities } = workflowActivities(h, request);
  for (const activity of activities) {
    if (!activity.pause) continue;
    unpause(h, exec, activity, { jitterMs: toMs(request.jitter), resetAttempts: !!request.resetAttempts, resetHeartbeat: !!request.resetHeartbeat });
  }
  return {};
}
