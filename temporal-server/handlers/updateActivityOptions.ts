/**
 * UpdateActivityOptions: the fields an update mask names (task queue, the four timeouts, the retry
 * policy or its parts) change on a workflow's pending activities (by id, type or all), or they get
 * back the options they were scheduled with (`restoreOriginal`). Answers the options after the
 * update (`service/history/api/updateactivityoptions`).
 */
import { invalidArgument } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import { activityOptions, applyOptions, maskPaths, mergeOptions, scheduledOptions, workflowActivities } from '../activityControl';

export function updateActivityOptions(h: Engine, request: Pb): Pb {
  if (request.restoreOriginal && request.updateMask?.paths?.length) throw invalidArgument('Both UpdateMask and RestoreOriginal are provided');
  if (!request.restoreOriginal) {
    if (!request.activityOptions) throw invalidArgument('ActivityOptions are not provided');
    if (!request.updateMask) throw invalidArgument('UpdateMask is not provided');
  }
  const { exec, activities } = workflowActivities(h, request);
  const paths = maskPaths(request.updateMask);
  let options: Pb = {};
  for (const activity of activities) {
    const values = request.restoreOriginal ? scheduledOptions(h, exec, activity) : mergeOptions(activity, request.activityOptions, paths, exec.runTimeoutMs);
    applyOptions(h, exec, activity, values);
    options = activityOptions(activity);
  }
  return { activityOptions: options };
}
