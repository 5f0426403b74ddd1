import express from 'express';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { Db } from '../db/knex';
import { applicationRoutes } from './applications/routes';
import { authenticate } from './auth';
import { healthRoutes } from './health';
import { notFoundRoute, problemResponder } from './problems';

export interface AppDependencies {
  db: Db;
  config: Config;
  logger: Logger;
  /** Absent when the API runs without a workflow engine (health then reports it down). */
  temporal?: TemporalClient;
}

export interface Api {
  app: express.Express;
  /** Flushes buffered writes and releases connections the API holds of its own; call after the server closed. */
  close(): Promise<void>;
}

/** The Express application. Global middleware is kept minimal: the verification hot path pays for every layer. */
export function createApp(deps: AppDependencies): Api {
  const closers: Array<() => Promise<void>> = [];
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', 'loopback');
  app.use(healthRoutes(deps));

  const v1 = express.Router();
  v1.use(authenticate(deps.db));
  v1.use(express.json({ limit: '100kb' }));
  v1.use(applicationRoutes(deps));
  app.use('/v1', v1);

  app.use(notFoundRoute);
  app.use(problemResponder(deps.logger));
  return {
    app,
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
