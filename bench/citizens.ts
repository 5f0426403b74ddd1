/** The citizens the API benchmarks seed: people of one county, each with an ACTIVE card to verify or report lost. */
import type { Db } from '../db/knex';
import { makeIdNumber, validUntilFor } from '../domain';

export const HOME_REGION = '410105';
export const CARD_VALID_FROM = '2021-03-01';

export interface Person {
  idNumber: string;
  name: string;
}

const birthDateOf = (idNumber: string) => `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;

/** `count` citizens of HOME_REGION (the `from`-th on), each with an ACTIVE card valid from CARD_VALID_FROM. */
export async function seedPeople(db: Db, count: number, from = 0): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = from; i < from + count; i++) {
    const day = new Date(Date.UTC(1960, 0, 1) + Math.floor(i / 500) * 86_400_000).toISOString().slice(0, 10);
    people.push({ idNumber: makeIdNumber({ regionCode: HOME_REGION, birthDate: day, sequence: i % 500 }), name: `测${i}` });
  }
  for (let i = 0; i < people.length; i += 500) {
    const chunk = people.slice(i, i + 500);
    await db.transaction(async (trx) => {
      await trx('citizens').insert(chunk.map((p) => ({ idNumber: p.idNumber, name: p.name, sex: Number(p.idNumber[16]) % 2 ? 'male' : 'female', birthDate: birthDateOf(p.idNumber), homeRegionCode: HOME_REGION, hasFingerprints: false })));
      await trx('cards').insert(chunk.map((p) => ({ idNumber: p.idNumber, validFrom: CARD_VALID_FROM, validUntil: validUntilFor(birthDateOf(p.idNumber), CARD_VALID_FROM), status: 'ACTIVE', hasFingerprints: false })));
    });
  }
  return people;
}
