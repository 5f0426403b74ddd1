import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { taskQueues } from '../workflows/contract';
import { MANAGERS_DIGEST_SCHEDULE_ID, MANAGERS_DIGEST_TIME_ZONE, MANAGERS_DIGEST_WORKFLOW, type ManagersDigestInput } from '../workflows/managersDigestContract';

/** What the digest's schedule is kept at: MANAGERS_DIGEST_TIME, DEADLINE_WARNING_DAYS and the applications queue. */
export interface ManagersDigestScheduleSettings {
  /** `HH:MM`, China time (validated in `config/`). */
  time: string;
  warningDays: number;
  taskQueuePrefix: string;
}

/**
 * How long after its time a missed digest (engine or worker down at 08:00) is still started when they
 * return: the same working day. An older one is dropped: the next morning's comes sooner than it is useful.
 */
export const MANAGERS_DIGEST_CATCHUP_WINDOW_MS = 12 * 3_600_000;

/** A stuck run ends before the next day's time comes, so SKIP never skips a day for it. */
const RUN_TIMEOUT = '20 hours';

export function managersDigestScheduleOptions(settings: ManagersDigestScheduleSettings): ScheduleOptions {
  const { hour, minute } = clockTime(settings.time);
  const input: ManagersDigestInput = { warningDays: settings.warningDays };
  return {
    scheduleId: MANAGERS_DIGEST_SCHEDULE_ID,
    spec: { calendars: [{ hour, minute, comment: 'managers daily digest (MANAGERS_DIGEST_TIME, China time)' }], timezone: MANAGERS_DIGEST_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: MANAGERS_DIGEST_WORKFLOW,
      workflowId: MANAGERS_DIGEST_SCHEDULE_ID,
      taskQueue: taskQueues.applications(settings.taskQueuePrefix),
      args: [input],
      workflowExecutionTimeout: RUN_TIMEOUT,
    },
    // A day's digest still running (the database away) when the next time comes: that one is skipped, not stacked.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: MANAGERS_DIGEST_CATCHUP_WINDOW_MS },
  };
}

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Creates the managers' daily digest schedule, or brings an existing one to `settings` (time, warning
 * days, task queue, policies) if it differs; as it is, it is left alone. Safe to call at every worker
 * start, from several workers at once, against the embedded engine or a real cluster.
 * @throws the client's errors when the engine cannot be reached or refuses the schedule.
 */
export async function ensureManagersDigestSchedule(client: Client, settings: ManagersDigestScheduleSettings): Promise<ScheduleOutcome> {
  const options = managersDigestScheduleOptions(settings);
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(MANAGERS_DIGEST_SCHEDULE_ID);
  if (isAsConfigured(await handle.describe(), settings)) return 'unchanged';
  try {
    await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  } catch (error) {
    // Another worker starting at the same moment updated it first (a stale conflict token): fine if it is right now.
    if (!isAsConfigured(await handle.describe(), settings)) throw error;
  }
  return 'updated';
}

/** Whether a described schedule is the digest's as `settings` want it. */
export function isAsConfigured(description: ScheduleDescription, settings: ManagersDigestScheduleSettings): boolean {
  const { hour, minute } = clockTime(settings.time);
  const { spec, action, policies } = description;
  const calendar = spec.calendars?.length === 1 ? spec.calendars[0] : undefined;
  const input = action.args?.[0] as Partial<ManagersDigestInput> | undefined;
  return (
    calendar !== undefined &&
    !spec.intervals?.length &&
    spec.timezone === MANAGERS_DIGEST_TIME_ZONE &&
    single(calendar.hour) === hour &&
    single(calendar.minute) === minute &&
    (single(calendar.second) ?? 0) === 0 &&
    everyDay(calendar) &&
    action.workflowType === MANAGERS_DIGEST_WORKFLOW &&
    action.taskQueue === taskQueues.applications(settings.taskQueuePrefix) &&
    input?.warningDays === settings.warningDays &&
    policies.overlap === ScheduleOverlapPolicy.SKIP &&
    policies.catchupWindow === MANAGERS_DIGEST_CATCHUP_WINDOW_MS
  );
}

type Ranges = ReadonlyArray<{ start: unknown; end?: unknown; step?: number }> | undefined;

/** The one value a described calendar field holds; undefined when it holds none, NaN (equal to no time) for several or a range. */
function single(ranges: Ranges): number | undefined {
  if (!ranges || ranges.length !== 1) return ranges?.length === 0 ? undefined : Number.NaN;
  const [range] = ranges;
  return range.end === undefined || range.end === range.start ? (range.start as number) : Number.NaN;
}

/** Each day of every month and weekday (what an unset field means; the client names months and weekdays): nobody narrowed the days by hand. */
function everyDay(calendar: NonNullable<ScheduleDescription['spec']['calendars']>[number]): boolean {
  const all = (ranges: Ranges, first: unknown, last: unknown) => !ranges?.length || ranges.some((range) => range.start === first && range.end === last && (range.step ?? 1) === 1);
  return all(calendar.dayOfMonth, 1, 31) && all(calendar.month, 'JANUARY', 'DECEMBER') && all(calendar.dayOfWeek, 'SUNDAY', 'SATURDAY') && !calendar.year?.length;
}

function clockTime(time: string): { hour: number; minute: number } {
  const [hour, minute] = time.split(':').map(Number);
  return { hour, minute };
}

/**
 * At a worker's start: the digest's schedule as configured (MANAGERS_DIGEST_TIME, DEADLINE_WARNING_DAYS,
 * TEMPORAL_TASK_QUEUE_PREFIX). A failure is logged, not fatal: the applications' work goes on without
 * the digest, and the next worker start tries again.
 */
export async function keepManagersDigestSchedule(client: Client, config: Pick<Config, 'MANAGERS_DIGEST_TIME' | 'DEADLINE_WARNING_DAYS' | 'TEMPORAL_TASK_QUEUE_PREFIX'>, logger: Logger): Promise<void> {
  const settings = { time: config.MANAGERS_DIGEST_TIME, warningDays: config.DEADLINE_WARNING_DAYS, taskQueuePrefix: config.TEMPORAL_TASK_QUEUE_PREFIX };
  try {
    const outcome = await ensureManagersDigestSchedule(client, settings);
    logger.info({ scheduleId: MANAGERS_DIGEST_SCHEDULE_ID, outcome, time: settings.time, timeZone: MANAGERS_DIGEST_TIME_ZONE }, `managers' daily digest schedule ${outcome}`);
  } catch (error) {
    logger.error({ err: error, scheduleId: MANAGERS_DIGEST_SCHEDULE_ID }, "the managers' daily digest schedule could not be created or updated");
  }
}
