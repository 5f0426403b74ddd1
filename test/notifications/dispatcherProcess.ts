/**
 * A dispatcher in a process of its own, for tests that kill it: delivers to the development file
 * `NOTIFY_FILE`, pausing `PAUSE_MS` after each message has been written and before its delivery is
 * recorded (the window a crash must survive), and prints `delivered <outboxId>` per message.
 */
import { createDb } from '../../db/knex';
import { ndjsonFileChannel, type Channel } from '../../notifications/channels';
import { createDispatcher } from '../../notifications/dispatcher';

const db = createDb(process.env.DATABASE_URL!, { poolMax: 2 });
const file = ndjsonFileChannel(process.env.NOTIFY_FILE!);
const pauseMs = Number(process.env.PAUSE_MS ?? 0);
const sms: Channel = {
  name: file.name,
  async deliver(delivery, trx) {
    await file.deliver(delivery, trx);
    process.stdout.write(`sent ${delivery.outboxId}\n`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  },
};
const dispatcher = createDispatcher({ db, sms, maxAttempts: 8, retryBaseMs: 100, pickupDays: 30, batchSize: 1_000 });
dispatcher.start(20);
process.on('SIGTERM', () => {
  void dispatcher.stop().then(() => db.destroy()).then(() => process.exit(0));
});
