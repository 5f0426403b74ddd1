/**
 * Timer tasks, typed as the history service types them, and the one queue that runs them on the
 * (virtual) clock. A task is plain data naming its run; when it fires, the engine loads the run
 * and its handler checks the task still applies (an activity's attempt, a workflow task's token).
 * Only the tasks of live runs are here: at start the engine sets them again from the store.
 */
import type { ScheduledEntry, VirtualClock } from './clock';

export type ActivityTimeoutKind = 'schedule-to-close' | 'schedule-to-start' | 'start-to-close' | 'heartbeat';
export type NexusTimeoutKind = 'schedule-to-close' | 'schedule-to-start' | 'start-to-close';

export type TimerTask =
  /** A workflow's own timer (StartTimer command). */
  | { type: 'userTimer'; timerId: string }
  /** One of an activity's four timeouts; `token` pins it to one attempt where that matters. */
  | { type: 'activityTimeout'; scheduledEventId: number; kind: ActivityTimeoutKind; token?: string }
  /** An activity's next attempt, after its retry backoff. */
  | { type: 'activityRetry'; scheduledEventId: number }
  /** A started workflow task's start-to-close timeout. */
  | { type: 'workflowTaskTimeout'; token: string }
  /** A task on a sticky queue nobody took: back to the normal queue. */
  | { type: 'stickyTimeout'; scheduledEventId: number }
  | { type: 'runTimeout' }
  /** The first workflow task of a start with a delay. */
  | { type: 'startDelay' }
  /** A schedule's next wake-up (`schedules/`): set under the run key `schedule:<id>`. */
  | { type: 'scheduleWakeup'; scheduleId: string }
  /** One of a Nexus operation's three timeouts, its next attempt, or a task out with a worker too long (`nexus/`). */
  | { type: 'nexus'; scheduledEventId: number; kind: NexusTimeoutKind | 'retry' | 'task'; token?: string };

/** At most one task of each name per run: setting it again replaces the earlier one. */
export function timerName(task: TimerTask): string {
  switch (task.type) {
    case 'userTimer':
      return `timer:${task.timerId}`;
    case 'activityTimeout':
      return `activity:${task.scheduledEventId}:${task.kind}`;
    case 'activityRetry':
      return `activity:${task.scheduledEventId}:retry`;
    case 'nexus':
      return `nexus:${task.scheduledEventId}:${task.kind}`;
    default:
      return task.type;
  }
}

export const ACTIVITY_TIMER_NAMES = (scheduledEventId: number, all: boolean): string[] =>
  (all ? ['schedule-to-close', 'schedule-to-start', 'start-to-close', 'heartbeat', 'retry'] : ['schedule-to-start', 'start-to-close', 'heartbeat']).map(
    (kind) => `activity:${scheduledEventId}:${kind}`,
  );

export class TimerQueue {
  /** Scheduled tasks by run (`namespace/runId`), then by name. A run without tasks has no entry. */
  private readonly byRun = new Map<string, Map<string, ScheduledEntry>>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly fire: (namespace: string, runId: string, task: TimerTask) => void,
  ) {}

  set(namespace: string, runId: string, at: number, task: TimerTask): void {
    const runKey = `${namespace}/${runId}`;
    const name = timerName(task);
    let tasks = this.byRun.get(runKey);
    if (!tasks) this.byRun.set(runKey, (tasks = new Map()));
    tasks.get(name)?.cancel();
    tasks.set(
      name,
      this.clock.schedule(at, () => {
        this.forget(runKey, name);
        this.fire(namespace, runId, task);
      }),
    );
  }

  clear(namespace: string, runId: string, name: string): void {
    const runKey = `${namespace}/${runId}`;
    this.byRun.get(runKey)?.get(name)?.cancel();
    this.forget(runKey, name);
  }

  /** Every task of a run that closed. */
  clearRun(namespace: string, runId: string): void {
    const runKey = `${namespace}/${runId}`;
    for (const entry of this.byRun.get(runKey)?.values() ?? []) entry.cancel();
    this.byRun.delete(runKey);
  }

  clearAll(): void {
    for (const tasks of this.byRun.values()) for (const entry of tasks.values()) entry.cancel();
    this.byRun.clear();
  }

  private forget(runKey: string, name: string): void {
    const tasks = this.byRun.get(runKey);
    if (!tasks) return;
    tasks.delete(name);
    if (tasks.size === 0) this.byRun.delete(runKey);
  }
}
