import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { provinces, regions } from '../../domain';
import type { Db } from '../knex';
import { createUser, type Role } from '../users';
import { ensureDemoLogins } from './demoUsers';
import { loadPopulation } from './loadPopulation';
import { CARD_USING_UNITS, productionCentreCodeFor, seedReferenceData, stationCodeFor } from './referenceData';

export const DEMO_SEED = 20161001;
export const DEMO_CITIZENS = 3_000;
/** Provinces whose stations, reviewers and production centres get demo accounts. */
const DEMO_PROVINCES = ['11', '31', '44', '33', '41', '51'];

export interface DemoToken {
  role: Role;
  name: string;
  token: string;
  stationCode?: string;
  regionCode?: string;
  provinceCode?: string;
  unitId?: string;
}

/**
 * First start: reference data, a few thousand citizens with cards, demo accounts, and the two demo
 * files of API.md. Later starts only refresh the reference data; the files stay as written.
 */
export async function seedDemoOnFirstStart(db: Db, options: { databaseUrl: string; dataDir: string; today: string; log: (message: string) => void }): Promise<void> {
  await seedReferenceData(db);
  const [{ count }] = await db('users').count({ count: '*' });
  if (Number(count) > 0) return ensureDemoLogins(db, options.dataDir, options.log);

  options.log(`seeding ${DEMO_CITIZENS} demo citizens`);
  // Loading the population is idempotent; the rest is one transaction that commits only after the
  // files are written, so a start interrupted here seeds again next time instead of half-seeded.
  await loadPopulation({ databaseUrl: options.databaseUrl, count: DEMO_CITIZENS, seed: DEMO_SEED, today: options.today });
  await db.transaction(async (trx) => {
    const blacklisted = await blacklistSomeone(trx, options.today);
    const tokens = await createDemoAccounts(trx);
    const citizens = await sampleCitizens(trx, blacklisted);
    await mkdir(options.dataDir, { recursive: true });
    await writeFile(path.join(options.dataDir, 'demo-tokens.json'), JSON.stringify(tokens, null, 2) + '\n', { mode: 0o600 });
    await writeFile(path.join(options.dataDir, 'demo-citizens.json'), JSON.stringify(citizens, null, 2) + '\n', { mode: 0o600 });
    options.log(`wrote ${tokens.length} demo tokens and ${citizens.length} demo citizens to ${options.dataDir}`);
    await ensureDemoLogins(trx, options.dataDir, options.log);
  });
}

async function blacklistSomeone(db: Db, today: string): Promise<string> {
  const person = await db('citizens').orderBy('idNumber').offset(7).first('idNumber');
  await db('blacklistEntries').insert({
    id: randomUUID(),
    idNumber: person.idNumber,
    category: 'IMPERSONATION',
    source: 'demo seed: caught using another person’s card',
    addedBy: 'seed',
    addedAt: new Date(`${today}T00:00:00Z`),
  });
  return person.idNumber;
}

