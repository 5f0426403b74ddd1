import knex, { Knex } from 'knex';
import { pg } from './pgTypes';

export type Db = Knex;

const toSnake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const toCamel = (name: string) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

function camelizeRow(row: unknown): unknown {
  if (Array.isArray(row)) return row.map(camelizeRow);
  if (row === null || typeof row !== 'object' || row instanceof Date || Buffer.isBuffer(row)) return row;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [toCamel(key), value]));
}

/**
 * A knex instance for the application: camelCase in code, snake_case in PostgreSQL.
 * Raw SQL still names columns in snake_case; the rows it returns come back camelCased.
 */
export function createDb(url: string, options: { poolMax?: number; acquireTimeoutMs?: number } = {}): Db {
  pg.ensureTypeParsers();
  return knex({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: options.poolMax ?? 10 },
    // While PostgreSQL is unreachable a query fails after this long (the API answers 503), not after knex's default minute.
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    // Errors carry the SQL text only, never the bound values: those are citizen numbers and names.
    compileSqlOnError: false,
    wrapIdentifier: (value, origImpl) => origImpl(value === '*' ? value : toSnake(value)),
    postProcessResponse: (result) => {
      // Only reshape row arrays/objects; raw results (with .rows) are reshaped in place.
      if (result && typeof result === 'object' && 'rows' in result && 'command' in result) {
        result.rows = camelizeRow(result.rows);
        return result;
      }
      return camelizeRow(result);
    },
  });
}
