import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Workflow payloads (inputs, results, updates, queries, activity arguments) carry citizen numbers,
 * names and phone numbers. They are encrypted before they leave the process, so neither the engine,
 * its database nor its UI holds them in clear: AES-256-GCM, one key per id, the first key encrypts
 * and every key decrypts (rotation: put the new key first, keep the old ones until no running
 * workflow holds payloads written with them).
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

export interface PayloadKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const PAYLOAD_KEYS_FORMAT = 'id:base64key[,id:base64key…], each key 32 bytes in base64 (e.g. `openssl rand -base64 32`), ids of letters, digits, . _ -';

/**
 * Parses `id1:base64key,id2:base64key`. The error names what is wrong, never a key.
 * @throws Error when an entry is malformed, a key is not 32 bytes or an id repeats.
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error(`must be ${PAYLOAD_KEYS_FORMAT}`);
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const encoded = colon > 0 ? entry.slice(colon + 1) : '';
    if (!KEY_ID.test(id)) throw new Error(`entry ${index + 1}: must be ${PAYLOAD_KEYS_FORMAT}`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error(`key ${id}: not base64 (${PAYLOAD_KEYS_FORMAT})`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new Error(`key ${id}: must be 32 bytes, not ${key.length} (${PAYLOAD_KEYS_FORMAT})`);
    return { id, key };
  });
  const ids = keys.map((key) => key.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) throw new Error(`key id ${repeated} appears twice`);
  return keys;
}

/** A new key entry `id:base64key`, its id from the date and a random suffix. */
export function generatePayloadKey(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`;
}

/** Where `npm start` keeps its generated key, and where processes joining it read it. */
export const payloadKeysFile = (dataDir: string) => path.join(dataDir, 'payload-encryption-keys');

/**
 * The keys: `PAYLOAD_ENCRYPTION_KEYS` (already validated by `loadConfig`), or else the file `npm start`
 * keeps in DATA_DIR. With `createIfMissing` (`npm start` only) a first start writes a new key there,
 * readable by the owner only, so that a restart decrypts what the last run wrote.
 * @throws Error when neither gives keys (and none may be created), or the file is malformed.
 */
export async function resolvePayloadKeys(configured: PayloadKey[] | undefined, dataDir: string, options: { createIfMissing: boolean }): Promise<PayloadKey[]> {
  if (configured) return configured;
  const file = payloadKeysFile(dataDir);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined) {
    if (!options.createIfMissing) throw new Error(`Set PAYLOAD_ENCRYPTION_KEYS (${PAYLOAD_KEYS_FORMAT}), or run \`npm start\` first, which keeps a key in ${file}.`);
    await mkdir(dataDir, { recursive: true });
    text = generatePayloadKey() + '\n';
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  }
  await chmod(file, 0o600);
  try {
    return parsePayloadKeys(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The codec. Payloads without its encoding (written before encryption was turned on, e.g. the
 * recorded replay histories) pass through decoding unchanged.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  /** @throws Error without keys. */
  constructor(keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((key) => [key.id, key.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(this.current.id) },
        data,
      };
    });
  }

  /** @throws Error when a payload names a key not configured, or fails authentication. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!payload.metadata?.encoding || Buffer.from(payload.metadata.encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata[KEY_ID_METADATA] ?? []).toString();
      const key = this.byId.get(keyId);
      if (!key) throw new Error(`payload encrypted with key id ${JSON.stringify(keyId)}, which is not in PAYLOAD_ENCRYPTION_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}



