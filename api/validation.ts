import { z } from 'zod';
import { isValidIdNumber } from '../domain';
import { Problem, problems } from './problems';

/** An 18-character citizen number with a correct check character; lowercase x is accepted. */
export const idNumberField = z
  .string({ error: 'must be a string' })
  .transform((value) => value.trim().toUpperCase())
  .refine((value) => isValidIdNumber(value), { message: 'is not a valid citizen number', params: { code: 'invalid_id_number' } });

export const calendarDateField = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'is not a real date');

export const nonEmptyText = (max = 500) => z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

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
