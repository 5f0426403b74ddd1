/**
 * ResetActivity: a workflow's pending activities (by id, type or all) start again from attempt 1;
 * one not with a worker is dispatched now (or within `jitter`) unless it stays paused (`keepPaused`);
 * one a worker holds hears of it by heartbeat. Optionally the heartbeat details go and the options
 * scheduled with it come back (`service/history/api/resetactivity`).
 */
import { toMs, type Pb } from '../proto';
import type { Engine } from '../engine';
import { applyOptions, reset, scheduledOptions, workflowActivities } from '../activityControl';

export function resetActivity(h: Engine, request: Pb): Pb {
  const { exec, activities } = workflowActivities(h, request);
  for (const activity of activities) {
    if (request.restoreOriginalOptions) applyOptions(h, exec, activity, scheduledOptions(h, exec, activity));
    reset(h, exec, activity, { jitterMs: toMs(request.jitter), keepPaused: !!request.keepPaused, resetHeartbeat: !!request.resetHeartbeat, attemptNow: true });
  }
  return {};
}
