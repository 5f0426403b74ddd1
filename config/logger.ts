import { hostname } from 'node:os';
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs. Citizen numbers and names must never appear in full: log them through
 * `maskIdNumber` / `maskName` from `domain`, and never log request bodies. A `name` or `idNumber`
 * logged by mistake is masked; the process is named by `service`, not pino's `name`, which the
 * same redaction would mask on every line.
 */
export function createLogger(level: string, service = 'id-cards', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid, hostname: hostname(), service },
    redact: { paths: ['req.headers.authorization', 'idNumber', 'name', '*.idNumber', '*.name'], censor: '[masked]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
