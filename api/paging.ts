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
