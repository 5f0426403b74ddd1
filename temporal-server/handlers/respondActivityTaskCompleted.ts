/** RespondActivityTaskCompleted (and ...ById): the activity closes and the workflow sees its result. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function completeActivity(h: Engine, request: Pb): Pb {
  const { exec, activity } = h.activityByToken(request);
  h.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { result: request.result, identity: request.identity ?? '' }, true);
  return {};
}
