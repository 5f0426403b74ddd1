import type { ApplicationSettings } from '../workflows/contract';
import type { Config } from '.';

/**
 * The settings a new application's workflow is given from today's configuration (acceptance, the
 * go-live import, and reconciliation's restart of an application recorded before settings were kept).
 */
export function applicationSettings(config: Pick<Config, 'DEADLINE_DAYS' | 'DEADLINE_WARNING_DAYS' | 'REVIEW_REMINDER_DAYS' | 'PICKUP_REMINDER_DAYS' | 'REPRINT_LIMIT' | 'TEMPORAL_TASK_QUEUE_PREFIX'>): ApplicationSettings {
  return {
    deadlineDays: config.DEADLINE_DAYS,
    warningDays: config.DEADLINE_WARNING_DAYS,
    reviewReminderDays: config.REVIEW_REMINDER_DAYS,
    pickupReminderDays: config.PICKUP_REMINDER_DAYS,
    reprintLimit: config.REPRINT_LIMIT,
    taskQueuePrefix: config.TEMPORAL_TASK_QUEUE_PREFIX,
  };
}
