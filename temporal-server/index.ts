/**
 * An embedded Temporal-compatible gRPC server, enough for the official TypeScript SDK's client,
 * worker and test environment. See README.md for what it does and does not support.
 */
import * as grpc from '@grpc/grpc-js';
import { VirtualClock } from './clock';
import { Engine } from './engine';
import { addServices } from './grpc';
import { isReserved, parseType, TYPE_NAMES } from './searchAttributes';
import { Schedules } from './schedules/scheduler';
import { NexusOperations } from './nexus/operations';
import { SqliteStore } from './sqliteStore';
import { StandaloneActivities } from './standaloneActivities/activities';

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
  /**
   * Custom search attributes registered in every namespace above at start (`--search-attribute
   * NAME=TYPE`), by name: `Keyword`, `Text`, `Int`, `Double`, `Bool`, `Datetime`, `KeywordList`.
   */
  searchAttributes?: Record<string, string>;
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

/** @throws Error for a reserved name, an unknown type, or a name the file has with another type. */
function registerSearchAttributes(store: SqliteStore, namespaces: string[], wanted: Record<string, string>): void {
  for (const [name, typeName] of Object.entries(wanted)) {
    const type = parseType(typeName);
    if (!type) throw new Error(`search attribute ${name}: unknown type "${typeName}" (one of ${TYPE_NAMES.join(', ')})`);
    if (isReserved(name)) throw new Error(`search attribute ${name} is reserved by the system`);
    for (const namespace of namespaces) {
      const current = store.customSearchAttributes(namespace)[name];
      if (current && current !== type) throw new Error(`search attribute ${name} is registered in namespace ${namespace} as ${current}, not ${type}`);
      if (!current) store.setSearchAttribute(namespace, name, type);
    }
  }
}

export async function start(opts: StartOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const store = new SqliteStore({ filename: opts.dbFilename, synchronous: opts.synchronous });
  try {
    store.transact(() => {
      for (const namespace of ['default', ...(opts.namespaces ?? [])]) store.addNamespace(namespace);
    });
    registerSearchAttributes(store, ['default', ...(opts.namespaces ?? [])], opts.searchAttributes ?? {});
  } catch (error) {
    store.close();
    throw error;
  }
  const engine = new Engine({ store, clock: new VirtualClock(!!opts.timeSkipping) });
  engine.schedules = new Schedules(engine);
  engine.standaloneActivities = new StandaloneActivities(engine);
  engine.nexus = new NexusOperations(engine);
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
