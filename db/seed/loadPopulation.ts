import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { generatePopulation, type SeedCitizen } from './population';

export interface LoadOptions {
  databaseUrl: string;
  count: number;
  seed: number;
  today: string;
  /** Called with the number of citizens streamed so far, then with the phase name. */
  onProgress?: (streamed: number) => void;
  onPhase?: (phase: 'streaming' | 'merging' | 'done') => void;
}

const BATCH = 5_000;

/**
 * Bulk-loads a generated population with COPY: citizens and cards stream in parallel over two
 * connections into staging tables, then one transaction merges them, skipping people already
 * present, so a re-run with the same seed changes nothing.
 */
export async function loadPopulation(options: LoadOptions): Promise<{ citizens: number; cards: number }> {
  const citizensConnection = new Client(options.databaseUrl);
  const cardsConnection = new Client(options.databaseUrl);
  await Promise.all([citizensConnection.connect(), cardsConnection.connect()]);
  try {
    await citizensConnection.query(`
      DROP TABLE IF EXISTS seed_citizens, seed_cards;
      CREATE UNLOGGED TABLE seed_citizens (id_number text, name text, sex sex, birth_date date, home_region_code text, has_fingerprints boolean);
      CREATE UNLOGGED TABLE seed_cards (id_number text, valid_from date, valid_until date, status card_status, has_fingerprints boolean);`);

    options.onPhase?.('streaming');
    const citizenRows = citizensConnection.query(copyFrom('COPY seed_citizens FROM STDIN'));
    const cardRows = cardsConnection.query(copyFrom('COPY seed_cards FROM STDIN'));
    let citizenLines = '';
    let cardLines = '';
    let streamed = 0;
    for (const citizen of generatePopulation(options)) {
      citizenLines += citizenLine(citizen);
      cardLines += citizen.cards.map((card) => cardLine(citizen, card)).join('');
      if (++streamed % BATCH === 0) {
        await Promise.all([write(citizenRows, citizenLines), write(cardRows, cardLines)]);
        citizenLines = cardLines = '';
        options.onProgress?.(streamed);
      }
    }
    await Promise.all([write(citizenRows, citizenLines), write(cardRows, cardLines)]);
    citizenRows.end();
    cardRows.end();
    await Promise.all([finished(citizenRows), finished(cardRows)]);
    options.onProgress?.(streamed);

    options.onPhase?.('merging');
    const merged = await mergeStaged(citizensConnection);
    options.onPhase?.('done');
    return merged;
  } finally {
    await citizensConnection.query('DROP TABLE IF EXISTS seed_citizens, seed_cards').catch(() => undefined);
    await Promise.all([citizensConnection.end(), cardsConnection.end()]);
  }
}

async function mergeStaged(connection: Client): Promise<{ citizens: number; cards: number }> {
  await connection.query('BEGIN');
  try {
    // Seeded cards are history, not news: no cache holds them yet, so they are not announced one by one.
    await connection.query('ALTER TABLE cards DISABLE TRIGGER cards_issued');
    // Only people new to the registry get their cards: a re-run, or a clash with someone already
    // registered, adds nothing to an existing person.
    const { rows } = await connection.query<{ citizens: string; cards: string }>(`
      WITH inserted AS (
        INSERT INTO citizens (id_number, name, sex, birth_date, home_region_code, has_fingerprints)
        SELECT id_number, name, sex, birth_date, home_region_code, has_fingerprints FROM seed_citizens
        ON CONFLICT DO NOTHING
        RETURNING id_number
      ), issued AS (
        INSERT INTO cards (id_number, valid_from, valid_until, status, has_fingerprints)
        SELECT s.id_number, s.valid_from, s.valid_until, s.status, s.has_fingerprints
        FROM seed_cards s JOIN inserted USING (id_number)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM inserted) AS citizens, (SELECT count(*) FROM issued) AS cards`);
    await connection.query('ALTER TABLE cards ENABLE TRIGGER cards_issued');
    await connection.query('COMMIT');
    return { citizens: Number(rows[0].citizens), cards: Number(rows[0].cards) };
  } catch (error) {
    await connection.query('ROLLBACK');
    throw error;
  }
}

async function write(stream: Writable, chunk: string): Promise<void> {
  if (chunk && !stream.write(chunk)) await once(stream, 'drain');
}

const field = (value: string | boolean | null) => (value === null ? '\\N' : String(value));

function citizenLine(citizen: SeedCitizen): string {
  const { idNumber, name, sex, birthDate, homeRegionCode, hasFingerprints } = citizen;
  return [idNumber, name, sex, birthDate, homeRegionCode, hasFingerprints].map(field).join('\t') + '\n';
}

function cardLine(citizen: SeedCitizen, card: SeedCitizen['cards'][number]): string {
  return [citizen.idNumber, card.validFrom, card.validUntil, card.status, card.hasFingerprints].map(field).join('\t') + '\n';
}
