import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from './app';
import { mount, operationsWith } from './operation';

const state = z.enum(['up', 'down']);
/** The answer of `GET /health`, 200 or 503 alike. */
export const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']), database: state, workflowEngine: state });

const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);

/** 200 when the API, the database and the workflow engine answer; 503 with what is down otherwise. */
export const HEALTH_OPERATIONS = [
  operationsWith<AppDependencies>()({
    method: 'get',
    path: '/health',
    summary: 'API, database and workflow engine reachable (200) or not (503)',
    roles: [],
    response: healthSchema,
    unavailableAnswersBody: true,
    handle: async ({ res }, { db, temporal }) => {
      const [database, workflowEngine] = await Promise.all([
        within(2_000, db.raw('select 1')).then(() => 'up' as const, () => 'down' as const),
        temporal
          ? within(2_000, temporal.workflowService.getSystemInfo({})).then(() => 'up' as const, () => 'down' as const)
          : Promise.resolve('down' as const),
      ]);
      const healthy = database === 'up' && workflowEngine === 'up';
      if (!healthy) res.setHeader('retry-after', '5');
      res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable', database, workflowEngine } satisfies z.output<typeof healthSchema>);
    },
  }),
];

export const healthRoutes = (deps: AppDependencies): Router => mount(Router(), HEALTH_OPERATIONS, deps, '');
