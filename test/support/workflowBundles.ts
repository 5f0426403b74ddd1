/**
 * Workflow bundles built once per jest run (webpack takes seconds of CPU each time) instead of once
 * per test file. `test/global-setup.ts` builds them and names their files in the environment; a file
 * run without the global set-up (`jest -c test/domain/jest.config.js`, Stryker) builds its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const workflowsPaths = {
  application: path.resolve(__dirname, '../../workflows'),
  serverFixtures: path.resolve(__dirname, '../temporal-server/fixtures/workflows'),
} as const;

export type BundleName = keyof typeof workflowsPaths;

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as any;

const envName = (name: BundleName) => `TEST_WORKFLOW_BUNDLE_${name.toUpperCase()}`;

const build = (name: BundleName) => bundleWorkflowCode({ workflowsPath: require.resolve(workflowsPaths[name]), logger: quietLogger });

/** Called by the global set-up: builds every bundle into `directory` and exports where each is. */
export async function buildSharedBundles(directory: string): Promise<void> {
  for (const name of Object.keys(workflowsPaths) as BundleName[]) {
    const file = path.join(directory, `${name}.bundle.json`);
    writeFileSync(file, JSON.stringify(await build(name)));
    process.env[envName(name)] = file;
  }
}

const loaded = new Map<BundleName, Promise<WorkflowBundleWithSourceMap>>();

/** The run's bundle of these workflows: read from the global set-up's file, or built once in this process. */
export function workflowBundle(name: BundleName): Promise<WorkflowBundleWithSourceMap> {
  let bundle = loaded.get(name);
  if (!bundle) {
    const file = process.env[envName(name)];
    bundle = file ? Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap) : build(name);
    loaded.set(name, bundle);
  }
  return bundle;
}
