import type { WorkflowHandle } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';

type Timestamp = temporal.api.history.v1.IHistoryEvent['eventTime'];
type Duration = temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout'];

const millis = (t: Timestamp | Duration): number => {
  if (!t) return 0;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
};

/** A durable timer the workflow started: the instant it was set for, and whether it fired. */
export interface TimerRecord {
  /** Workflow time when the timer was started plus its duration: the instant the workflow asked for. */
  target: number;
  fired: boolean;
}

/** A notification the workflow decided on, with the workflow time of that decision. */
export interface NotificationRecord {
  topic: string;
  decidedAt: number;
  dedupeKey: string;
}

/** A write of progress (read model, history, audit) the workflow decided on, with the instant it recorded. */
export interface ProgressRecord {
  action: string;
  at: number;
}

export interface Timeline {
  timers: TimerRecord[];
  notifications: NotificationRecord[];
  progress: ProgressRecord[];
}

/**
 * What the workflow decided and when, read from its history. Workflow time (`Date.now()` inside the
 * workflow) is the time of the workflow task that made the decision, so a timer's target is that
 * task's start plus the timer's duration: exactly the instant the code computed, to the millisecond,
 * however much real time the test server let pass around it.
 */
export async function timelineOf(handle: WorkflowHandle): Promise<Timeline> {
  const history = await handle.fetchHistory();
  // Activity inputs as the client's data converter reads them (through its payload codec, if any).
  const converter = handle.client.options.loadedDataConverter;
  const timers = new Map<string, TimerRecord>();
  const notifications: NotificationRecord[] = [];
  const progress: ProgressRecord[] = [];
  let workflowTime = 0;
  for (const event of history.events ?? []) {
    if (event.workflowTaskStartedEventAttributes) workflowTime = millis(event.eventTime);
    const started = event.timerStartedEventAttributes;
    if (started) timers.set(started.timerId!, { target: workflowTime + millis(started.startToFireTimeout), fired: false });
    const fired = event.timerFiredEventAttributes;
    if (fired) timers.get(fired.timerId!)!.fired = true;
    const scheduled = event.activityTaskScheduledEventAttributes;
    const input = () => decodeFromPayloadsAtIndex<Record<string, unknown>>(converter, 0, scheduled!.input!.payloads);
    if (scheduled?.activityType?.name === 'notify') {
      const notification = (await input()) as { topic: string; dedupeKey: string };
      notifications.push({ topic: notification.topic, dedupeKey: notification.dedupeKey, decidedAt: workflowTime });
    }
    if (scheduled?.activityType?.name === 'recordProgress') {
      const write = (await input()) as { action: string; at: string };
      progress.push({ action: write.action, at: Date.parse(write.at) });
    }
  }
  return { timers: [...timers.values()], notifications, progress };
}

/** The instants of the timers that fired, sorted. */
export const firedAt = (timeline: Timeline): number[] => timeline.timers.filter((timer) => timer.fired).map((timer) => timer.target).sort((a, b) => a - b);

/** The instants recorded for each write of `action`, in order. */
export const recorded = (timeline: Timeline, action: string): number[] => timeline.progress.filter((p) => p.action === action).map((p) => p.at);

/** When each notification of `topic` was decided, in order. */
export const decided = (timeline: Timeline, topic: string): number[] => timeline.notifications.filter((n) => n.topic === topic).map((n) => n.decidedAt);
