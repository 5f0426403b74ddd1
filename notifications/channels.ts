import { appendFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/knex';

/**
 * Where a notification goes: a phone (SMS) or an in-system inbox. Channels share one interface;
 * each delivery carries a stable `key` (one per outbox row) so that a delivery repeated after a
 * crash between sending and recording is recognised: the inbox commits with the outbox row, the
 * SMS gateway receives the key as `Idempotency-Key`, the development file skips a key it holds.
 */
export type Recipient =
  | { kind: 'phone'; phone: string }
  | { kind: 'inbox'; role: 'station' | 'reviewer' | 'production' | 'manager'; stationCode: string | null; regionCode: string | null };

export interface Delivery {
  key: string;
  outboxId: number;
  topic: string;
  text: string;
  applicationId?: string;
  recipient: Recipient;
  at: Date;
}

export interface Channel {
  readonly name: string;
  /**
   * Delivers once per key. `trx` is the transaction that records the delivery.
   * @throws DeliveryFailure (permanent or to be retried); anything else is retried.
   */
  deliver(delivery: Delivery, trx: Db): Promise<void>;
}

/** A delivery that did not happen, with a stable code (never personal data) and whether retrying can help. */
export class DeliveryFailure extends Error {
  constructor(
    readonly code: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(code, options);
  }
}

/** The in-system inbox: a message row written in the delivering transaction, so exactly once. */
export const inboxChannel: Channel = {
  name: 'inbox',
  async deliver(delivery, trx) {
    if (delivery.recipient.kind !== 'inbox') throw new DeliveryFailure('wrong_channel', true);
    await trx('inbox')
      .insert({
        outboxId: delivery.outboxId,
        recipientRole: delivery.recipient.role,
        stationCode: delivery.recipient.stationCode,
        regionCode: delivery.recipient.regionCode,
        topic: delivery.topic,
        text: delivery.text,
        applicationId: delivery.applicationId ?? null,
      })
      .onConflict('outboxId')
      .ignore();
  },
};

/**
 * SMS through an HTTP gateway: `POST url` with `{ to, text, topic }` and `Idempotency-Key`; the
 * gateway must send a key once. 2xx is sent; 4xx other than 408/429 will never succeed (dead letter).
 */
export function smsGatewayChannel(url: string, timeoutMs = 10_000): Channel {
  return {
    name: 'sms',
    async deliver(delivery) {
      if (delivery.recipient.kind !== 'phone') throw new DeliveryFailure('wrong_channel', true);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': delivery.key },
          body: JSON.stringify({ to: delivery.recipient.phone, text: delivery.text, topic: delivery.topic }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
      } catch (error) {
        throw new DeliveryFailure('sms_gateway_unreachable', false, { cause: error });
      }
      if (response.ok) return;
      const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
      throw new DeliveryFailure(`sms_gateway_${response.status}`, permanent);
    },
  };
}

/**
 * Development SMS (no gateway configured): one JSON line per message appended to `file`,
 * `{ channel: "sms", to, topic, text, applicationId?, at, key }`. A key already in the file is not
 * written again: the file is indexed incrementally (only what was appended since the last look, by
 * any process) before each append, and appends are serialised within the process.
 */
export function ndjsonFileChannel(file: string): Channel {
  const keys = new Set<string>();
  let indexedBytes = 0;
  let queue: Promise<unknown> = Promise.resolve();

  async function catchUp(): Promise<void> {
    const handle = await open(file, 'a+');
    try {
      const { size } = await handle.stat();
      if (size <= indexedBytes) return;
      const buffer = Buffer.alloc(size - indexedBytes);
      await handle.read(buffer, 0, buffer.length, indexedBytes);
      const complete = buffer.lastIndexOf(0x0a) + 1;
      for (const line of buffer.subarray(0, complete).toString('utf8').split('\n')) {
        try {
          const key = line ? (JSON.parse(line) as { key?: unknown }).key : undefined;
          if (typeof key === 'string') keys.add(key);
        } catch {
          // A line someone else wrote by hand: not one of ours.
        }
      }
      indexedBytes += complete;
    } finally {
      await handle.close();
    }
  }

  return {
    name: 'sms',
    deliver(delivery) {
      const done = queue.then(async () => {
        if (delivery.recipient.kind !== 'phone') throw new DeliveryFailure('wrong_channel', true);
        await mkdir(path.dirname(file), { recursive: true });
        await catchUp();
        if (keys.has(delivery.key)) return;
        const line = { channel: 'sms', to: delivery.recipient.phone, topic: delivery.topic, text: delivery.text, ...(delivery.applicationId ? { applicationId: delivery.applicationId } : {}), at: delivery.at.toISOString(), key: delivery.key };
        // One write of a whole line with O_APPEND: a crash leaves the line whole or absent.
        await appendFile(file, JSON.stringify(line) + '\n');
        keys.add(delivery.key);
      });
      queue = done.catch(() => undefined);
      return done;
    },
  };
}
