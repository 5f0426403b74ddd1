/**
 * The managers' daily digest, declared once: its workflow, the schedule that starts it, and what
 * passes through the engine — the warning window in, counts out. Names, citizen numbers and the
 * list itself stay in the database (the activity reads the read model and writes the outbox).
 */

export const MANAGERS_DIGEST_WORKFLOW = 'managersDigestWorkflow';

/** The schedule's id; its runs are `managers-daily-digest-<firing time>`. */
export const MANAGERS_DIGEST_SCHEDULE_ID = 'managers-daily-digest';

/** The digest's calendar runs on China's clock. */
export const MANAGERS_DIGEST_TIME_ZONE = 'Asia/Shanghai';

export interface ManagersDigestInput {
  /** Cases due within this many days are listed with the overdue ones (DEADLINE_WARNING_DAYS, as the due worklist). */
  warningDays: number;
}

/** The run's outcome: how many regions, digests and cases; nothing about any case. */
export interface ManagersDigestResult {
  /** China's date the digests are for. */
  date: string;
  regions: number;
  /** Digests this run wrote; the others were already written that day (a re-run or a trigger). */
  written: number;
  overdue: number;
  dueSoon: number;
}
