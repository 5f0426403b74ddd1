/**
 * Custom search attributes and the list-filter language, through the official SDK against the
 * embedded server (dev-server form, attributes registered with `--search-attribute`): OperatorService
 * add/list/remove with the real server's errors, every type at start, upsert, child, continue-as-new
 * and signal-with-start, typed-payload checks, each filter operator on each type (both sides),
 * ORDER BY with keyset paging, count with GROUP BY ExecutionStatus, and the reasons of refused
 * filters. Histories are replayed. `fileBacked.test.ts` runs it again on a `--db-filename` file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { start } from '../../temporal-server';
import { finishSignal, keepsAttributesAsNew, parentWithAttributedChild, seesAttributes, upsertsSearchAttributes, type AttributeUpdate } from './fixtures/workflows';
import { eventTypes, expectReplays, localEnv, timeSkippingEnv, uniqueId, withWorker } from './helpers';
import { eventually, resultWithin } from '../support/bounds';

const Batch = defineSearchAttributeKey('Batch', SearchAttributeType.KEYWORD);
const Name = defineSearchAttributeKey('Name', SearchAttributeType.KEYWORD);
const Notes = defineSearchAttributeKey('Notes', SearchAttributeType.TEXT);
const Count = defineSearchAttributeKey('Count', SearchAttributeType.INT);
const Score = defineSearchAttributeKey('Score', SearchAttributeType.DOUBLE);
const Flag = defineSearchAttributeKey('Flag', SearchAttributeType.BOOL);
const Due = defineSearchAttributeKey('Due', SearchAttributeType.DATETIME);
const Tags = defineSearchAttributeKey('Tags', SearchAttributeType.KEYWORD_LIST);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await localEnv(undefined, [Batch, Name, Notes, Count, Score, Flag, Due, Tags]);
});

afterAll(async () => {
  await env?.teardown();
});

const countOf = async (query: string) => (await env.client.workflow.count(query)).count;


/** The gRPC error a call fails with. */
const failure = (promise: Promise<unknown>) => promise.then(
  () => {
    throw new Error('expected the call to fail');
  },
  (error: { cause?: { code?: number; details?: string }; code?: number; details?: string }) => error.cause ?? error,
);

const typedPairs = (values: { name?: string; notes?: string; count?: number; score?: number; flag?: boolean; due?: string; tags?: string[] }, batch: string) => [
  { key: Batch, value: batch },
  ...(values.name !== undefined ? [{ key: Name, value: values.name }] : []),
  ...(values.notes !== undefined ? [{ key: Notes, value: values.notes }] : []),
  ...(values.count !== undefined ? [{ key: Count, value: values.count }] : []),
  ...(values.score !== undefined ? [{ key: Score, value: values.score }] : []),
  ...(values.flag !== undefined ? [{ key: Flag, value: values.flag }] : []),
  ...(values.due !== undefined ? [{ key: Due, value: new Date(values.due) }] : []),
  ...(values.tags !== undefined ? [{ key: Tags, value: values.tags }] : []),
];

