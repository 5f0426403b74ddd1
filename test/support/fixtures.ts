import { randomInt, randomUUID } from 'node:crypto';
import { loadConfig } from '../../config';
import { applicationSettings } from '../../config/applicationSettings';
import { DAY_MS, makeIdNumber, validUntilFor, type CardStatus } from '../../domain';
import type { Db } from '../../db/knex';
import { stationCodeFor } from '../../db/seed/referenceData';
import { createUser, type Role } from '../../db/users';

/** Counties present in the reference data, used by tests as home regions and station regions. */
export const COUNTIES = {
  beijingChaoyang: '110105',
  shanghaiPudong: '310115',
  shenzhenNanshan: '440305',
  hangzhouXihu: '330106',
  zhengzhouJinshui: '410105',
  chengduWuhou: '510107',
} as const;

export const stationIn = (county: string) => stationCodeFor(county);

export interface TestCard {
  validFrom: string;
  validUntil: string | null;
  status: CardStatus;
  hasFingerprints: boolean;
}

export interface TestCitizen {
  idNumber: string;
  name: string;
  homeRegionCode: string;
  cards: TestCard[];
}

/**
 * A new person of one's own for a test, with one ACTIVE card by default. Numbers are random
 * valid GB 11643 numbers; a clash with someone already registered is retried.
 */
export async function newCitizen(
  db: Db,
  options: { homeRegionCode?: string; name?: string; hasFingerprints?: boolean; cards?: Array<Partial<TestCard>> } = {},
): Promise<TestCitizen> {
  const homeRegionCode = options.homeRegionCode ?? COUNTIES.zhengzhouJinshui;
  const birthYear = randomInt(1950, 1995);
  const birthDate = `${birthYear}-${String(randomInt(1, 13)).padStart(2, '0')}-${String(randomInt(1, 29)).padStart(2, '0')}`;
  const idNumber = makeIdNumber({ regionCode: homeRegionCode, birthDate, sequence: randomInt(1, 1000) });
  const name = options.name ?? `测试${randomUUID().slice(0, 4)}`;
  const defaultFrom = `${Math.max(birthYear + 30, 2020)}-03-01`;
  const cards: TestCard[] = (options.cards ?? [{}]).map((card) => {
    const validFrom = card.validFrom ?? defaultFrom;
    return {
      validFrom,
      validUntil: card.validUntil !== undefined ? card.validUntil : validUntilFor(birthDate, validFrom),
      status: card.status ?? 'ACTIVE',
      hasFingerprints: card.hasFingerprints ?? options.hasFingerprints ?? true,
    };
  });
  try {
    await db.transaction(async (trx) => {
      await trx('citizens').insert({
        idNumber,
        name,
        sex: Number(idNumber[16]) % 2 === 1 ? 'male' : 'female',
        birthDate,
        homeRegionCode,
        hasFingerprints: options.hasFingerprints ?? true,
      });
      if (cards.length) await trx('cards').insert(cards.map((card) => ({ idNumber, ...card })));
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return newCitizen(db, options);
    throw error;
  }
  return { idNumber, name, homeRegionCode, cards };
}

/** A user of one's own for a test; returns the bearer token. */
export async function newToken(
  db: Db,
  role: Role,
  jurisdiction: { stationCode?: string; regionCode?: string; provinceCode?: string; unitId?: string } = {},
): Promise<string> {
  const { token } = await createUser(db, {
    id: `${role}-${randomUUID()}`,
    name: `test ${role}`,
    role,
    stationCode: jurisdiction.stationCode ?? null,
    regionCode: jurisdiction.regionCode ?? null,
    provinceCode: jurisdiction.provinceCode ?? null,
    unitId: jurisdiction.unitId ?? null,
  });
  return token;
}

/**
 * The workflow settings of an application row a test writes straight into the read model: task
 * queues no engine serves. A row without settings would count as every deployment's, and another
 * file's reconciliation pass would take it for one of its own lost workflows and restart it in that
 * file's engine, whose skipped time its timers then move.
 */
export const unservedWorkflowSettings = () => JSON.stringify(applicationSettings({ ...loadConfig(), TEMPORAL_TASK_QUEUE_PREFIX: 'no-engine' }));

/**
 * An application written straight into the read model, with no workflow behind it (for the routes
 * that read nothing else), recorded onto task queues no engine serves (`unservedWorkflowSettings`).
 */
export async function recordApplication(
  db: Db,
  row: { idNumber: string; acceptingStationCode: string; homeRegionCode: string } & Record<string, unknown>,
): Promise<string> {
  const id = randomUUID();
  const acceptedAt = new Date();
  await db('applications').insert({
    id,
    workflowId: `recorded-${id}`,
    runId: randomUUID(),
    kind: 'renewal',
    reason: 'card expiring',
    stage: 'HOME_REVIEW',
    acceptedAt,
    deadlineAt: new Date(acceptedAt.getTime() + 60 * DAY_MS),
    fingerprintCaptured: true,
    appearanceChanged: false,
    workflowSettings: unservedWorkflowSettings(),
    ...row,
  });
  return id;
}
