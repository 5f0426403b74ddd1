import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';

/**
 * A Temporal client on `address` for the API; close it with `client.connection.close()`.
 * The connection is lazy and retries briefly, so the API starts and answers 503 while the
 * engine is away (rather than hanging a request for the SDK's default ~20 s of retries),
 * and reconnects by itself when the engine returns. Payloads go through `payloadCodec` (encryption:
 * the worker must use the same keys).
 */
export function temporalClient(address: string, namespace: string, payloadCodec: PayloadCodec): Client {
  const connection = Connection.lazy({
    address,
    connectTimeout: 5_000,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2_000 },
  });
  return new Client({ connection, namespace, dataConverter: { payloadCodecs: [payloadCodec] } });
}
