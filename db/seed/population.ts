import prand from 'pure-rand';
import { DAY_MS as DAY, makeIdNumber, regions, validUntilFor, type CardStatus } from '../../domain';

export interface SeedCard {
  validFrom: string;
  validUntil: string | null;
  status: CardStatus;
  hasFingerprints: boolean;
}

export interface SeedCitizen {
  idNumber: string;
  name: string;
  sex: 'male' | 'female';
  birthDate: string;
  homeRegionCode: string;
  hasFingerprints: boolean;
  cards: SeedCard[];
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉华红梅建国志文斌宇浩然欣怡子涵晨阳思远佳琪雨萱俊杰鑫磊婷雪慧晓东海波宁';
/** Cards have carried fingerprints since 2013. */
const FINGERPRINTS_SINCE = '2013-01-01';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/**
 * A deterministic, realistic population: the same `seed` always yields the same citizens.
 * Numbers are valid GB 11643 numbers, unique within one generation; most people still live under
 * the registration where their number was issued, some have moved it (the home region is a registry
 * fact, not the number's prefix). Cards follow each person's life: first card at 16, renewed when it
 * expires (the older cards SUPERSEDED), a few left expired.
 */
export function* generatePopulation(options: { count: number; seed: number; today: string }): Generator<SeedCitizen> {
  const rng = prand.xoroshiro128plus(options.seed);
  const int = (from: number, to: number) => prand.unsafeUniformIntDistribution(from, to, rng);
  const chance = (percent: number) => int(1, 100) <= percent;
  const pick = <T>(items: readonly T[] | string): T => items[int(0, items.length - 1)] as T;

  const counties = regions.filter((region) => region.level === 'county').map((region) => region.code);
  const today = dayMs(options.today);
  const earliestBirth = dayMs('1940-01-01');
  const issued = new Set<string>();

  for (let produced = 0; produced < options.count; ) {
    const birthRegion = pick(counties);
    const birthMs = int(earliestBirth / DAY, today / DAY - 365) * DAY;
    const birthDate = isoDay(birthMs);
    const sex = chance(51) ? 'male' : 'female';
    // Sequence parity carries the sex: odd for men, even for women.
    const sequence = int(0, 498) * 2 + (sex === 'male' ? 1 : 2);
    const idNumber = makeIdNumber({ regionCode: birthRegion, birthDate, sequence });
    if (issued.has(idNumber)) continue;
    issued.add(idNumber);
    produced++;

    const cards = cardHistory(birthMs, birthDate, today, int, chance);
    yield {
      idNumber,
      name: pick<string>(SURNAMES) + pick<string>(GIVEN) + (chance(70) ? pick<string>(GIVEN) : ''),
      sex,
      birthDate,
      homeRegionCode: chance(90) ? birthRegion : pick(counties),
      hasFingerprints: cards.at(-1)?.hasFingerprints ?? false,
      cards,
    };
  }
}

function cardHistory(
  birthMs: number,
  birthDate: string,
  today: number,
  int: (from: number, to: number) => number,
  chance: (percent: number) => boolean,
): SeedCard[] {
  const cards: SeedCard[] = [];
  let validFromMs = birthMs + 16 * 365 * DAY + int(0, 400) * DAY;
  while (validFromMs <= today) {
    const validFrom = isoDay(validFromMs);
    const validUntil = validUntilFor(birthDate, validFrom);
    const hasFingerprints = validFrom >= FINGERPRINTS_SINCE && chance(92);
    const expired = validUntil !== null && dayMs(validUntil) < today;
    const previous = cards.at(-1);
    if (previous) previous.status = 'SUPERSEDED';
    cards.push({ validFrom, validUntil, status: expired ? 'EXPIRED' : 'ACTIVE', hasFingerprints });
    // Most people renew in the last months before expiry; a few let the card lapse.
    if (!expired || !chance(95) || validUntil === null) break;
    validFromMs = dayMs(validUntil) - int(0, 90) * DAY;
  }
  return cards;
}
