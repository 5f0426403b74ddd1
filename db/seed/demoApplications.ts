import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Clock } from '../../config/clock';
import { systemClock } from '../../config/clock';
import type { Logger } from '../../config/logger';
import { importLine } from '../../api/applications/importApplications';
import { chinaDateOf, DAY_MS, parseIdNumber, validUntilFor } from '../../domain';
import type { Db } from '../knex';
import { findActiveUser } from '../users';

/** The demo's old-system references: `DEMO-01`… (one application each). */
const REFERENCE_PREFIX = 'DEMO-';

/**
 * The demo's cases in flight on day one, as a station's old system would hand them over: every open
 * stage, some overdue, some near the deadline, temporary cards due, at two demo stations (Guangdong's,
 * which the regional manager sees, and Beijing's) for people of the other demo provinces. Each is
 * `[stage, days since acceptance, extras]`; dates are relative to now.
 */
const CASES: Array<{ stage: string; daysAgo: number; station: 'guangdong' | 'beijing'; temporaryCard?: boolean; readyDaysAgo?: number; printed?: boolean; tracking?: boolean }> = [
  { stage: 'ACCEPTED', daysAgo: 1, station: 'guangdong', temporaryCard: true }, // temporary card due in 2 days
  { stage: 'HOME_REVIEW', daysAgo: 6, station: 'guangdong', temporaryCard: true }, // temporary card 3 days overdue
  { stage: 'HOME_REVIEW', daysAgo: 12, station: 'beijing' },
  { stage: 'HOME_REVIEW', daysAgo: 70, station: 'guangdong' }, // overdue by 10 days
  { stage: 'PRINTING', daysAgo: 20, station: 'guangdong' },
  { stage: 'PRINTING', daysAgo: 55, station: 'beijing' }, // 5 days left: warned
  { stage: 'PRINTING', daysAgo: 63, station: 'beijing', printed: true }, // overdue, printed, not yet dispatched
  { stage: 'SHIPPING', daysAgo: 30, station: 'guangdong', printed: true, tracking: true },
  { stage: 'SHIPPING', daysAgo: 58, station: 'guangdong', printed: true, tracking: true }, // 2 days left
  { stage: 'READY_FOR_PICKUP', daysAgo: 40, station: 'guangdong', printed: true, tracking: true, readyDaysAgo: 3 },
  { stage: 'READY_FOR_PICKUP', daysAgo: 25, station: 'beijing', printed: true, tracking: true, readyDaysAgo: 1 },
];

const STATIONS = { guangdong: '44', beijing: '11' };

export interface DemoApplicationsDeps {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
  clock?: Clock;
}

/**
 * Imports the demo's open applications through the go-live import (`importLine`, as the admin), once:
 * skipped when the database is not a demo one (no `admin` demo account, no demo citizens file) or
 * when any demo reference was imported already. The people are the demo population's, never those in
 * `demo-citizens.json` (which the README and the end-to-end tests use for new applications).
 * @returns how many lines were imported (0 when skipped).
 */
export async function importDemoApplications(deps: DemoApplicationsDeps, options: { dataDir: string }): Promise<number> {
  const { db, logger } = deps;
  const admin = await findActiveUser(db, 'admin');
  if (!admin || admin.role !== 'admin') return 0;
  if (await db('applications').whereLike('importReference', `${REFERENCE_PREFIX}%`).first('id')) return 0;
  let sample: Array<{ idNumber: string }>;
  try {
    sample = JSON.parse(await readFile(path.join(options.dataDir, 'demo-citizens.json'), 'utf8'));
  } catch {
    return 0;
  }
  const now = (deps.clock ?? systemClock).now().getTime();
  const iso = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString();
  const stations = Object.fromEntries(
    await Promise.all(Object.entries(STATIONS).map(async ([name, province]) => [name, (await db('users').where('role', 'station').whereLike('stationCode', `S${province}%`).orderBy('stationCode').first('stationCode'))?.stationCode])),
  ) as Record<keyof typeof STATIONS, string | undefined>;
  if (!stations.guangdong || !stations.beijing) return 0;
  // People of the other demo provinces with a valid card and nothing in progress, not in the sample file.
  const people: Array<{ idNumber: string; name: string }> = await db('citizens')
    .join('cards', 'cards.idNumber', 'citizens.idNumber')
    .where('cards.status', 'ACTIVE')
    .where('citizens.hasFingerprints', true)
    .where((homes) => homes.whereLike('citizens.homeRegionCode', '31%').orWhereLike('citizens.homeRegionCode', '33%').orWhereLike('citizens.homeRegionCode', '51%'))
    .whereNotIn('citizens.idNumber', sample.map((person) => person.idNumber))
    .whereNotExists(db('blacklistEntries').whereRaw('blacklist_entries.id_number = citizens.id_number').whereNull('removedAt'))
    .whereNotExists(db('applications').whereRaw('applications.id_number = citizens.id_number'))
    .orderBy('citizens.idNumber')
    .limit(CASES.length)
    .select('citizens.idNumber', 'citizens.name');
  if (people.length < CASES.length) {
    logger.warn({ found: people.length, wanted: CASES.length }, 'demo applications not imported: too few demo citizens');
    return 0;
  }
  let imported = 0;
  for (const [index, demo] of CASES.entries()) {
    const person = people[index];
    const parsed = parseIdNumber(person.idNumber);
    const validFrom = chinaDateOf(now - Math.max(0, (demo.readyDaysAgo ?? 0) + 1) * DAY_MS);
    const line = {
      externalReference: `${REFERENCE_PREFIX}${String(index + 1).padStart(2, '0')}`,
      idNumber: person.idNumber,
      name: person.name,
      kind: 'renewal',
      reason: 'card expiring',
      acceptingStationCode: stations[demo.station],
      acceptedAt: iso(demo.daysAgo),
      stage: demo.stage,
      fingerprintCaptured: true,
      ...(demo.temporaryCard ? { temporaryCard: {} } : {}),
      ...(demo.printed && parsed.ok ? { printed: { validFrom, validUntil: validUntilFor(parsed.value.birthDate, validFrom) } } : {}),
      ...(demo.tracking ? { trackingNumber: `SF${String(7_000_000_000 + index)}` } : {}),
      ...(demo.readyDaysAgo !== undefined ? { readyForPickupAt: iso(demo.readyDaysAgo) } : {}),
    };
    const outcome = await importLine(deps, admin, index + 1, JSON.stringify(line));
    if (outcome.status === 'refused') logger.warn({ line: index + 1, code: outcome.code, detail: outcome.message }, 'a demo application was not imported');
    else imported++;
  }
  logger.info({ imported }, `imported ${imported} demo applications in flight (every open stage, some overdue, some near the deadline)`);
  return imported;
}
