/** RespondActivityTaskFailed (and ...ById): retried under its policy, or closed with the failure. */
import { toMs, type Pb } from '../proto';
import type { Engine } from '../engine';

export function failActivity(h: Engine, request: Pb): Pb {
  const { exec, activity } = h.activityByToken(request);
  if (request.lastHeartbeatDetails) activity.heartbeatDetails = request.lastHeartbeatDetails;
  const failure: Pb = request.failure ?? { message: 'activity failed' };
  const info = failure.applicationFailureInfo;
  const nonRetryable = !!info?.nonRetryable || (info?.type !== undefined && activity.retryPolicy.nonRetryableErrorTypes.includes(info.type));
  const retryState = nonRetryable ? 'RETRY_STATE_NON_RETRYABLE_FAILURE' : h.retry(exec, activity, failure, toMs(info?.nextRetryDelay));
  if (retryState) {
    h.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_FAILED', { failure, identity: request.identity ?? '', retryState }, true);
  }
  return { failures: [] };
}
