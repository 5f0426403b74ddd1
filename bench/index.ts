/**
 * `npm run bench [-- <name>...]`: runs the named benchmarks (all when none is named). Each writes
 * its figures to bench/results/<name>.json; figures are ratios against baselines measured in the same run.
 */
import path from 'node:path';

const BENCHMARKS = ['temporal-server', 'verification'] as const;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !BENCHMARKS.includes(name as (typeof BENCHMARKS)[number]));
  if (unknown.length) {
    console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
    process.exit(2);
  }
  for (const name of wanted.length ? wanted : BENCHMARKS) {
    console.log(`\n== ${name}`);
    const benchmark = require(path.join(__dirname, name)) as { run(): Promise<void> };
    await benchmark.run();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
