/**
 * `npm run db:seed -- --citizens 1000000 [--seed 42] [--today 2026-11-22]`: bulk-loads a deterministic
 * population (reference data first), with a progress bar. The same seed and day give the same people
 * (ages and card validity depend on the day); re-running adds nothing.
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { isCalendarDate } from '../../domain';
import { createDb } from '../knex';
import { migrateToLatest } from '../migrate';
import { systemClock } from '../../config/clock';
import { loadPopulation } from '../seed/loadPopulation';
import { seedReferenceData } from '../seed/referenceData';
import { connectForCommand } from './connect';

function options() {
  const { values } = parseArgs({
    options: { citizens: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, today: { type: 'string', default: systemClock.today() } },
  });
  const count = Number(values.citizens);
  const seed = Number(values.seed);
  if (!Number.isInteger(count) || count < 1 || count > 50_000_000) throw new Error('--citizens must be a whole number from 1 to 50,000,000');
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
  if (!isCalendarDate(values.today)) throw new Error('--today must be a date YYYY-MM-DD');
  return { count, seed, today: values.today };
}

async function run(): Promise<void> {
  const { count, seed, today } = options();
  const { databaseUrl, release } = await connectForCommand();
  const db = createDb(databaseUrl);
  const bar = new SingleBar({ format: 'citizens {bar} {percentage}% | {value}/{total} | {duration_formatted}' }, Presets.shades_classic);
  const started = Date.now();
  try {
    await migrateToLatest(db);
    await seedReferenceData(db);
    bar.start(count, 0);
    const loaded = await loadPopulation({
      databaseUrl,
      count,
      seed,
      today,
      onProgress: (streamed) => bar.update(streamed),
      onPhase: (phase) => phase === 'merging' && console.log('\nmerging into the registry…'),
    });
    bar.stop();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`loaded ${loaded.citizens} citizens and ${loaded.cards} cards in ${seconds} s`);
  } finally {
    bar.stop();
    await db.destroy();
    await release();
  }
}

run().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
