import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { Db } from '../db/knex';
import { ndjsonFileChannel, smsGatewayChannel } from './channels';
import { createDispatcher, type Dispatcher } from './dispatcher';

/** The development channel's file when no SMS gateway is configured. */
export const notificationsFile = (config: Pick<Config, 'DATA_DIR'>) => path.join(config.DATA_DIR, 'notifications.ndjson');

/** The dispatcher as configured, running every NOTIFY_INTERVAL_MS; stop it before the database pool closes. */
export function startNotificationDispatcher(db: Db, config: Config, logger: Logger): Dispatcher {
  const dispatcher = createDispatcher({
    db,
    sms: config.SMS_GATEWAY_URL ? smsGatewayChannel(config.SMS_GATEWAY_URL) : ndjsonFileChannel(notificationsFile(config)),
    logger,
    maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    retryBaseMs: config.NOTIFY_RETRY_BASE_MS,
    pickupDays: config.PICKUP_REMINDER_DAYS,
  });
  dispatcher.start(config.NOTIFY_INTERVAL_MS);
  return dispatcher;
}
