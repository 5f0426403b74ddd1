/** RecordActivityTaskHeartbeat (and ...ById): progress details, the heartbeat timeout re-armed, cancellation, pause and reset reported back. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function heartbeat(h: Engine, request: Pb): Pb {
  const { exec, activity } = h.activityByToken(request);
  activity.lastHeartbeatTime = h.clock.now();
  if (request.details) activity.heartbeatDetails = request.details;
  h.armHeartbeatTimer(exec, activity);
  h.save(exec);
  return { cancelRequested: activity.cancelRequested, activityPaused: !!activity.pause, activityReset: !!activity.resetRequested };
}
