import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from './app';

const state = z.enum(['up', 'down']);
/** The answer of `GET /health`, 200 or 503 alike. */
export const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']), database: state, workflowEngine: state });

const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);

/** 200 when the API, the database and the workflow engine answer; 503 with what is down otherwise. */
export function healthRoutes({ db, temporal }: AppDependencies): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const [database, workflowEngine] = await Promise.all([
      within(2_000, db.raw('select 1')).then(() => 'up' as const, () => 'down' as const),
      temporal
        ? within(2_000, temporal.workflowService.getSystemInfo({})).then(() => 'up' as const, () => 'down' as const)
        : Promise.resolve('down' as const),
    ]);
    const healthy = database === 'up' && workflowEngine === 'up';
    if (!healthy) res.setHeader('retry-after', '5');
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable', database, workflowEngine } satisfies z.output<typeof healthSchema>);
  });
  return router;
}
