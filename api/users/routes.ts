import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { allow } from '../auth';
import { findAccount, listAccounts, PERSON_ROLES, revokeSessionsOf, setDisabled, setPassword, type AccountRow } from '../../db/logins';
import { createUser, type Role } from '../../db/users';
import { cursor, pageOf } from '../paging';
import { problems } from '../problems';
import { hashPassword } from '../session/passwords';
import { nonEmptyText, parse, stationCodeField } from '../validation';

const PAGE = 50;
const password = z.string({ error: 'must be a string' }).min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');
const code = (digits: number) => z.string().regex(new RegExp(`^\\d{${digits}}$`), `must be ${digits} digits`);

/** Each role carries exactly the jurisdiction it needs (the users_jurisdiction constraint says the same). */
export const newAccount = z
  .strictObject({
    username: z.string().trim().regex(/^[A-Za-z0-9._-]{3,64}$/, 'must be 3 to 64 letters, digits, dots, dashes or underscores'),
    name: nonEmptyText(100),
    role: z.enum(PERSON_ROLES as [Role, ...Role[]]),
    stationCode: stationCodeField.optional(),
    regionCode: code(6).optional(),
    provinceCode: code(6).optional(),
    password,
  })
  .refine((body) => body.role !== 'station' || body.stationCode, { message: 'is required for a station', path: ['stationCode'] })
  .refine((body) => !['reviewer', 'police_post'].includes(body.role) || body.regionCode, { message: 'is required for this role', path: ['regionCode'] })
  .refine((body) => body.role !== 'production' || body.provinceCode, { message: 'is required for a production centre', path: ['provinceCode'] });
const passwordReset = z.strictObject({ password });
const listing = z.strictObject({ cursor: z.string().optional() });

const accountView = (row: AccountRow) => ({
  id: row.id,
  username: row.username,
  name: row.name,
  role: row.role,
  stationCode: row.stationCode,
  regionCode: row.regionCode,
  provinceCode: row.provinceCode,
  disabled: row.disabledAt !== null,
  locked: row.lockedUntil !== null && row.lockedUntil.getTime() > Date.now(),
  createdAt: row.createdAt.toISOString(),
});

/**
 * Console accounts, for admins only: list, create with role and jurisdiction, disable or enable, reset the
 * password. Disabling or resetting ends the account's sessions at once (and its bearer token with it).
 */
export function userRoutes({ db }: AppDependencies): Router {
  const router = Router();
  const admin = allow('admin');
  const accountOr404 = async (id: string) => (await findAccount(db, id)) ?? Promise.reject(problems.notFound('The account'));

  router.get('/users', admin, async (req, res) => {
    const query = parse(listing, req.query, 'query');
    const after = cursor.decode(query.cursor, (value: any): value is { username: string } => typeof value?.username === 'string');
    const rows = await listAccounts(db, { after: after?.username, limit: PAGE + 1 });
    res.json(pageOf(rows, PAGE, accountView, (last) => ({ username: last.username })));
  });

  router.post('/users', admin, async (req, res) => {
    const body = parse(newAccount, req.body);
    if (await db('users').where('username', body.username).first('id')) throw problems.conflict('username_taken', 'This username is taken.');
    const id = `${body.role}-${randomUUID()}`;
    const passwordHash = await hashPassword(body.password);
    try {
      await db.transaction(async (trx) => {
        await createUser(trx, {
          id,
          name: body.name,
          role: body.role,
          stationCode: body.role === 'station' ? (body.stationCode ?? null) : null,
          regionCode: ['reviewer', 'manager', 'police_post'].includes(body.role) ? (body.regionCode ?? null) : null,
          provinceCode: body.role === 'production' ? (body.provinceCode ?? null) : null,
          unitId: null,
        });
        await setPassword(trx, id, body.username, passwordHash);
      });
    } catch (error) {
      const sqlState = (error as { code?: string }).code;
      if (sqlState === '23503') throw problems.badRequest('unknown_place', 'The station, region or province is not known.');
      if (sqlState === '23505') throw problems.conflict('username_taken', 'This username is taken.');
      throw error;
    }
    res.status(201).json(accountView((await findAccount(db, id))!));
  });

  for (const [path, disabled] of [['disable', true], ['enable', false]] as const) {
    router.post(`/users/:id/${path}`, admin, async (req, res) => {
      const account = await accountOr404(req.params.id as string);
      await db.transaction(async (trx) => {
        await setDisabled(trx, account.id, disabled);
        if (disabled) await revokeSessionsOf(trx, account.id);
      });
      res.json(accountView((await findAccount(db, account.id))!));
    });
  }

  router.post('/users/:id/password', admin, async (req, res) => {
    const { password: next } = parse(passwordReset, req.body);
    const account = await accountOr404(req.params.id as string);
    const passwordHash = await hashPassword(next);
    await db.transaction(async (trx) => {
      await setPassword(trx, account.id, account.username, passwordHash);
      await revokeSessionsOf(trx, account.id);
    });
    res.json(accountView((await findAccount(db, account.id))!));
  });

  return router;
}
