/** DescribeWorkflowExecution: configuration, status, pending activities (paused or not, their options) and workflow task. */
import { duration, timestamp, type Pb } from '../proto';
import type { Engine } from '../engine';
import { executionInfo } from '../executionInfo';
import { activityOptions, pauseInfo, pendingActivityState } from '../activityControl';

export function describe(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.getExecution(namespace, request.execution);
  const task = exec.workflowTask;
  return {
    executionConfig: {
      taskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowExecutionTimeout: duration(exec.executionTimeoutMs),
      workflowRunTimeout: duration(exec.runTimeoutMs),
      defaultWorkflowTaskTimeout: duration(exec.workflowTaskTimeoutMs),
    },
    workflowExecutionInfo: executionInfo(h, exec),
    pendingActivities: Object.values(exec.activities).map((activity) => ({
      activityId: activity.activityId,
      activityType: { name: activity.activityType },
      state: pendingActivityState(activity),
      heartbeatDetails: activity.heartbeatDetails,
      lastHeartbeatTime: activity.lastHeartbeatTime ? timestamp(activity.lastHeartbeatTime) : undefined,
      lastStartedTime: activity.startedTime ? timestamp(activity.startedTime) : undefined,
      attempt: activity.attempt,
      maximumAttempts: activity.retryPolicy.maximumAttempts,
      scheduledTime: timestamp(activity.attemptScheduledTime),
      expirationTime: activity.scheduleToCloseMs ? timestamp(activity.scheduledTime + activity.scheduleToCloseMs) : undefined,
      lastFailure: activity.lastFailure,
      lastWorkerIdentity: activity.startedIdentity ?? '',
      nextAttemptScheduleTime: activity.phase === 'backoff' ? timestamp(activity.retryTime!) : undefined,
      paused: !!activity.pause,
      pauseInfo: activity.pause ? pauseInfo(activity.pause) : undefined,
      activityOptions: activityOptions(activity),
    })),
    pendingWorkflowTask: task
      ? {
          state: task.startedEventId ? 'PENDING_WORKFLOW_TASK_STATE_STARTED' : 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED',
          scheduledTime: timestamp(task.scheduledTime),
          originalScheduledTime: timestamp(task.scheduledTime),
          startedTime: task.startedTime ? timestamp(task.startedTime) : undefined,
          attempt: task.attempt,
        }
      : undefined,
  };
}
