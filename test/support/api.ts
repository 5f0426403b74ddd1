import type { AddressInfo } from 'node:net';
import type { Client as TemporalClient } from '@temporalio/client';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../config';
import type { Clock } from '../../config/clock';
import { createLogger } from '../../config/logger';
import type { Db } from '../../db/knex';

export interface RunningApi {
  url: string;
  /** The metrics listener (`METRICS_PORT`), apart from the public port. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** The real API on a free port, against the test cluster. */
export async function startApi(db: Db, options: { temporal?: TemporalClient; config?: Partial<Config>; clock?: Clock } = {}): Promise<RunningApi> {
  const config = { ...loadConfig(), ...options.config };
  const api = createApp({ db, config, logger: createLogger('silent'), temporal: options.temporal, clock: options.clock });
  const server = api.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const metrics = api.metrics.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => metrics.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${(metrics.address() as AddressInfo).port}`,
    close: () => Promise.all([server, metrics].map((listening) => new Promise<void>((resolve) => {
      listening.closeAllConnections();
      listening.close(() => resolve());
    }))).then(api.close),
  };
}

/** JSON over real HTTP. */
export async function call(
  api: RunningApi,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; contentType: string | null; body: any }> {
  const response = await fetch(api.url + path, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the raw text is what the test sees.
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}
