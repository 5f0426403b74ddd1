import { z } from 'zod';
import { isCalendarDate, isValidIdNumber } from '../domain';
import { Problem, problems } from './problems';

/** An 18-character citizen number with a correct check character; lowercase x is accepted. */
export const idNumberField = z
  .string({ error: 'must be a string' })
  .transform((value) => value.trim().toUpperCase())
  .refine((value) => isValidIdNumber(value), { message: 'is not a valid citizen number', params: { code: 'invalid_id_number' } });

/** A real calendar day. Year 0000 is refused: JavaScript dates have it, PostgreSQL does not. */
export const calendarDateField = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a real date');

/** An administrative division code (行政区划代码): six digits. Which codes exist, the reference data says. */
export const regionCodeField = z.string().regex(/^\d{6}$/, 'must be a 6-digit region code');

/** A station's code as the stations table keys it: letters and digits, at most 32. */
export const stationCodeField = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be a station code');

/**
 * Free text, trimmed. NUL and lone surrogates are refused: PostgreSQL stores neither (not in text,
 * not as a jsonb escape), and a workflow activity writing one would retry forever.
 */
/** Text the API accepts holds no NUL and no lone surrogate (the fast verification path checks the same). */
export const isCleanText = (text: string): boolean => !/[\0\p{Cs}]/u.test(text);

export const nonEmptyText = (max = 500) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\0]*$/, 'must not contain NUL characters')
    .regex(/^\P{Cs}*$/u, 'must be well-formed Unicode (no lone surrogates)');

/** Which part of the request a schema reads: a problem in the part as a whole is labelled `(body)` or `(query)`. */
export type RequestPart = 'body' | 'query';

/** A stable code per bad field: the schema's own (e.g. `invalid_id_number`), else zod's issue kind. */
function fieldCode(issue: z.core.$ZodIssue): string {
  const own = (issue as { params?: { code?: string } }).params?.code;
  if (own) return own;
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'unknown_field';
    case 'custom':
      return 'invalid_value';
    default:
      return issue.code;
  }
}

/**
 * Parses a request part. @throws Problem 400 listing every bad field, each with its own `code`. The
 * problem's code is that field's code when one field alone is wrong for one reason (e.g.
 * `invalid_id_number`), `validation_failed` when several are.
 */
export function parse<T extends z.ZodType>(schema: T, input: unknown, part: RequestPart = 'body'): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || `(${part})`,
    message: issue.message,
    code: fieldCode(issue),
  }));
  const problem = problems.validation(errors);
  const codes = new Set(errors.map((error) => error.code));
  const fields = new Set(errors.map((error) => error.field));
  const [only] = codes;
  return codes.size === 1 && fields.size === 1 && only === 'invalid_id_number' ? throwAs(problem, only) : throwAs(problem);
}

function throwAs(problem: Problem, code?: string): never {
  if (!code) throw problem;
  throw new Problem(problem.status, code, problem.title, problem.message, problem.extra);
}

/** An id as this API hands them out. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** An instant exactly as this API writes it (`Date#toISOString`), so PostgreSQL reads it too. */
export const isInstant = (value: unknown): value is string => {
  // Year 0000 exists for JavaScript, not for PostgreSQL.
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) || value.startsWith('0000')) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
};
