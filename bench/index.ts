/**
 * `npm run bench [-- <name>...]`: runs the named benchmarks (all when none is named). Each writes
 * its figures to bench/results/<name>.json; figures are ratios against baselines measured in the same run.
 */
import * as acceptance from './acceptance';
import * as cardStatusFeed from './cardStatusFeed';
import * as lossReportCoherence from './lossReportCoherence';
import * as overdue from './overdue';
import * as temporalDurability from './temporal-durability';
import * as temporalServer from './temporal-server';
import * as temporalVisibility from './temporal-visibility';
import * as verification from './verification';
import { runAsProcess } from './benchmark';

const BENCHMARKS: Record<string, { run(): Promise<void> }> = {
  'temporal-server': temporalServer,
  'temporal-durability': temporalDurability,
  'temporal-visibility': temporalVisibility,
  verification,
  overdue,
  'loss-report-coherence': lossReportCoherence,
  'card-status-feed': cardStatusFeed,
  acceptance,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !(name in BENCHMARKS));
  if (unknown.length) {
    console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${Object.keys(BENCHMARKS).join(', ')})`);
    process.exit(2);
  }
  for (const name of wanted.length ? wanted : Object.keys(BENCHMARKS)) {
    console.log(`\n== ${name}`);
    await BENCHMARKS[name].run();
  }
}

runAsProcess(main);
