import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'idc_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The session cookie's value, if the request carries one. */
export function sessionCookieOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

/**
 * httpOnly (scripts never read it), SameSite=Strict (no other site's page sends it), Secure behind
 * HTTPS; a session cookie of the browser, while the server holds the real expiry.
 */
export function setSessionCookie(req: Request, res: Response, value: string): void {
  res.append('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.append('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${req.secure ? '; Secure' : ''}`);
}
