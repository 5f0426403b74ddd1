/**
 * An embedded Temporal-compatible gRPC server, enough for the official TypeScript SDK's client,
 * worker and test environment. See README.md for what it does and does not support.
 */
import * as grpc from '@grpc/grpc-js';
import { VirtualClock } from './clock';
import { Engine } from './engine';
import { addServices } from './grpc';
import { Schedules } from './schedules/scheduler';
import { SqliteStore } from './sqliteStore';

export interface StartOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Jump the clock ahead whenever nothing can happen before the next deadline (TestService semantics). */
  timeSkipping?: boolean;
  /** Namespaces besides `default`. */
  namespaces?: string[];
  /** Where the state is kept (`--db-filename`); absent: in memory, gone when the server stops. */
  dbFilename?: string;
  /** SQLite's `synchronous` for the file: NORMAL survives any process crash, FULL a power cut too. */
  synchronous?: 'NORMAL' | 'FULL';
}

export interface RunningServer {
  /** `host:port`, what SDK connections take as `address`. */
  address: string;
  port: number;
  /** Runs found running in the file at start, and put back on their timers and queues. */
  recovered: number;
  stop(): Promise<void>;
}

export async function start(opts: StartOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const store = new SqliteStore({ filename: opts.dbFilename, synchronous: opts.synchronous });
  store.transact(() => {
    for (const namespace of ['default', ...(opts.namespaces ?? [])]) store.addNamespace(namespace);
  });
  const engine = new Engine({ store, clock: new VirtualClock(!!opts.timeSkipping) });
  engine.schedules = new Schedules(engine);
  const recovered = engine.recover();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
  });
  addServices(server, engine);
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
  } catch (error) {
    engine.shutdown();
    store.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    recovered,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        engine.shutdown();
        const done = () => {
          store.close();
          resolve();
        };
        server.tryShutdown(done);
        // Long polls were answered by engine.shutdown(); a TestService sleep still pending is not, so do not wait forever.
        setTimeout(() => {
          server.forceShutdown();
          done();
        }, 2_000).unref();
      });
      return stopped;
    },
  };
}
