import type { Logger } from '../config/logger';
import type { Db } from '../db/knex';
import { applicationNoticeFacts, claimNextOutboxRow, markOutboxDelivered, markOutboxFailed, stationRegion, type OutboxRow } from '../db/queries/notifications';
import { MANAGERS_DIGEST_TOPIC } from '../db/queries/managersDigest';
import { provinceCodeOf } from '../domain';
import { DeliveryFailure, inboxChannel, type Channel, type Recipient } from './channels';
import { templateFor, type DigestContext, type NoticeContext } from './templates';

const DAY = 86_400_000;

export interface DispatcherOptions {
  db: Db;
  /** The channel for applicants' phones: the SMS gateway, or the development file. */
  sms: Channel;
  logger?: Logger;
  /** Attempts before a notification becomes a dead letter. */
  maxAttempts: number;
  /** The first retry waits this long; each next one twice as long, up to an hour. */
  retryBaseMs: number;
  /** Applicants are asked to collect a card ready for pickup within this many days. */
  pickupDays: number;
  /** Notifications handed out per `runOnce`. */
  batchSize?: number;
}

export interface Dispatcher {
  /** Delivers what is due now, one row per transaction, up to a batch. Returns how many rows it settled. */
  runOnce(): Promise<number>;
  /** Runs `runOnce` every `intervalMs` (and at once) until `stop`. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

type Outcome = 'delivered' | 'failed' | 'none';

/**
 * The outbox dispatcher. Each notification is claimed in its own transaction with
 * `FOR UPDATE SKIP LOCKED`, so dispatchers in several processes never hold the same row; the row
 * is marked delivered in that transaction, after the channel took it. A dispatcher killed between
 * the two leaves the row undelivered and unlocked: another delivers it again under the same key,
 * which every channel recognises (see channels.ts) — so each recipient hears once per topic.
 * Failures are retried with exponential backoff, then left as dead letters for an admin.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, logger } = options;
  const batchSize = options.batchSize ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function settleOne(): Promise<Outcome> {
    return db.transaction(async (trx) => {
      const row = await claimNextOutboxRow(trx);
      if (!row) return 'none';
      try {
        const message = await compose(trx, row, options.pickupDays);
        if (!message) {
          // Nobody to tell (no phone taken at acceptance): settled without a channel.
          await markOutboxDelivered(trx, row.id, 'none');
          return 'delivered';
        }
        const channel = message.recipient.kind === 'inbox' ? inboxChannel : options.sms;
        // A savepoint: a channel's failed write must not spoil the transaction that records the failure.
        await trx.transaction((savepoint) => channel.deliver({ key: `outbox-${row.id}`, outboxId: row.id, topic: row.topic, at: new Date(), ...message }, savepoint));
        await markOutboxDelivered(trx, row.id, channel.name);
        return 'delivered';
      } catch (error) {
        const failure = error instanceof DeliveryFailure ? error : new DeliveryFailure('delivery_error', false, { cause: error });
        const attempts = row.attempts + 1;
        const dead = failure.permanent || attempts >= options.maxAttempts;
        const retryInMs = dead ? null : backoff(options.retryBaseMs, attempts);
        await markOutboxFailed(trx, row.id, { attempts, error: failure.code, retryInMs });
        // The row id and topic only: the recipient's number and the text stay out of logs.
        logger?.warn({ outboxId: row.id, topic: row.topic, code: failure.code, attempts, dead, err: error instanceof DeliveryFailure ? undefined : error }, 'notification not delivered');
        return 'failed';
      }
    });
  }

  async function runOnce(): Promise<number> {
    let settled = 0;
    while (settled < batchSize && !stopped) {
      const outcome = await settleOne();
      if (outcome === 'none') break;
      settled++;
    }
    return settled;
  }

  const tick = async () => {
    try {
      await runOnce();
    } catch (error) {
      logger?.error({ err: error }, 'notification dispatch failed; trying again next interval');
    }
  };

  return {
    runOnce,
    start(intervalMs) {
      const loop = () => {
        running = tick().then(() => {
          if (!stopped) timer = setTimeout(loop, intervalMs);
        });
      };
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** 2^(n-1) × base, at most an hour, with ±20 % jitter so that failed rows do not retry in lockstep. */
export function backoff(baseMs: number, attempt: number): number {
  const delay = Math.min(baseMs * 2 ** (attempt - 1), 3_600_000);
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

/**
 * The recipient and text of an outbox row, or undefined when there is nobody to tell.
 * @throws DeliveryFailure (permanent) for a topic without a template or an unknown recipient.
 */
export async function compose(db: Db, row: OutboxRow, pickupDays: number): Promise<{ recipient: Recipient; text: string; applicationId?: string } | undefined> {
  const template = templateFor(row.topic, row.recipientRole);
  if (!template) throw new DeliveryFailure('no_template', true);
  const applicationId = typeof row.payload.applicationId === 'string' ? row.payload.applicationId : undefined;
  const facts = applicationId ? await applicationNoticeFacts(db, applicationId) : undefined;
  const context: NoticeContext = {
    applicationId,
    receiptNumber: facts?.receiptNumber,
    deadlineAt: facts?.deadlineAt.toISOString() ?? (typeof row.payload.deadlineAt === 'string' ? row.payload.deadlineAt : undefined),
    stationName: facts?.stationName,
    stationAddress: facts?.stationAddress,
    refusalReason: facts?.refusalReason,
    pickupUntil: facts?.readyForPickupAt ? new Date(facts.readyForPickupAt.getTime() + pickupDays * DAY).toISOString() : undefined,
    deliverTo: typeof row.payload.deliverTo === 'string' ? row.payload.deliverTo : facts?.acceptingStationCode,
    // The digest's counts and list were written with it (as of the digest's instant), not looked up now.
    digest: row.topic === MANAGERS_DIGEST_TOPIC ? (row.payload as unknown as DigestContext) : undefined,
  };
  const text = template(context);
  const recipient = await recipientOf(db, row, facts?.contactPhone ?? null);
  return recipient && { recipient, text, ...(applicationId ? { applicationId } : {}) };
}

async function recipientOf(db: Db, row: OutboxRow, contactPhone: string | null): Promise<Recipient | undefined> {
  const code = row.recipientCode;
  switch (row.recipientRole) {
    case 'applicant':
      return contactPhone ? { kind: 'phone', phone: contactPhone } : undefined;
    case 'station':
      if (!code) break;
      return { kind: 'inbox', role: 'station', stationCode: code, regionCode: (await stationRegion(db, code)) ?? null };
    case 'manager':
      if (!code) return { kind: 'inbox', role: 'manager', stationCode: null, regionCode: null };
      // Deadline notices name the accepting station: its region's managers hear of them.
      if (!/^\d{6}$/.test(code)) return { kind: 'inbox', role: 'manager', stationCode: code, regionCode: (await stationRegion(db, code)) ?? null };
      return { kind: 'inbox', role: 'manager', stationCode: null, regionCode: code };
    case 'reviewer':
      if (!code) break;
      return { kind: 'inbox', role: 'reviewer', stationCode: null, regionCode: code };
    case 'production':
      if (!code) break;
      return { kind: 'inbox', role: 'production', stationCode: null, regionCode: provinceCodeOf(code) };
  }
  throw new DeliveryFailure('unknown_recipient', true);
}
