/**
 * Comparing a presented name with the registry's. Names are compared after Unicode NFC
 * normalisation, without white space, and with the look-alike middle dots of transliterated
 * minority and foreign-origin names (`·` U+00B7, `•` U+2022, `・` U+30FB, `‧` U+2027, `．` U+FF0E,
 * `.`) read as one: counters type them differently, the person is the same. Nothing else is
 * forgiven — a different character is a different name.
 */
const MIDDLE_DOTS = /[\u00B7\u2022\u30FB\u2027\uFF0E.]/g;

export const normaliseName = (name: string): string => name.normalize('NFC').replace(/\s+/g, '').replace(MIDDLE_DOTS, '·');

/** Whether two names are the same person's name as written on a card; an empty name matches nothing. */
export function namesMatch(presented: string, recorded: string): boolean {
  if (typeof presented !== 'string' || typeof recorded !== 'string') return false;
  const a = normaliseName(presented);
  return a !== '' && a === normaliseName(recorded);
}
