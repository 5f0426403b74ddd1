import { createHash } from 'node:crypto';
import { EncryptionCodec } from '../../config/payloadEncryption';

/**
 * The payload encryption of the tests' clients and workers: a fixed key, so that a worker in a child
 * process (and a client in another file) decrypts what the test's own wrote.
 */
export const TEST_PAYLOAD_KEY = { id: 'test', key: createHash('sha256').update('id-cards/test-payload-key').digest() };
export const testPayloadCodec = new EncryptionCodec([TEST_PAYLOAD_KEY]);
