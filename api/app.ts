import express from 'express';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Config } from '../config';
import type { Clock } from '../config/clock';
import type { Logger } from '../config/logger';
import type { Db } from '../db/knex';
import { applicantStatusRoutes } from './applicantStatus/routes';
import { applicationRoutes } from './applications/routes';
import { authenticate, USER_CHANGED_CHANNEL, UserCache } from './auth';
import { blacklistRoutes } from './blacklist/routes';
import { consoleRoutes } from './console';
import { FeedPublisher } from './cardStatusFeed/feedPublisher';
import { cardStatusFeedRoutes } from './cardStatusFeed/routes';
import { foundCardRoutes } from './foundCards/routes';
import { healthRoutes } from './health';
import { impersonationReportRoutes } from './impersonationReports/routes';
import { lossReportRoutes } from './lossReports/routes';
import { lostCardInquiryRoutes } from './lostCardInquiry/routes';
import { notificationRoutes } from './notifications/routes';
import { createMetrics, mountedAt } from './metrics';
import { methodNotAllowed } from './methodNotAllowed';
import { openApiRoutes } from './openapi';
import { requestLog } from './requestLog';
import { sessionRoutes } from './session/routes';
import { statsRoutes } from './stats/routes';
import { stuckApplicationRoutes } from './stuckApplications/routes';
import { userRoutes } from './users/routes';
import { temporaryCertificateRoutes } from './temporaryCertificates/routes';
import { verificationRoute } from './verifications/routes';
import { CARD_STATUS_CHANNEL } from './verifications/invalidationListener';
import { createVerifications } from './verifications/service';
import { notFoundRoute, problemResponder } from './problems';

export interface AppDependencies {
  db: Db;
  config: Config;
  logger: Logger;
  /** Absent when the API runs without a workflow engine (health then reports it down). */
  temporal?: TemporalClient;
  /** Today's China date and now for business rules; `systemClock` when absent (tests stand at any instant). */
  clock?: Clock;
}

export interface Api {
  app: express.Express;
  /** `GET /metrics` alone, for a listener of its own on `METRICS_PORT`: the public port does not serve it. */
  metrics: express.Express;
  /** Flushes buffered writes and releases connections the API holds of its own; call after the server closed. */
  close(): Promise<void>;
}

/** The Express application. Global middleware is kept minimal: the verification hot path pays for every layer. */
export function createApp(deps: AppDependencies): Api {
  const closers: Array<() => Promise<void>> = [];
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Only the configured proxies may name the client (the status lookup's rate limit keys on it).
  app.set('trust proxy', deps.config.TRUST_PROXY);
  // The verification hot path goes first, outside the v1 router: every layer in front costs throughput.
  // One account cache for the instance, dropped per account on NOTIFY by the verification listener's connection.
  const users = new UserCache();
  // The card-status feed's long-polls wake on the same LISTEN connection's card status announcements.
  const feed = new FeedPublisher(deps.db);
  const verifications = createVerifications(deps, { [USER_CHANGED_CHANNEL]: users, [CARD_STATUS_CHANNEL]: feed });
  closers.push(verifications.close, async () => feed.close());
  app.post('/v1/verifications', verificationRoute(verifications, authenticate(deps.db, users)));
  // Probes and documents: not request-logged (scraped every few seconds).
  const metrics = createMetrics(verifications);
  app.use(healthRoutes(deps), openApiRoutes());
  const metricsApp = express();
  metricsApp.disable('x-powered-by');
  metricsApp.use(metrics.routes, notFoundRoute, problemResponder(deps.logger));

  app.use(requestLog(deps.logger), metrics.timing);
  app.use('/v1', methodNotAllowed(app));
  app.use(applicantStatusRoutes(deps));
  app.use(lostCardInquiryRoutes(deps));
  app.use(sessionRoutes(deps));
  const v1 = express.Router();
  v1.use(mountedAt('/v1'));
  v1.use(authenticate(deps.db, users));
  v1.use(express.json({ limit: '100kb' }));
  v1.use(applicationRoutes(deps));
  v1.use(lossReportRoutes(deps, verifications.invalidator));
  v1.use(foundCardRoutes(deps, verifications.invalidator));
  v1.use(blacklistRoutes(deps));
  v1.use(impersonationReportRoutes(deps));
  v1.use(statsRoutes(deps));
  v1.use(stuckApplicationRoutes(deps));
  v1.use(notificationRoutes(deps));
  v1.use(cardStatusFeedRoutes(deps, feed));
  v1.use(userRoutes(deps));
  v1.use(temporaryCertificateRoutes(deps));
  app.use('/v1', v1);
  app.use(consoleRoutes());

  app.use(notFoundRoute);
  app.use(problemResponder(deps.logger));
  return {
    app,
    metrics: metricsApp,
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
