import { z } from 'zod';

/**
 * The building blocks of the answers' schemas (declared beside each view, read by `openapi.ts`):
 * what an instant, a calendar date and a receipt number look like in a JSON answer.
 */
export const instant = z.iso.datetime();
/** A calendar date, `YYYY-MM-DD` (China's, for cards and deadlines). */
export const calendarDate = z.iso.date();
/** The receipt number (受理回执号) the applicant quotes, `YYMMDD-NNNNNNN`. */
export const receiptNumber = z.string().regex(/^\d{6}-\d{7}$/).meta({ description: 'the receipt number (受理回执号) the applicant quotes' });
/** A place by code and name: a region, a production centre. */
export const place = z.object({ code: z.string(), name: z.string() });