async function createDemoAccounts(db: Db): Promise<DemoToken[]> {
  const tokens: DemoToken[] = [];
  const countyOf = (province: string) => regions.find((region) => region.level === 'county' && region.code.startsWith(province));
  for (const province of DEMO_PROVINCES) {
    const county = countyOf(province);
    if (!county) continue;
    const provinceCode = `${province}0000`;
    const provinceName = provinces.find((candidate) => candidate.code === provinceCode)!.name;
    const stationCode = stationCodeFor(county.code);
    const station = await createUser(db, { id: `station-${stationCode}`, name: `${county.name}户政窗口`, role: 'station', stationCode, provinceCode: null, unitId: null });
    tokens.push({ role: 'station', name: station.user.name, token: station.token, stationCode, regionCode: county.code });
    const importer = await createUser(db, { id: `importer-${county.code}`, name: `${county.name}挂失旧数据导入`, role: 'loss_report_importer', stationCode: null, regionCode: county.code, provinceCode: null, unitId: null });
    tokens.push({ role: 'loss_report_importer', name: importer.user.name, token: importer.token, regionCode: county.code });
    const reviewer = await createUser(db, { id: `reviewer-${provinceCode}`, name: `${provinceName}公安厅户籍地审核`, role: 'reviewer', stationCode: null, regionCode: provinceCode, provinceCode: null, unitId: null });
    tokens.push({ role: 'reviewer', name: reviewer.user.name, token: reviewer.token, regionCode: provinceCode });
    const production = await createUser(db, { id: `production-${productionCentreCodeFor(provinceCode)}`, name: `${provinceName}制证中心`, role: 'production', stationCode: null, provinceCode, unitId: null });
    tokens.push({ role: 'production', name: production.user.name, token: production.token, provinceCode });
  }
  const national = await createUser(db, { id: 'manager-national', name: '全国管理', role: 'manager', stationCode: null, provinceCode: null, unitId: null });
  tokens.push({ role: 'manager', name: national.user.name, token: national.token });
  const regional = await createUser(db, { id: 'manager-440000', name: '广东省管理', role: 'manager', stationCode: null, regionCode: '440000', provinceCode: null, unitId: null });
  tokens.push({ role: 'manager', name: regional.user.name, token: regional.token, regionCode: '440000' });
  for (const unit of CARD_USING_UNITS) {
    const account = await createUser(db, { id: `unit-${unit.id}`, name: unit.name, role: 'unit', stationCode: null, provinceCode: null, unitId: unit.id });
    tokens.push({ role: 'unit', name: unit.name, token: account.token, unitId: unit.id });
  }
  const platform = await createUser(db, { id: 'platform-sharing', name: '公安部信息共享平台', role: 'platform', stationCode: null, provinceCode: null, unitId: null });
  tokens.push({ role: 'platform', name: platform.user.name, token: platform.token });
  for (const post of [{ regionCode: '110105', name: '首都机场公安分局临时身份证明窗口' }, { regionCode: '310115', name: '浦东机场公安分局临时身份证明窗口' }]) {
    const account = await createUser(db, { id: `police-post-${post.regionCode}`, name: post.name, role: 'police_post', stationCode: null, regionCode: post.regionCode, provinceCode: null, unitId: null });
    tokens.push({ role: 'police_post', name: post.name, token: account.token, regionCode: post.regionCode });
  }
  const admin = await createUser(db, { id: 'admin', name: '系统管理员', role: 'admin', stationCode: null, provinceCode: null, unitId: null });
  tokens.push({ role: 'admin', name: admin.user.name, token: admin.token });
  return tokens;
}

/** A sample that includes the people a demo needs: blacklisted, no fingerprints on record, expired card. */
async function sampleCitizens(db: Db, blacklistedIdNumber: string) {
  const noFingerprints = await db('citizens').join('cards', 'cards.idNumber', 'citizens.idNumber')
    .where({ 'cards.status': 'ACTIVE', 'cards.hasFingerprints': false }).orderBy('citizens.idNumber').first('citizens.idNumber');
  const expired = await db('cards').where('status', 'EXPIRED')
    .whereNotExists(db('cards as newer').whereRaw('newer.id_number = cards.id_number').where('newer.status', 'ACTIVE'))
    .orderBy('idNumber').first('idNumber');
  // The generator's distribution makes both certain for thousands of people; say so if it ever changes.
  if (!noFingerprints || !expired) throw new Error('the demo population has no card without fingerprints or no expired card');
  // Ordinary people from every demo province, so that a cross-region application can be tried from any demo station.
  const ordinary: string[] = [];
  for (const province of DEMO_PROVINCES) {
    const rows = await db('cards').join('citizens', 'citizens.idNumber', 'cards.idNumber')
      .where('cards.status', 'ACTIVE').whereLike('citizens.homeRegionCode', `${province}%`)
      .orderBy('cards.idNumber').limit(4).select('cards.idNumber');
    ordinary.push(...rows.map((row) => row.idNumber));
  }
  const wanted = [...new Set([blacklistedIdNumber, noFingerprints?.idNumber, expired?.idNumber, ...ordinary].filter(Boolean))];

  const people = await db('citizens').whereIn('idNumber', wanted).orderBy('idNumber');
  const cards = await db('cards').whereIn('idNumber', wanted).orderBy('validFrom');
  const sample = people.map((person) => ({
    idNumber: person.idNumber,
    name: person.name,
    homeRegionCode: person.homeRegionCode,
    blacklisted: person.idNumber === blacklistedIdNumber,
    cards: cards.filter((card) => card.idNumber === person.idNumber)
      .map(({ validFrom, validUntil, status, hasFingerprints }) => ({ validFrom, validUntil, status, hasFingerprints })),
  }));
  return sample;
}
