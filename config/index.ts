import { isIP } from 'node:net';
import { z } from 'zod';
import { parsePayloadKeys, type PayloadKey } from './payloadEncryption';

/**
 * Typed configuration, read once from the environment at boot.
 * Unset `DATABASE_URL` / `TEMPORAL_ADDRESS` mean "run the embedded service".
 */
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  /** The schema owner's URL, for migrations and seeding; the app runs as DATABASE_URL's least-privilege role. Default: DATABASE_URL. */
  MIGRATION_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port, e.g. temporal:7233')
    .optional(),
  /**
   * Keys of the workflow payload encryption, `id:base64key,…`: the first encrypts, all decrypt.
   * Unset: `npm start` generates one in DATA_DIR (processes joining it read it there).
   */
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .optional()
    .transform((value, ctx): PayloadKey[] | undefined => {
      if (value === undefined) return undefined;
      try {
        return parsePayloadKeys(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE_PREFIX: z.string().regex(/^[\w.-]+$/, 'letters, digits, dot, dash, underscore').default('id-cards'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where `GET /metrics` is served, apart from the API (0: any free port). Expose it to the monitoring network only. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Days from acceptance to the legal deadline (Resident Identity Card Law art. 12). */
  DEADLINE_DAYS: z.coerce.number().int().min(1).max(365).default(60),
  /** How many days before the deadline managers are warned. */
  DEADLINE_WARNING_DAYS: z.coerce.number().int().min(0).max(60).default(10),
  /**
   * When the managers' daily digest of cases overdue or due within DEADLINE_WARNING_DAYS is written,
   * every day, on China's clock (Asia/Shanghai): `HH:MM`, 24-hour. The worker keeps its schedule at it.
   */
  MANAGERS_DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM on a 24-hour clock, China time (e.g. 08:00)').default('08:00'),
  /** Home-region review waiting this many days gets a reminder, and again every such period. */
  REVIEW_REMINDER_DAYS: z.coerce.number().int().min(1).max(60).default(7),
  /** A card ready for pickup and not collected gets a reminder every this many days. */
  PICKUP_REMINDER_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Print failures after which managers are alerted instead of reprinting again. */
  REPRINT_LIMIT: z.coerce.number().int().min(0).max(10).default(2),
  /** Verification requests per unit per second before 429. */
  VERIFICATION_RATE_LIMIT: z.coerce.number().int().min(1).default(2000),
  /** The longest an API request waits for a workflow to take its step before answering 503 workflow_pending. */
  WORKFLOW_WAIT_MS: z.coerce.number().int().min(1).max(600_000).default(30_000),
  /** How often the worker checks that every open application has a running workflow (also once at start). */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1_000, 'must be at least 1000 (1 s)').max(86_400_000, 'must be at most 86400000 (a day)').default(300_000),
  /** The largest loss report import accepted (bytes of NDJSON) and the most lines in one. */
  LOSS_REPORT_IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(32 * 1024 * 1024),
  LOSS_REPORT_IMPORT_MAX_LINES: z.coerce.number().int().min(1).default(100_000),
  /** Applicant status lookups (no login) per client address per minute. */
  STATUS_LOOKUP_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
  /**
   * The proxies in front of the API whose `X-Forwarded-For` is believed (Express's `trust proxy`):
   * `none`, a hop count, or a comma-separated list of addresses, CIDR ranges and `loopback`,
   * `linklocal`, `uniquelocal`. Unset: none, so a client cannot pick its own address (rate limits).
   */
  TRUST_PROXY: z
    .string()
    .default('none')
    .transform((value, ctx): false | number | string[] => {
      const text = value.trim();
      if (text === 'none') return false;
      if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 10) return Number(text);
      const entries = text.split(',').map((entry) => entry.trim());
      const bad = entries.filter((entry) => !isProxyAddress(entry));
      if (bad.length === 0) return entries;
      ctx.addIssue({ code: 'custom', message: `must be none, a hop count 1–10, or a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal, uniquelocal (not ${bad.map((entry) => JSON.stringify(entry)).join(', ')})` });
      return z.NEVER;
    }),
  /** The HTTP SMS gateway for applicants' notifications; unset: they are appended to DATA_DIR/notifications.ndjson. */
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  /** How often the notification dispatcher looks for due notifications (ms). */
  NOTIFY_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1_000),
  /** Delivery attempts before a notification becomes a dead letter; the first retry waits NOTIFY_RETRY_BASE_MS, each next twice as long. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** How many hours a temporary identity certificate is valid; unset: until the end of the next day, China time. */
  TEMPORARY_CERTIFICATE_HOURS: z.coerce.number().int().min(1).max(168).optional(),
  VERIFICATION_CACHE_SIZE: z.coerce.number().int().min(0).default(100_000),
  /** Verification audit rows are written at least this often (ms)… */
  VERIFICATION_AUDIT_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** …or as soon as this many are waiting. */
  VERIFICATION_AUDIT_BATCH_SIZE: z.coerce.number().int().min(1).max(20_000).default(2_000),
  /** Unwritten audit rows beyond which verifications answer 503 instead of going unaudited. */
  VERIFICATION_AUDIT_MAX_BACKLOG: z.coerce.number().int().min(1).default(200_000),
  /** First delay before the card-status LISTEN connection reconnects (doubling up to 30 s); the cache is off meanwhile. */
  VERIFICATION_LISTENER_RETRY_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /**
   * How long a confirmed barrier lets an API instance answer verifications from its cache (renewed every
   * quarter of it); also the longest a loss report waits for every instance to acknowledge the change.
   */
  VERIFICATION_CACHE_LEASE_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** How often the LISTEN connection is checked with a query; no answer within it counts as dropped. */
  VERIFICATION_LISTENER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
}).superRefine((config, ctx) => {
  if (config.MIGRATION_DATABASE_URL && !config.DATABASE_URL) ctx.addIssue({ code: 'custom', path: ['MIGRATION_DATABASE_URL'], message: 'needs DATABASE_URL (embedded PostgreSQL provisions its own roles)' });
  if (config.PORT !== 0 && config.METRICS_PORT === config.PORT) ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT: metrics are not served on the public port' });
});

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, a CIDR range or one of proxy-addr's names; never "everyone" (`true`). */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses `env`. @throws ConfigError listing one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(emptyAsUnset(env));
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** `FOO=` in a shell means "not set", not "set to the empty string". */
function emptyAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')) as Record<
    string,
    string
  >;
}
