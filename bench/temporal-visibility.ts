/**
 * Benchmark of the embedded Temporal server's visibility: 10,000 runs started with custom search
 * attributes of every type (file-backed), then lists and counts with the list-filter language.
 * Each figure is the mean wall time of one call through the SDK client, beside two baselines
 * measured in the same run: a bare unary gRPC call to the same server (`GetSystemInfo`, the
 * transport's floor) and decoding every run's record from the same file (what a list cost before
 * visibility rows: it read and decoded every matching run). Writes bench/results/temporal-visibility.json.
 *
 * Run: `npm run bench -- temporal-visibility` after `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { start } from '../temporal-server';
import { SqliteStore } from '../temporal-server/sqliteStore';
import { runAsProcess, runFacts, writeResults } from './benchmark';

const RUNS = Number(process.env.BENCH_VISIBILITY_RUNS ?? 10_000);
const REPEAT = 20;

const Stage = defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD);
const Priority = defineSearchAttributeKey('Priority', SearchAttributeType.INT);
const Amount = defineSearchAttributeKey('Amount', SearchAttributeType.DOUBLE);
const Urgent = defineSearchAttributeKey('Urgent', SearchAttributeType.BOOL);
const Due = defineSearchAttributeKey('Due', SearchAttributeType.DATETIME);
const Tags = defineSearchAttributeKey('Tags', SearchAttributeType.KEYWORD_LIST);
const Notes = defineSearchAttributeKey('Notes', SearchAttributeType.TEXT);
const STAGES = ['accepted', 'review', 'production', 'shipped', 'collected'];

/** Mean milliseconds of `call` over `REPEAT` calls, after one warm-up call. */
async function meanMs(call: () => Promise<unknown>): Promise<number> {
  await call();
  const started = process.hrtime.bigint();
  for (let i = 0; i < REPEAT; i++) await call();
  return Math.round((Number(process.hrtime.bigint() - started) / 1e6 / REPEAT) * 100) / 100;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-visibility-'));
  const dbFilename = path.join(dir, 'temporal.db');
  const server = await start({ dbFilename, searchAttributes: { Stage: 'Keyword', Priority: 'Int', Amount: 'Double', Urgent: 'Bool', Due: 'Datetime', Tags: 'KeywordList', Notes: 'Text' } });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const loadStarted = Date.now();
    let next = 0;
    const base = Date.parse('2026-01-01T00:00:00Z');
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < RUNS) {
          const i = next++;
          await client.workflow.start('sleepsForever', {
            taskQueue: 'bench-visibility-nobody',
            workflowId: `vis-${i}`,
            typedSearchAttributes: [
              { key: Stage, value: STAGES[i % STAGES.length] },
              { key: Priority, value: i % 100 },
              { key: Amount, value: (i % 1000) / 10 },
              { key: Urgent, value: i % 7 === 0 },
              { key: Due, value: new Date(base + (i % 365) * 86_400_000) },
              { key: Tags, value: [`region-${i % 20}`, `desk-${i % 3}`] },
              { key: Notes, value: i % 50 === 0 ? 'needs a second look' : 'routine' },
            ],
          });
        }
      }),
    );
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    console.log(`  ${RUNS} runs started with 7 attributes each in ${loadSeconds.toFixed(1)} s`);

    const baselineUnaryMs = await meanMs(() => connection.workflowService.getSystemInfo({}));
    const reader = new SqliteStore({ filename: dbFilename });
    const decodeAllMs = await meanMs(async () => reader.listVisibility('default', { order: [] }, RUNS + 1).records.length);
    reader.close();

    const firstPage = (query: string) => connection.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize: 100 });
    const cases: Record<string, () => Promise<unknown>> = {
      countAll: () => client.workflow.count(''),
      countKeywordAndIntRange: () => client.workflow.count("Stage = 'review' AND Priority BETWEEN 10 AND 40"),
      countGroupByExecutionStatus: () => client.workflow.count("Stage IN ('review', 'production') GROUP BY ExecutionStatus"),
      countKeywordListAndText: () => client.workflow.count("Tags = 'region-7' AND Notes = 'second'"),
      countDatetimeBoolOr: () => client.workflow.count("Due >= '2026-06-01T00:00:00Z' AND (Urgent = true OR Amount > 90.5)"),
      listFirstPage100Default: () => firstPage("Stage STARTS_WITH 'pro'"),
      listFirstPage100OrderByPriority: () => firstPage("Stage != 'shipped' ORDER BY Priority DESC, Due"),
      listAllPages1000: async () => {
        let token: Uint8Array | undefined;
        let total = 0;
        do {
          const page = await connection.workflowService.listWorkflowExecutions({ namespace: 'default', query: 'ORDER BY Amount', pageSize: 1000, nextPageToken: token });
          total += page.executions.length;
          token = page.nextPageToken?.length ? page.nextPageToken : undefined;
        } while (token);
        if (total !== RUNS) throw new Error(`paged ${total} runs, expected ${RUNS}`);
      },
    };
    const meanCallMs: Record<string, number> = {};
    for (const [name, call] of Object.entries(cases)) {
      meanCallMs[name] = await meanMs(call);
      console.log(`  ${name.padEnd(34)} ${String(meanCallMs[name]).padStart(8)} ms`);
    }
    console.log(`  baselines: bare unary call ${baselineUnaryMs} ms; decoding all ${RUNS} runs' records ${decodeAllMs} ms`);
    const ratio = (base: number) => Object.fromEntries(Object.entries(meanCallMs).map(([name, ms]) => [name, Math.round((ms / base) * 100) / 100]));
    const results = {
      ...runFacts('temporal-visibility'),
      runs: RUNS,
      repeat: REPEAT,
      note: 'mean wall time of one list/count call through the SDK client over runs with 7 custom search attributes (file-backed), beside a bare unary gRPC call to the same server and decoding every run record from the same file (a list before visibility rows)',
      loadSecondsFor10kStarts: loadSeconds,
      meanCallMs,
      baselineUnaryCallMs: baselineUnaryMs,
      baselineDecodeAllRunsMs: decodeAllMs,
      timesBareUnaryCall: ratio(baselineUnaryMs),
      fractionOfDecodingAllRuns: ratio(decodeAllMs),
    };
    writeResults('temporal-visibility', results);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runAsProcess(run);
