import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { temporalClient } from '../../config/temporal';
import { createDb, type Db } from '../../db/knex';
import { createWorkers, shutdownWorkers } from '../../worker/workers';
import { testPayloadCodec } from '../support/payloadCodec';
import { call, startApi, type RunningApi } from '../support/api';
import { acceptanceOf } from '../support/applicationsApi';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { startEnvironment } from '../workflows/harness';

// The API reaches PostgreSQL and the engine through proxies the tests cut, as a network outage would.
let env: TestWorkflowEnvironment;
let db: Db;
let apiDb: Db;
let temporal: Client;
let database: TcpProxy;
let engine: TcpProxy;
let api: RunningApi;
let workers: Worker[];
let running: Promise<unknown>;
let stationToken: string;
const prefix = `outage-${process.pid}`;

beforeAll(async () => {
  const environment = await startEnvironment();
  env = environment.env;
  db = testDb();
  workers = await createWorkers({ connection: env.nativeConnection, namespace: 'default', taskQueuePrefix: prefix, db, payloadCodec: testPayloadCodec, productionProvinces: ['41'], workflowBundle: environment.bundle });
  running = Promise.all(workers.map((worker) => worker.run()));

  const databaseUrl = new URL(process.env.DATABASE_URL!);
  database = await startTcpProxy(Number(databaseUrl.port));
  databaseUrl.port = String(database.port);
  apiDb = createDb(databaseUrl.toString(), { acquireTimeoutMs: 1_500 });
  engine = await startTcpProxy(Number(env.address.split(':').at(-1)));
  temporal = temporalClient(engine.address, 'default', testPayloadCodec);
  api = await startApi(apiDb, { temporal, config: { TEMPORAL_TASK_QUEUE_PREFIX: prefix } });
  stationToken = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shenzhenNanshan) });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await temporal?.connection.close();
  await apiDb?.destroy();
  await Promise.all([database?.close(), engine?.close()]);
  if (workers) shutdownWorkers(workers);
  await running;
  await env?.teardown();
  await db?.destroy();
});

const acceptance = (citizen: { idNumber: string; name: string }) => acceptanceOf(citizen);
const accept = (citizen: { idNumber: string; name: string }) => call(api, 'POST', '/v1/applications', { token: stationToken, body: acceptance(citizen) });

async function healthWithin(ms: number): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const { status } = await call(api, 'GET', '/health');
    if (status === 200 || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('when PostgreSQL becomes unreachable, then 503 with Retry-After; when it returns, the same process serves again', async () => {
  expect(await healthWithin(10_000)).toBe(200);
  expect((await call(api, 'GET', '/v1/applications', { token: stationToken })).status).toBe(200);

  database.cut();
  const health = await fetch(`${api.url}/health`);
  expect(health.status).toBe(503);
  expect(health.headers.get('retry-after')).toBe('5');
  expect(await health.json()).toMatchObject({ database: 'down' });
  const listing = await fetch(`${api.url}/v1/applications`, { headers: { authorization: `Bearer ${stationToken}` } });
  expect(listing.status).toBe(503);
  expect(listing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(listing.headers.get('retry-after')).toBe('5');
  expect(await listing.json()).toMatchObject({ code: 'service_unavailable', status: 503 });

  database.restore();
  expect(await healthWithin(10_000)).toBe(200);
  const citizen = await newCitizen(db);
  expect((await accept(citizen)).status).toBe(201);
}, 60_000);

test('when the workflow engine becomes unreachable, then acceptance answers 503 and records nothing; when it returns, acceptance works', async () => {
  const citizen = await newCitizen(db);
  expect(await healthWithin(10_000)).toBe(200);

  engine.cut();
  const refused = await accept(citizen);
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({ code: 'service_unavailable' });
  expect(await db('applications').where('idNumber', citizen.idNumber)).toHaveLength(0);
  expect((await call(api, 'GET', '/health')).body).toMatchObject({ workflowEngine: 'down', database: 'up' });

  engine.restore();
  expect(await healthWithin(10_000)).toBe(200);
  const accepted = await accept(citizen);
  expect(accepted.status).toBe(201);
  expect(accepted.body.stage).toBe('HOME_REVIEW');
}, 60_000);

test('when the workflow does not finish a step in time, then 202 with the application to read; it completes on its own and a retry finds it', async () => {
  const impatient = await startApi(db, { temporal: env.client, config: { TEMPORAL_TASK_QUEUE_PREFIX: prefix, WORKFLOW_WAIT_MS: 1 } });
  try {
    const citizen = await newCitizen(db);
    const headers = { 'Idempotency-Key': `impatient-${citizen.idNumber}` };
    const response = await fetch(`${impatient.url}/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stationToken}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(acceptance(citizen)),
    });
    const first = { status: response.status, body: (await response.json()) as { applicationId: string; inProgress: boolean } };
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ applicationId: expect.any(String), inProgress: true });
    expect(response.headers.get('location')).toBe(`/v1/applications/${first.body.applicationId}`);
    // In the caller's language, as every problem: Chinese by default. (A second impatient request here would
    // leave its engine call pending when the file's connection closes: the SDK's retry then throws in a timer.)
    expect({ language: response.headers.get('content-language'), detail: (first.body as unknown as { detail: string }).detail }).toEqual({ language: 'zh-CN', detail: expect.stringContaining('将自行继续办理') });

    // Nothing was lost: the same request again, once the workflow has recorded it, returns that application.
    const retried = await call(api, 'POST', '/v1/applications', { token: stationToken, body: acceptance(citizen), headers });
    expect(retried.status).toBe(200);
    expect(retried.body.applicationId).toBe(first.body.applicationId);
    expect(await db('applications').where('idNumber', citizen.idNumber)).toHaveLength(1);
  } finally {
    await impatient.close();
  }
}, 60_000);
