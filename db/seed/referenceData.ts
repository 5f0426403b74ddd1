import { provinces, regions } from '../../domain';
import type { Db } from '../knex';

/** One household-registration window per county: `S` + the county's code + a serial. */
export const stationCodeFor = (countyCode: string, serial = 1) => `S${countyCode}${String(serial).padStart(2, '0')}`;
export const productionCentreCodeFor = (provinceCode: string) => `P${provinceCode}`;

/** The one-to-one provincial pilot pairs that opened cross-region acceptance before the national rollout. */
const PILOT_PAIRS: Array<[string, string]> = [
  ['12', '41'], // Tianjin–Henan
  ['32', '34'], // Jiangsu–Anhui
  ['33', '36'], // Zhejiang–Jiangxi
  ['50', '51'], // Chongqing–Sichuan
  ['42', '43'], // Hubei–Hunan
];
const PILOT_FROM = '2016-09-01';
const WITHIN_PROVINCE_FROM = '2016-12-01';
const NATIONWIDE_FROM = '2017-07-01';

export const CARD_USING_UNITS = [
  { id: 'icbc', name: '中国工商银行', kind: 'bank', rateLimitPerSecond: null },
  { id: 'air-china', name: '中国国际航空', kind: 'airline', rateLimitPerSecond: null },
  { id: 'jinjiang-hotels', name: '锦江酒店', kind: 'hotel', rateLimitPerSecond: 50 },
  { id: 'china-mobile', name: '中国移动', kind: 'telecom', rateLimitPerSecond: null },
];

/**
 * Regions, stations, production centres, the rollout policy and card-using units.
 * Idempotent: existing rows are kept as they are, so it runs on every start.
 */
export async function seedReferenceData(db: Db): Promise<void> {
  await db.transaction(async (trx) => {
    // Parents first, so the self-reference holds row by row.
    const byLevel = ['province', 'city', 'county'].flatMap((level) => regions.filter((region) => region.level === level));
    for (let i = 0; i < byLevel.length; i += 500) {
      const rows = byLevel.slice(i, i + 500).map((region) => ({
        code: region.code,
        name: region.name,
        nameEn: region.nameEn,
        level: region.level,
        parentCode: region.parentCode ?? null,
      }));
      await trx('regions').insert(rows).onConflict('code').ignore();
    }

    const counties = regions.filter((region) => region.level === 'county');
    await trx('stations')
      .insert(counties.map((county) => ({ code: stationCodeFor(county.code), name: `${county.name}户政窗口`, regionCode: county.code })))
      .onConflict('code')
      .ignore();
    // Where a station stands, as citizens are told (demo addresses: the county's public-security bureau).
    await trx.raw(`UPDATE stations SET address = regions.name || '公安分局户政服务大厅' FROM regions WHERE regions.code = stations.region_code AND stations.address IS NULL`);

    await trx('productionCentres')
      .insert(
        provinces.map((province) => ({
          code: productionCentreCodeFor(province.code),
          name: `${province.name}制证中心`,
          provinceCode: province.code,
        })),
      )
      .onConflict('code')
      .ignore();

    await trx('cardUsingUnits').insert(CARD_USING_UNITS).onConflict('id').ignore();

    const [{ count }] = await trx('rolloutRules').count({ count: '*' });
    if (Number(count) === 0) {
      await trx('rolloutRules').insert([
        ...PILOT_PAIRS.flatMap(([a, b]) => [
          { stationRegionPrefix: a, homeRegionPrefix: b, from: PILOT_FROM, note: 'provincial pilot pair' },
          { stationRegionPrefix: b, homeRegionPrefix: a, from: PILOT_FROM, note: 'provincial pilot pair' },
        ]),
        ...provinces.map((province) => ({
          stationRegionPrefix: province.code.slice(0, 2),
          homeRegionPrefix: province.code.slice(0, 2),
          from: WITHIN_PROVINCE_FROM,
          note: 'within the province',
        })),
        { stationRegionPrefix: '', homeRegionPrefix: '', from: NATIONWIDE_FROM, note: 'nationwide' },
      ]);
    }
  });
}