describe('OperatorService search attributes', () => {
  test('when attributes are added, listed and removed, then the list shows system and custom ones, and refusals are the real server\'s', async () => {
    const operator = env.connection.operatorService;
    const listed = await operator.listSearchAttributes({ namespace: 'default' });
    const { IndexedValueType } = temporal.api.enums.v1;
    expect(listed.customAttributes).toMatchObject({ Batch: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Notes: IndexedValueType.INDEXED_VALUE_TYPE_TEXT, Tags: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST, Due: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME });
    expect(listed.systemAttributes).toMatchObject({ WorkflowId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, StartTime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME, HistoryLength: IndexedValueType.INDEXED_VALUE_TYPE_INT });
    expect(listed.customAttributes).not.toHaveProperty('WorkflowId');

    await operator.addSearchAttributes({ namespace: 'default', searchAttributes: { Added: IndexedValueType.INDEXED_VALUE_TYPE_INT } });
    // The same name and type again is no error (the real server is idempotent).
    await operator.addSearchAttributes({ namespace: 'default', searchAttributes: { Added: IndexedValueType.INDEXED_VALUE_TYPE_INT } });
    expect((await operator.listSearchAttributes({ namespace: 'default' })).customAttributes).toHaveProperty('Added', IndexedValueType.INDEXED_VALUE_TYPE_INT);

    expect(await failure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: { Added: IndexedValueType.INDEXED_VALUE_TYPE_TEXT } }))).toMatchObject({
      code: status.ALREADY_EXISTS,
      details: 'Search attribute Added already exists.',
    });
    expect(await failure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: { WorkflowId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'Search attribute WorkflowId is reserved by system.',
    });
    expect(await failure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: { TemporalMine: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'Search attribute TemporalMine is reserved by system.',
    });
    expect(await failure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: { Untyped: IndexedValueType.INDEXED_VALUE_TYPE_UNSPECIFIED } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'Unknown search attribute type: INDEXED_VALUE_TYPE_UNSPECIFIED.',
    });
    expect(await failure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: {} }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'SearchAttributes are not set on request.' });
    expect(await failure(operator.removeSearchAttributes({ namespace: 'default', searchAttributes: ['WorkflowId'] }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'Unable to remove non-custom search attributes: WorkflowId.',
    });
    expect(await failure(operator.removeSearchAttributes({ namespace: 'default', searchAttributes: ['NeverAdded'] }))).toMatchObject({
      code: status.NOT_FOUND,
      details: "Search attribute NeverAdded doesn't exist.",
    });

    await operator.removeSearchAttributes({ namespace: 'default', searchAttributes: ['Added'] });
    expect((await operator.listSearchAttributes({ namespace: 'default' })).customAttributes).not.toHaveProperty('Added');
    // Removed, it is no longer a filter column.
    expect(await failure(env.client.workflow.count('Added = 1'))).toMatchObject({ code: status.INVALID_ARGUMENT, details: "invalid query: invalid expression: column name 'Added' is not a valid search attribute" });
  });

  test('when the test-server form is given --search-attribute, then they are registered besides the Java test server\'s own', async () => {
    const skipping = await timeSkippingEnv([defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD), defineSearchAttributeKey('Amount', SearchAttributeType.DOUBLE)]);
    try {
      const listed = await skipping.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      const { IndexedValueType } = temporal.api.enums.v1;
      expect(listed.customAttributes).toEqual({
        Stage: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        Amount: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
        CustomKeywordField: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        CustomStringField: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
        CustomTextField: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
        CustomIntField: IndexedValueType.INDEXED_VALUE_TYPE_INT,
        CustomDatetimeField: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
        CustomDoubleField: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
        CustomBoolField: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
      });
      // The dev-server form (this file's env) has only what it was given.
      expect((await env.connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes).not.toHaveProperty('CustomKeywordField');
    } finally {
      await skipping.teardown();
    }
  });
});

