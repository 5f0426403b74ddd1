import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const SDK_LEVELS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' } as const;

/**
 * The Temporal SDK's own logs (worker state, retries) go through `logger` at its level, instead of
 * the SDK's default console logger at INFO. Call once per process, before any worker connects.
 */
export function routeTemporalLogs(logger: Logger): void {
  const level = SDK_LEVELS[logger.level as keyof typeof SDK_LEVELS] ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'TRACE' ? 'trace' : entryLevel === 'DEBUG' ? 'debug' : entryLevel === 'WARN' ? 'warn' : entryLevel === 'ERROR' ? 'error' : 'info';
      logger[method]({ temporal: meta }, message);
    }),
  });
}
