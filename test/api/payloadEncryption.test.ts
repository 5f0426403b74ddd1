import { chmod, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { applicationWorkflowId } from '../../api/applications/workflowId';
import { ConfigError, loadConfig } from '../../config';
import { ENCRYPTED_ENCODING, EncryptionCodec, generatePayloadKey, parsePayloadKeys, resolvePayloadKeys } from '../../config/payloadEncryption';
import { call } from '../support/api';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';
import { testPayloadCodec } from '../support/payloadCodec';

let system: ApplicationsApi;

beforeAll(async () => {
  system = await startApplicationsApi({ productionProvinces: ['41'] });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

type Payload = temporal.api.common.v1.IPayload;

/** Every payload anywhere in a history (inputs, results, update arguments, activity arguments, failures' details). */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if ('data' in value && 'metadata' in value) found.push(value as Payload);
  for (const child of Object.values(value)) payloadsIn(child, found);
  return found;
}

/** Everything a reader of the history sees as text: strings, and bytes read as UTF-8 and as base64. */
function textOf(value: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node === 'string') parts.push(node);
    else if (node instanceof Uint8Array) parts.push(Buffer.from(node).toString('utf8'), Buffer.from(node).toString('base64'));
    else if (node !== null && typeof node === 'object') for (const child of Object.values(node)) walk(child);
  };
  walk(value);
  return parts.join('\n');
}

describe('workflow payloads seen by the engine', () => {
  test('when an application is accepted and reviewed through the API, then its history read from the engine without the codec holds no citizen number, name or phone, and with the codec it decodes', async () => {
    const citizen = await newCitizen(system.db);
    const phone = '13912345678';
    const station = await newToken(system.db, 'station', { stationCode: stationIn(COUNTIES.shenzhenNanshan) });
    const reviewer = await newToken(system.db, 'reviewer', { regionCode: '410000' });
    const accepted = await call(system.api, 'POST', '/v1/applications', { token: station, body: acceptanceOf(citizen, { contactPhone: phone }) });
    expect(accepted.status).toBe(201);
    const reviewed = await call(system.api, 'POST', `/v1/applications/${accepted.body.applicationId}/review`, { token: reviewer, body: { decision: 'approve' } });
    expect(reviewed.status).toBe(200);

    // Whoever reaches the engine's port, with a client of their own and no keys.
    const outsider = new Client({ connection: system.env.connection, namespace: 'default' });
    const history = await outsider.workflow.getHandle(applicationWorkflowId(citizen.idNumber)).fetchHistory();
    // The SDK's own markers (patches, search attributes) stay in clear; every payload of the app's is encrypted.
    const started = history.events!.find((event) => event.workflowExecutionStartedEventAttributes)!;
    const input = started.workflowExecutionStartedEventAttributes!.input!.payloads!;
    const appPayloads = [...input, ...history.events!.flatMap((event) => payloadsIn(event.activityTaskScheduledEventAttributes ?? event.workflowExecutionUpdateAcceptedEventAttributes ?? {}))];
    expect(appPayloads.length).toBeGreaterThan(2);
    for (const payload of appPayloads) expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    const seen = textOf(history);
    for (const secret of [citizen.idNumber, citizen.name, phone, Buffer.from(citizen.idNumber).toString('base64')]) expect(seen).not.toContain(secret);

    const [decoded] = await testPayloadCodec.decode(input as never);
    expect(defaultPayloadConverter.fromPayload(decoded)).toMatchObject({ idNumber: citizen.idNumber, contactPhone: phone });
  });
});

describe('payload codec', () => {
  const key = (entry: string) => parsePayloadKeys(entry)[0];

  test('when the key is rotated, then payloads written with the old key still decode, new ones use the new key, and a codec without the old key refuses them', async () => {
    const old = key(generatePayloadKey());
    const current = key(generatePayloadKey());
    const [written] = await new EncryptionCodec([old]).encode([defaultPayloadConverter.toPayload({ idNumber: '110101199003070019' })]);
    const rotated = new EncryptionCodec([current, old]);

    const [decoded] = await rotated.decode([written]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({ idNumber: '110101199003070019' });
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('x')]);
    expect(Buffer.from(fresh.metadata!['encryption-key-id']).toString()).toBe(current.id);
    await expect(new EncryptionCodec([current]).decode([written])).rejects.toThrow(old.id);
  });

  test('when a payload was written before encryption (no codec marker), then it passes through unchanged', async () => {
    const plain = defaultPayloadConverter.toPayload({ stage: 'ACCEPTED' });
    expect(await testPayloadCodec.decode([plain])).toEqual([plain]);
  });

  test('when a ciphertext is tampered with, then decoding fails', async () => {
    const [written] = await testPayloadCodec.encode([defaultPayloadConverter.toPayload('secret')]);
    const data = Buffer.from(written.data!);
    data[20] ^= 1;
    await expect(testPayloadCodec.decode([{ ...written, data }])).rejects.toThrow();
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  test('when keys are well formed, then the first encrypts and all are kept', () => {
    const entries = [generatePayloadKey(), generatePayloadKey()];
    expect(loadConfig({ PAYLOAD_ENCRYPTION_KEYS: entries.join(',') }).PAYLOAD_ENCRYPTION_KEYS!.map((k) => k.id)).toEqual(entries.map((e) => e.split(':')[0]));
  });

  test.each([
    ['no id', Buffer.alloc(32).toString('base64')],
    ['a short key', `a:${Buffer.alloc(16).toString('base64')}`],
    ['not base64', 'a:not*base64'],
    ['a repeated id', `a:${Buffer.alloc(32).toString('base64')},a:${Buffer.alloc(32, 1).toString('base64')}`],
  ])('when it has %s, then one clear line without the key', (_, value) => {
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION_KEYS: value })).toThrow(ConfigError);
    try {
      loadConfig({ PAYLOAD_ENCRYPTION_KEYS: value });
    } catch (error) {
      expect((error as Error).message).toMatch(/PAYLOAD_ENCRYPTION_KEYS: /);
      expect((error as Error).message).not.toContain(value.split(',')[0].split(':').pop());
    }
  });

  test('when unset, then npm start keeps a generated key in DATA_DIR (owner-only) and a restart reads the same one; a joining process without it is told what to set', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'payload-keys-'));
    await expect(resolvePayloadKeys(undefined, dataDir, { createIfMissing: false })).rejects.toThrow(/PAYLOAD_ENCRYPTION_KEYS/);
    const first = await resolvePayloadKeys(undefined, dataDir, { createIfMissing: true });
    const file = path.join(dataDir, 'payload-encryption-keys');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await chmod(file, 0o644);
    const again = await resolvePayloadKeys(undefined, dataDir, { createIfMissing: true });
    expect(again).toEqual(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[\w.-]+:[A-Za-z0-9+/]+=*$/);
    const configured = parsePayloadKeys(generatePayloadKey());
    expect(await resolvePayloadKeys(configured, dataDir, { createIfMissing: true })).toBe(configured);
  });
});