describe('search attributes on runs', () => {
  test('when a run starts with every type and upserts, then describe, list, the workflow and the history show them', async () => {
    await withWorker(env, async (taskQueue) => {
      const batch = uniqueId('batch');
      const handle = await env.client.workflow.start(upsertsSearchAttributes, {
        taskQueue,
        workflowId: uniqueId('sa'),
        typedSearchAttributes: typedPairs({ name: 'alpha', notes: 'The quick brown fox', count: 7, score: 1.5, flag: true, due: '2026-01-02T03:04:05.678Z', tags: ['red', 'green'] }, batch),
        args: [
          [
            { name: 'Count', type: 'INT', value: 8 },
            { name: 'Name', type: 'KEYWORD', value: null },
            { name: 'Tags', type: 'KEYWORD_LIST', value: ['blue'] },
          ] satisfies AttributeUpdate[],
        ],
      });
      const started = { Batch: batch, Name: 'alpha', Notes: 'The quick brown fox', Count: 7, Score: 1.5, Flag: true, Due: '2026-01-02T03:04:05.678Z', Tags: ['red', 'green'] };
      await eventually(async () => (await countOf(`Batch = '${batch}' AND Count = 8`)) === 1, 10_000, 'the upserted Count = 8 in the list');
      const described = await handle.describe();
      expect(Object.fromEntries(described.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]))).toEqual({
        Batch: batch,
        Notes: 'The quick brown fox',
        Count: 8,
        Score: 1.5,
        Flag: true,
        Due: new Date('2026-01-02T03:04:05.678Z'),
        Tags: ['blue'],
      });
      expect(described.searchAttributes).toMatchObject({ Batch: [batch], Count: [8], Tags: ['blue'] });
      expect(described.searchAttributes).not.toHaveProperty('Name');
      for await (const run of env.client.workflow.list({ query: `Batch = '${batch}'` })) expect(run.typedSearchAttributes.get(Count)).toBe(8);

      await handle.signal(finishSignal);
      const seen = await resultWithin(handle);
      expect(seen.started).toEqual(started);
      const { Name: _removed, ...afterUpsert } = { ...started, Count: 8, Tags: ['blue'] };
      expect(seen.after).toEqual(afterUpsert);
      const types = await eventTypes(handle);
      expect(types).toContain('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES');
      const history = await handle.fetchHistory();
      const upsert = history.events!.find((event) => event.upsertWorkflowSearchAttributesEventAttributes)!.upsertWorkflowSearchAttributesEventAttributes!;
      expect(Object.keys(upsert.searchAttributes!.indexedFields!).sort()).toEqual(['Count', 'Name', 'Tags']);
      expect(Buffer.from(upsert.searchAttributes!.indexedFields!.Count.metadata!.type!).toString()).toBe('Int');
      await expectReplays(handle);
    });
  });

  test('when a start names an unregistered attribute or a value of the wrong type, then it is INVALID_ARGUMENT and nothing starts', async () => {
    const workflowId = uniqueId('sa-bad');
    const unknown = await failure(
      env.client.workflow.start(seesAttributes, { taskQueue: 'nobody', workflowId, typedSearchAttributes: [{ key: defineSearchAttributeKey('Nope', SearchAttributeType.KEYWORD), value: 'x' }] }),
    );
    expect(unknown).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'search attribute Nope is not defined' });
    const wrongType = await failure(env.client.workflow.start(seesAttributes, { taskQueue: 'nobody', workflowId, searchAttributes: { Count: ['seven'] } }));
    expect(wrongType).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'invalid value for search attribute Count of type Int: ["seven"]' });
    const twoValues = await failure(env.client.workflow.start(seesAttributes, { taskQueue: 'nobody', workflowId, searchAttributes: { Name: ['a', 'b'] } }));
    expect(twoValues).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'invalid value for search attribute Name of type Keyword: ["a","b"]' });
    const system = await failure(env.client.workflow.start(seesAttributes, { taskQueue: 'nobody', workflowId, searchAttributes: { WorkflowType: ['x'] } }));
    expect(system).toMatchObject({ code: status.INVALID_ARGUMENT, details: "WorkflowType attribute can't be set in SearchAttributes" });
    expect(await countOf(`WorkflowId = '${workflowId}'`)).toBe(0);
    // The untyped (legacy) form of a valid value is accepted and typed by the server.
    const legacy = await env.client.workflow.start(seesAttributes, { taskQueue: 'nobody', workflowId, searchAttributes: { Count: [3], Due: [new Date('2026-05-05T00:00:00Z')] } });
    const described = await legacy.describe();
    expect(described.typedSearchAttributes.get(Count)).toBe(3);
    expect(described.typedSearchAttributes.get(Due)).toEqual(new Date('2026-05-05T00:00:00Z'));
    await legacy.terminate();
  });

  test('when a workflow upserts an unregistered attribute, then its workflow task fails with BAD_SEARCH_ATTRIBUTES as the real server fails it', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(upsertsSearchAttributes, { taskQueue, workflowId: uniqueId('sa-upsert-bad'), args: [[{ name: 'Nope', type: 'KEYWORD', value: 'x' }]] });
      let failed: temporal.api.history.v1.IWorkflowTaskFailedEventAttributes | undefined;
      await eventually(async () => {
        const history = await handle.fetchHistory();
        failed = history.events?.find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes ?? undefined;
        return !!failed;
      }, 10_000, 'the failed workflow task');
      expect(failed?.cause).toBe(temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
      expect(failed?.failure?.message).toBe('BadSearchAttributes: search attribute Nope is not defined');
      expect(await eventTypes(handle)).not.toContain('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES');
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate();
    });
  });

  test('when a run continues as new, starts a child or is signal-started, then the new run carries its search attributes', async () => {
    await withWorker(env, async (taskQueue) => {
      const batch = uniqueId('carry');
      const asNew = await env.client.workflow.start(keepsAttributesAsNew, { taskQueue, workflowId: uniqueId('sa-can'), typedSearchAttributes: typedPairs({ count: 4, tags: ['x'] }, batch), args: [0] });
      expect(await resultWithin(asNew)).toEqual({ Batch: batch, Count: 4, Tags: ['x'] });
      expect(await countOf(`Batch = '${batch}' AND Count = 4`)).toBe(2);
      expect(await countOf(`Batch = '${batch}' AND ExecutionStatus = 'ContinuedAsNew'`)).toBe(1);
      await expectReplays(asNew);

      const parentHandle = await env.client.workflow.start(parentWithAttributedChild, {
        taskQueue,
        workflowId: uniqueId('sa-parent'),
        args: [[{ name: 'Batch', type: 'KEYWORD', value: batch }, { name: 'Due', type: 'DATETIME', value: '2030-01-01T00:00:00.000Z' }] satisfies AttributeUpdate[]],
      });
      expect(await resultWithin(parentHandle)).toEqual({ Batch: batch, Due: '2030-01-01T00:00:00.000Z' });
      expect(await countOf(`Batch = '${batch}' AND Due = '2030-01-01T00:00:00Z' AND ParentWorkflowId = '${parentHandle.workflowId}'`)).toBe(1);
      await expectReplays(parentHandle);

      const signalled = await env.client.workflow.signalWithStart(upsertsSearchAttributes, {
        taskQueue,
        workflowId: uniqueId('sa-sws'),
        args: [[]],
        signal: finishSignal,
        typedSearchAttributes: typedPairs({ flag: false }, batch),
      });
      expect((await resultWithin(signalled)).started).toEqual({ Batch: batch, Flag: false });
      expect(await countOf(`Batch = '${batch}' AND Flag = false`)).toBe(1);
    });
  });
});

