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

/**
 * Free text, trimmed. NUL and lone surrogates are refused: PostgreSQL stores neither (not in text,
 * not as a jsonb escape), and a workflow activity writing one would retry forever.
 */
export const nonEmptyText = (max = 500) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\0]*$/, 'must not contain NUL characters')
    .regex(/^\P{Cs}*$/u, 'must be well-formed Unicode (no lone surrogates)');

/**
 * Parses a request part. @throws Problem 400 listing every bad field; the code is
 * `invalid_id_number` when a citizen number is what is wrong, `validation_failed` otherwise.
 */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const idNumberWrong = result.error.issues.some(
    (issue) => issue.code === 'custom' && (issue as { params?: { code?: string } }).params?.code === 'invalid_id_number',
  );
  const problem = problems.validation(errors);
  return idNumberWrong ? throwAs(problem, 'invalid_id_number') : throwAs(problem);
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
