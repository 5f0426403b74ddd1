import { z } from 'zod';
import { problems } from './problems';

/** Opaque keyset cursor. @throws Problem 400 `invalid_cursor` for anything this API did not hand out. */
export const cursor = {
  encode: (parts: Record<string, string>) => Buffer.from(JSON.stringify(parts)).toString('base64url'),
  decode: <T>(value: string | undefined, valid: (parsed: any) => parsed is T): T | undefined => {
    if (!value) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      if (valid(parsed)) return parsed;
    } catch {
      // fall through to the error below
    }
    throw problems.badRequest('invalid_cursor', 'The cursor is not one this API handed out.');
  },
};

/**
 * One page of a keyset listing: `rows` were read with one more than `size`, so whether a next page
 * exists is known without counting; its cursor is made from the last row shown.
 */
export function pageOf<Row, Item>(rows: Row[], size: number, item: (row: Row) => Item, cursorOf: (last: Row) => Record<string, string>): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return { items: page.map(item), nextCursor: rows.length > size && last ? cursor.encode(cursorOf(last)) : null };
}

/** The one shape of a page (what {@link pageOf} answers): the items, and the cursor of the next page or null on the last. */
export const pageSchema = <Item extends z.ZodType>(item: Item) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'pass as cursor for the next page; null on the last page' }),
  });
