/** RespondActivityTaskCanceled (and ...ById): a cancellation the workflow asked for, confirmed by the activity. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function cancelActivityRequest(h: Engine, request: Pb): Pb {
  const { exec, activity } = h.activityByToken(request);
  h.closeActivity(
    exec,
    activity,
    'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
    { details: request.details, latestCancelRequestedEventId: activity.cancelRequestedEventId ?? 0, identity: request.identity ?? '' },
    true,
  );
  return {};
}
