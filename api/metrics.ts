import type { RequestHandler, Router } from 'express';
import { Router as createRouter } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Documented } from './operation';
import type { Verifications } from './verifications/service';

export interface Metrics {
  /** Times every request behind it, labelled by route pattern (never the concrete path: it holds ids). */
  timing: RequestHandler;
  /** `GET /metrics` in the Prometheus text format. */
  routes: Router;
}

/** The document of `GET /metrics`: text, not JSON, and on METRICS_PORT only. */
export const METRICS_OPERATION: Documented = {
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (served on METRICS_PORT only, never on the public port)',
  roles: [],
  text: { mediaType: 'text/plain', description: 'The Prometheus text exposition format' },
};

/**
 * Prometheus metrics of one API instance, in a registry of its own (several apps can share a
 * process in tests). The verification route is not timed per request — it is the hot path — but
 * its cache and audit are read at scrape time, which costs the route nothing.
 */
export function createMetrics(verifications: Verifications): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const { cache, audit } = verifications;
  const published: Record<string, number> = {};
  new Counter({
    name: 'verification_cache_events_total',
    help: 'Verification card-facts cache: hits, misses, invalidations, whole-cache suspensions',
    labelNames: ['event'],
    registers: [registry],
    collect() {
      // The cache keeps plain counters; publish their growth since the last scrape.
      for (const [event, total] of Object.entries(cache.stats)) {
        if (total > (published[event] ?? 0)) this.inc({ event }, total - (published[event] ?? 0));
        published[event] = total;
      }
    },
  });
  new Gauge({ name: 'verification_cache_entries', help: 'Card facts held in the verification cache', registers: [registry], collect() { this.set(cache.size); } });
  new Gauge({ name: 'verification_cache_enabled', help: '1 while invalidations are being received and the cache is used, 0 while suspended', registers: [registry], collect() { this.set(cache.caching ? 1 : 0); } });
  new Gauge({ name: 'verification_audit_backlog', help: 'Verification audit rows recorded but not yet written', registers: [registry], collect() { this.set(audit.backlog); } });

  const timing: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      // req.baseUrl is reset once a router is left (an error answered at the app level), so the
      // mount point is remembered in res.locals by the router itself (see `mountedAt`).
      const route = req.route?.path ? `${(res.locals.mountedAt as string | undefined) ?? req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  const routes = createRouter();
  routes.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { timing, routes };
}

/** First middleware of a router mounted at `path`: lets the timings name its routes in full. */
export const mountedAt =
  (path: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.mountedAt = path;
    next();
  };
