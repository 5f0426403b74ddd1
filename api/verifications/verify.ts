import { CHINA_UTC_OFFSET_MS, chinaDateOf, INVALID_REASONS, verifyCard } from '../../domain';
import { z } from 'zod';
import { instant } from '../answers';
import type { CachedFacts } from './cardFactsCache';

/** What a card-using unit learns (API.md): the answer, the reason if invalid, when — nothing about the person. */
export const verificationAnswerSchema = z.object({
  result: z.enum(['VALID', 'INVALID']),
  reason: z.enum(INVALID_REASONS).optional(),
  checkedAt: instant,
});
export type VerificationAnswer = z.output<typeof verificationAnswerSchema>;

const DAY_MS = 24 * 60 * 60 * 1000;
let cachedDay = { from: 0, until: 0, date: '' };

/**
 * The calendar day in China (UTC+8, no daylight saving) at `ms`: cards are valid by Beijing-time
 * days. Remembered until midnight, since the hot path asks for it on every request.
 */
export function chinaDate(ms: number): string {
  if (ms >= cachedDay.from && ms < cachedDay.until) return cachedDay.date;
  const local = ms + CHINA_UTC_OFFSET_MS;
  const from = Math.floor(local / DAY_MS) * DAY_MS - CHINA_UTC_OFFSET_MS;
  cachedDay = { from, until: from + DAY_MS, date: chinaDateOf(ms) };
  return cachedDay.date;
}

let lastTime = { ms: Number.NaN, iso: '' };

/** `new Date(ms).toISOString()`, remembered for the millisecond: several requests share one. */
function isoTime(ms: number): string {
  if (ms !== lastTime.ms) lastTime = { ms, iso: new Date(ms).toISOString() };
  return lastTime.iso;
}

/**
 * The answer for the card with these facts (`null`: never issued) to someone presenting `presentedName`
 * at `nowMs`. Computed per request: the name check and the expiry day depend on the request, not the card.
 */
export function answer(facts: CachedFacts, presentedName: string, nowMs: number): VerificationAnswer {
  const verdict = verifyCard({ card: facts, presentedName, on: chinaDate(nowMs) });
  const checkedAt = isoTime(nowMs);
  return verdict.result === 'VALID' ? { result: 'VALID', checkedAt } : { result: 'INVALID', reason: verdict.reason, checkedAt };
}
