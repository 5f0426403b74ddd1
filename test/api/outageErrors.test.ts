import { isOutage } from '../../api/problems';

/** What the error responder counts as "the database or the engine is away" (503) rather than a bug (500). */
describe('isOutage', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  test.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['PostgreSQL shutting down (57P01)', withCode('57P01')],
    ['a connection failure (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ["pg's own words, unwrapped", new Error('Connection terminated unexpectedly')],
    ['the same words wrapped by knex with the SQL', new Error('select * from "applications" where "id" = $1 - Connection terminated unexpectedly')],
    ["knex's pool timeout", Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' })],
    ['an outage as the cause of another error', new Error('update failed', { cause: withCode('ECONNREFUSED') })],
  ])('when the error is %s, then it is an outage', (_what, error) => {
    expect(isOutage(error)).toBe(true);
  });

  test.each([
    ['a unique violation', withCode('23505')],
    ['a data exception', withCode('22008', 'date/time field value out of range')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a message that merely mentions a connection', new Error('Connection pool settings are invalid')],
    ['nothing at all', undefined],
  ])('when the error is %s, then it is not', (_what, error) => {
    expect(isOutage(error)).toBe(false);
  });
});
