/**
 * What every benchmark shares: the repository root, where its figures go (bench/results/<name>.json),
 * the facts of a run, and running as a process of its own.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root, whether this runs from bench/ (tsx) or dist/bench/ (compiled). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') dir = path.dirname(dir);
  return dir;
}

/** bench/results/<benchmark>.json: read back by a benchmark that keeps notes across runs. */
export const resultsPath = (benchmark: string): string => path.join(repoRoot(), 'bench', 'results', `${benchmark}.json`);

/** Writes the figures to {@link resultsPath}, pretty-printed; answers the path. */
export function writeResults(benchmark: string, results: unknown): string {
  const file = resultsPath(benchmark);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** The first fields of the Temporal server benchmarks' results: which benchmark, when, on what. */
export const runFacts = (benchmark: string) => ({ benchmark, measuredAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length });

/** Runs `main` as the whole process: exit 0 when it is done, or print its error and exit 1. */
export function runAsProcess(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