describe('the list-filter language', () => {
  const batch = uniqueId('filter');
  const handles: Record<'a' | 'b' | 'c' | 'd', WorkflowHandle> = {} as never;
  let taskQueue: string;
  let before: string;

  /** Workflow ids a filter (scoped to this describe's runs) finds, as a, b, c, d, in list order. */
  const find = async (filter: string, order = ''): Promise<string[]> => {
    const names = new Map(Object.entries(handles).map(([letter, handle]) => [handle.workflowId, letter]));
    const out: string[] = [];
    for await (const run of env.client.workflow.list({ query: `Batch = '${batch}' AND (${filter})${order}` })) out.push(names.get(run.workflowId) ?? run.workflowId);
    return out;
  };
  const sorted = async (filter: string) => (await find(filter)).sort();
  const refused = async (query: string) => failure(env.client.workflow.count(query));

  beforeAll(async () => {
    before = new Date(Date.now() - 60_000).toISOString();
    taskQueue = uniqueId('tq');
    const values = {
      a: { name: 'alpha', notes: 'The quick brown fox', count: 1, score: 1.5, flag: true, due: '2026-01-01T00:00:00Z', tags: ['red', 'green'] },
      b: { name: 'beta', notes: 'lazy dog sleeps', count: 5, score: 2.5, flag: false, due: '2026-06-01T00:00:00Z', tags: ['blue'] },
      c: { name: 'alphabet', notes: 'quick thinking', count: 10, score: -3.25, flag: true, due: '2027-01-01T00:00:00Z', tags: ['red'] },
      d: {},
    };
    // In turn (so start and close times differ): a and b complete at once; c and d wait for a signal (they stay Running).
    await withWorker(
      env,
      async () => {
        for (const letter of ['a', 'b', 'c', 'd'] as const) {
          const workflow = letter === 'a' || letter === 'b' ? seesAttributes : upsertsSearchAttributes;
          handles[letter] = await env.client.workflow.start(workflow as typeof upsertsSearchAttributes, {
            taskQueue,
            workflowId: `${batch}-${letter}`,
            typedSearchAttributes: typedPairs(values[letter], batch),
            args: [[]],
          });
          if (letter === 'a' || letter === 'b') await resultWithin(handles[letter]);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await eventually(async () => (await handles.c.describe()).historyLength >= 4 && (await handles.d.describe()).historyLength >= 4, 10_000, 'runs c and d past their first task');
      },
      { taskQueue },
    );
  });

  afterAll(async () => {
    await Promise.all([handles.c?.terminate(), handles.d?.terminate()]);
  });

  test('when comparing an Int, then =, !=, <, <=, >, >=, IN, NOT IN and BETWEEN hold on both sides (a missing value matches none)', async () => {
    expect(await sorted('Count = 5')).toEqual(['b']);
    expect(await sorted('Count != 5')).toEqual(['a', 'c']);
    expect(await sorted('Count < 5')).toEqual(['a']);
    expect(await sorted('Count <= 5')).toEqual(['a', 'b']);
    expect(await sorted('Count > 5')).toEqual(['c']);
    expect(await sorted('Count >= 5')).toEqual(['b', 'c']);
    expect(await sorted('Count IN (1, 10)')).toEqual(['a', 'c']);
    expect(await sorted('Count NOT IN (1)')).toEqual(['b', 'c']);
    expect(await sorted('Count BETWEEN 2 AND 10')).toEqual(['b', 'c']);
    expect(await sorted('Count NOT BETWEEN 2 AND 10')).toEqual(['a']);
    expect(await sorted('`Count` = 5')).toEqual(['b']);
  });

  test('when comparing a Double, a Bool and a Datetime, then each comparison holds on both sides', async () => {
    expect(await sorted('Score > 0')).toEqual(['a', 'b']);
    expect(await sorted('Score < 0')).toEqual(['c']);
    expect(await sorted('Score = 2.5')).toEqual(['b']);
    expect(await sorted('Score BETWEEN -4 AND 2')).toEqual(['a', 'c']);
    expect(await sorted('Flag = true')).toEqual(['a', 'c']);
    expect(await sorted('Flag = false')).toEqual(['b']);
    expect(await sorted('Flag != true')).toEqual(['b']);
    expect(await sorted("Due > '2026-03-01T00:00:00Z'")).toEqual(['b', 'c']);
    expect(await sorted("Due <= '2026-06-01T00:00:00Z'")).toEqual(['a', 'b']);
    expect(await sorted("Due < '2026-06-01T00:00:00Z'")).toEqual(['a']);
    expect(await sorted("Due = '2026-06-01T08:00:00+08:00'")).toEqual(['b']);
    expect(await sorted("Due BETWEEN '2026-01-01T00:00:00Z' AND '2026-06-01T00:00:00.000Z'")).toEqual(['a', 'b']);
  });

  test('when comparing a Keyword, a KeywordList and a Text, then each of their operators holds on both sides', async () => {
    expect(await sorted("Name = 'alpha'")).toEqual(['a']);
    expect(await sorted("Name != 'alpha'")).toEqual(['b', 'c']);
    expect(await sorted("Name STARTS_WITH 'alpha'")).toEqual(['a', 'c']);
    expect(await sorted("Name NOT STARTS_WITH 'alpha'")).toEqual(['b']);
    expect(await sorted("Name IN ('beta', 'alphabet')")).toEqual(['b', 'c']);
    expect(await sorted("Name NOT IN ('beta', 'alphabet')")).toEqual(['a']);
    expect(await sorted("Name > 'alpha'")).toEqual(['b', 'c']);
    expect(await sorted("Name BETWEEN 'alpha' AND 'alphabet'")).toEqual(['a', 'c']);
    expect(await sorted('Name = "beta"')).toEqual(['b']);

    expect(await sorted("Tags = 'red'")).toEqual(['a', 'c']);
    expect(await sorted("Tags = 'blue'")).toEqual(['b']);
    expect(await sorted("Tags IN ('blue', 'green')")).toEqual(['a', 'b']);
    expect(await sorted("Tags != 'red'")).toEqual(['b', 'd']);
    expect(await sorted("Tags NOT IN ('red', 'blue')")).toEqual(['d']);

    expect(await sorted("Notes = 'quick'")).toEqual(['a', 'c']);
    expect(await sorted("Notes = 'DOG'")).toEqual(['b']);
    expect(await sorted("Notes = 'fox dog'")).toEqual(['a', 'b']);
    expect(await sorted("Notes = 'cat'")).toEqual([]);
    expect(await sorted("Notes != 'quick'")).toEqual(['b', 'd']);
  });

  test('when combining with IS NULL, AND, OR, NOT and parentheses, then AND binds tighter than OR', async () => {
    expect(await sorted('Count IS NULL')).toEqual(['d']);
    expect(await sorted('Count IS NOT NULL')).toEqual(['a', 'b', 'c']);
    expect(await sorted("Flag = true OR Name = 'beta' AND Count > 100")).toEqual(['a', 'c']);
    expect(await sorted("(Flag = true OR Name = 'beta') AND Count > 100")).toEqual([]);
    expect(await sorted('NOT (Count > 1)')).toEqual(['a']);
    expect(await sorted("Name = 'alpha' or name_is_not_a_keyword = 1").catch((error: { cause?: { details?: string } }) => error.cause?.details)).toBe(
      "invalid query: invalid expression: column name 'name_is_not_a_keyword' is not a valid search attribute",
    );
  });

  test('when filtering on system attributes, then WorkflowId, WorkflowType, RunId, ExecutionStatus, TaskQueue, times and HistoryLength match', async () => {
    expect(await sorted(`WorkflowId = '${handles.a.workflowId}'`)).toEqual(['a']);
    expect(await sorted("WorkflowType = 'seesAttributes'")).toEqual(['a', 'b']);
    const runId = (await handles.b.describe()).runId;
    expect(await sorted(`RunId = '${runId}'`)).toEqual(['b']);
    expect(await sorted("ExecutionStatus = 'Running'")).toEqual(['c', 'd']);
    expect(await sorted("ExecutionStatus = 'Completed'")).toEqual(['a', 'b']);
    expect(await sorted("ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_COMPLETED'")).toEqual(['a', 'b']);
    expect(await sorted('ExecutionStatus = 2')).toEqual(['a', 'b']);
    expect(await sorted(`TaskQueue = '${taskQueue}'`)).toEqual(['a', 'b', 'c', 'd']);
    expect(await sorted(`StartTime > '${before}'`)).toEqual(['a', 'b', 'c', 'd']);
    expect(await sorted(`StartTime < '${before}'`)).toEqual([]);
    expect(await sorted('CloseTime IS NULL')).toEqual(['c', 'd']);
    expect(await sorted(`CloseTime >= '${before}'`)).toEqual(['a', 'b']);
    expect(await sorted('HistoryLength = 5')).toEqual(['a', 'b']);
    expect(await sorted('HistoryLength < 5')).toEqual(['c', 'd']);
    expect(await sorted('ExecutionDuration >= 0')).toEqual(['a', 'b']);
    expect(await sorted("ExecutionDuration < '1h'")).toEqual(['a', 'b']);
  });

  test('when ordering, then ORDER BY sorts (a missing value first ascending, last descending) and the default is running first, newest first', async () => {
    expect(await find('Count IS NULL OR Count > 0', ' ORDER BY Count')).toEqual(['d', 'a', 'b', 'c']);
    expect(await find('Count IS NULL OR Count > 0', ' ORDER BY Count DESC')).toEqual(['c', 'b', 'a', 'd']);
    expect(await find('Count IS NULL OR Count > 0', ' ORDER BY Name ASC')).toEqual(['d', 'a', 'c', 'b']);
    expect(await find('Count IS NULL OR Count > 0', ' ORDER BY Flag DESC, Score')).toEqual(['c', 'a', 'b', 'd']);
    expect(await find('Count IS NULL OR Count > 0')).toEqual(['d', 'c', 'b', 'a']);
  });

  test('when paging one run at a time, then every run comes once in order, even when a run starts between pages', async () => {
    const service = env.client.workflowService;
    const query = `Batch = '${batch}' ORDER BY Count DESC`;
    const first = await service.listWorkflowExecutions({ namespace: 'default', query, pageSize: 1 });
    expect(first.executions.map((run) => run.execution?.workflowId)).toEqual([handles.c.workflowId]);
    // A run that sorts after the first page joins the rest of the listing, in its place.
    const late = await env.client.workflow.start(upsertsSearchAttributes, { taskQueue: 'nobody', workflowId: `${batch}-e`, typedSearchAttributes: typedPairs({ count: 0 }, batch), args: [[]] });
    try {
      const rest: string[] = [];
      let token = first.nextPageToken;
      while (token && token.length > 0) {
        const page = await service.listWorkflowExecutions({ namespace: 'default', query, pageSize: 1, nextPageToken: token });
        rest.push(...page.executions.map((run) => run.execution!.workflowId!));
        token = page.nextPageToken;
      }
      expect(rest).toEqual([handles.b.workflowId, handles.a.workflowId, late.workflowId, handles.d.workflowId]);
      const bad = await failure(service.listWorkflowExecutions({ namespace: 'default', query, pageSize: 1, nextPageToken: Buffer.from('nonsense') }));
      expect(bad).toMatchObject({ code: status.INVALID_ARGUMENT });
    } finally {
      await late.terminate();
    }
  });

  test('when counting, then the count matches, and GROUP BY ExecutionStatus gives one group per status', async () => {
    // Without the run the paging test started (and terminated) in the batch.
    const scope = `Batch = '${batch}' AND WorkflowId != '${batch}-e'`;
    expect(await countOf(scope)).toBe(4);
    expect(await countOf(`${scope} AND Count > 1`)).toBe(2);
    const grouped = await env.client.workflow.count(`${scope} GROUP BY ExecutionStatus`);
    expect(grouped.count).toBe(4);
    expect(grouped.groups.map((group) => [group.groupValues, group.count]).sort()).toEqual([
      [[['Completed']], 2],
      [[['Running']], 2],
    ]);
    const info = await env.client.workflowService.getSystemInfo({});
    expect(info.capabilities?.countGroupByExecutionStatus).toBe(true);
  });

  test('when a filter cannot be evaluated, then it is INVALID_ARGUMENT with the reason', async () => {
    const cases: Array<[string, string]> = [
      ["Nope = 'x'", "invalid query: invalid expression: column name 'Nope' is not a valid search attribute"],
      ["Name LIKE 'al%'", "invalid query: operation is not supported: operator 'LIKE' not supported for Keyword type search attribute 'Name'"],
      ["Notes > 'a'", "invalid query: operation is not supported: operator '>' not supported for Text type search attribute 'Notes'"],
      ["Tags STARTS_WITH 'r'", "invalid query: operation is not supported: operator 'STARTS_WITH' not supported for KeywordList type search attribute 'Tags'"],
      ["Count STARTS_WITH 1", "invalid query: operation is not supported: operator 'STARTS_WITH' not supported for Int type search attribute 'Count'"],
      ["Tags BETWEEN 'a' AND 'b'", "invalid query: invalid expression: cannot do range condition on search attribute 'Tags' of type KeywordList"],
      ['Flag BETWEEN true AND false', "invalid query: invalid expression: cannot do range condition on search attribute 'Flag' of type Bool"],
      ["Count = 'five'", 'invalid query: invalid expression: invalid value type for search attribute Count of type Int: "five" (type: string)'],
      ['Flag = 1', 'invalid query: invalid expression: invalid value type for search attribute Flag of type Bool: 1 (type: int64)'],
      ['Name = 5', 'invalid query: invalid expression: invalid value type for search attribute Name of type Keyword: 5 (type: int64)'],
      ["Due > 'yesterday'", "invalid query: invalid expression: unable to parse datetime 'yesterday'"],
      ['Name = alpha', 'invalid query: operation is not supported: column name on the right side of comparison expression (did you forget to quote "alpha"?)'],
      ["ExecutionStatus = 'Sleeping'", "invalid query: invalid expression: invalid ExecutionStatus value 'Sleeping'"],
      ["Name = 'a' AND", 'invalid query: malformed SQL query: syntax error at position 15 near the end of the query'],
      ["Name = 'a' Count = 1", "invalid query: malformed SQL query: syntax error at position 12 near 'Count'"],
      ["(Name = 'a'", 'invalid query: malformed SQL query: syntax error at position 12 near the end of the query'],
      ["Name = 'a", 'invalid query: malformed SQL query: syntax error at position 8: unterminated string'],
      ['Name', 'invalid query: invalid expression: incomplete expression'],
      ["Name = 'a' LIMIT 5", "invalid query: operation is not supported: 'LIMIT' clause"],
      ["Name = 'a' ORDER BY Notes", 'invalid query: operation is not supported: unable to sort by search attribute type Text'],
      ['GROUP BY WorkflowType', "invalid query: operation is not supported: 'GROUP BY' clause is not supported for search attribute WorkflowType"],
    ];
    for (const [query, reason] of cases) expect([query, await refused(query)]).toEqual([query, expect.objectContaining({ code: status.INVALID_ARGUMENT, details: reason })]);
    const listGroup = await failure(env.client.workflowService.listWorkflowExecutions({ namespace: 'default', query: 'GROUP BY ExecutionStatus' }));
    expect(listGroup).toMatchObject({ code: status.INVALID_ARGUMENT, details: "invalid query: operation is not supported: 'GROUP BY' clause" });
  });
});

// The restart test starts its own servers in-process on a file of its own: run once, not again file-backed.
(process.env.TEMPORAL_SERVER_DB === 'file' ? describe.skip : describe)('search attributes across a restart', () => {
  test('when the server restarts on its file, then registered attributes and the runs\' attributes are still there and filterable', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-sa-')), 'temporal.db');
    let server = await start({ dbFilename, searchAttributes: { Stage: 'Keyword', Deadline: 'Datetime' } });
    let connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      await connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: { Priority: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT } });
      const handle = await client.workflow.start(seesAttributes, {
        taskQueue: 'nobody',
        workflowId: uniqueId('sa-restart'),
        typedSearchAttributes: [
          { key: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD), value: 'review' },
          { key: defineSearchAttributeKey('Priority', SearchAttributeType.INT), value: 3 },
          { key: defineSearchAttributeKey('Deadline', SearchAttributeType.DATETIME), value: new Date('2026-12-01T00:00:00Z') },
        ],
      });
      await connection.close();
      await server.stop();

      // Started again without the flags: what was registered is in the file.
      server = await start({ dbFilename });
      connection = await Connection.connect({ address: server.address });
      const again = new Client({ connection });
      const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(listed.customAttributes).sort()).toEqual(['Deadline', 'Priority', 'Stage']);
      expect((await again.workflow.count("Stage = 'review' AND Priority >= 3 AND Deadline < '2027-01-01T00:00:00Z'")).count).toBe(1);
      const described = await again.workflow.getHandle(handle.workflowId).describe();
      expect(described.typedSearchAttributes.get(defineSearchAttributeKey('Priority', SearchAttributeType.INT))).toBe(3);
      await again.workflow.getHandle(handle.workflowId).terminate();
      await connection.close();
      await server.stop();

      // A file written before visibility rows existed gets them at open.
      const db = new Database(dbFilename);
      db.exec('ALTER TABLE executions DROP COLUMN visibility');
      db.close();
      server = await start({ dbFilename });
      connection = await Connection.connect({ address: server.address });
      const migrated = new Client({ connection });
      expect((await migrated.workflow.count(`WorkflowId = '${handle.workflowId}' AND ExecutionStatus = 'Terminated' AND Stage = 'review'`)).count).toBe(1);
      await expect(start({ dbFilename: path.join(path.dirname(dbFilename), 'other.db'), searchAttributes: { WorkflowId: 'Keyword' } })).rejects.toThrow(/reserved/);
    } finally {
      await connection.close();
      await server.stop();
    }
  });
});
