/** `npm run db:migrate [-- --down]`: brings the schema up to date (or rolls everything back). */
import { createDb } from '../knex';
import { migrateAllDown, migrateToLatest } from '../migrate';
import { connectForCommand } from './connect';

async function run(): Promise<void> {
  const { databaseUrl, release } = await connectForCommand();
  const db = createDb(databaseUrl);
  try {
    if (process.argv.includes('--down')) {
      await migrateAllDown(db);
      console.log('rolled back every migration');
    } else {
      const applied = await migrateToLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema already up to date');
    }
  } finally {
    await db.destroy();
    await release();
  }
}

run().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
