import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs. Citizen numbers and names must never appear in full: log them through
 * `maskIdNumber` / `maskName` from `domain`, and never log request bodies.
 */
export function createLogger(level: string, name = 'id-cards'): Logger {
  return pino({ name, level, redact: { paths: ['req.headers.authorization', 'idNumber', 'name', '*.idNumber', '*.name'], censor: '[masked]' } });
}
