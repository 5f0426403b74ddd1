import { verifyCard, type InvalidReason } from '../../domain';
import type { CachedFacts } from './cardFactsCache';

/** What a card-using unit learns (API.md): the answer, the reason if invalid, when — nothing about the person. */
export interface VerificationAnswer {
  result: 'VALID' | 'INVALID';
  reason?: InvalidReason;
  checkedAt: string;
}

const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar day in China (UTC+8, no daylight saving) at `ms`: cards are valid by Beijing-time days. */
export const chinaDate = (ms: number): string => new Date(ms + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);

/**
 * The answer for the card with these facts (`null`: never issued) to someone presenting `presentedName`
 * at `nowMs`. Computed per request: the name check and the expiry day depend on the request, not the card.
 */
export function answer(facts: CachedFacts, presentedName: string, nowMs: number): VerificationAnswer {
  const verdict = verifyCard({ card: facts, presentedName, on: chinaDate(nowMs) });
  const checkedAt = new Date(nowMs).toISOString();
  return verdict.result === 'VALID' ? { result: 'VALID', checkedAt } : { result: 'INVALID', reason: verdict.reason, checkedAt };
}
