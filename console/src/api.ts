/** The console's one door to data: the API, with the session cookie and its CSRF token. */
export interface SessionUser {
  name: string;
  role: 'station' | 'reviewer' | 'production' | 'manager' | 'admin' | 'police_post';
  stationCode: string | null;
  regionCode: string | null;
  provinceCode: string | null;
}

export interface Application {
  applicationId: string;
  receiptNumber?: string;
  kind: string;
  stage: string;
  acceptingStationCode: string;
  homeRegionCode: string;
  acceptedAt: string;
  deadlineAt: string;
  daysRemaining: number | null;
  overdue: boolean;
  trackingNumber?: string | null;
  refusalReason?: string | null;
  person?: { name: string; idNumber: string; idNumberMasked?: boolean; contactPhone?: string | null };
  extension?: { days: number; reason: string | null } | null;
  temporaryCard?: { state: 'DUE' | 'OVERDUE' | 'ISSUED'; dueAt: string | null; issuedAt: string | null; overdue: boolean } | null;
  printFailures?: number;
  printFailureReasons?: Array<{ at: string; attempt: number | null; reason: string | null }>;
  withdrawalReason?: string | null;
  readyForPickupAt?: string | null;
  acceptingStation?: { code: string; name: string } | null;
  homeRegion?: { code: string; name: string } | null;
  history?: Array<{ stage: string; at: string; note?: string; actedBy?: { name: string; role: string } | null }>;
  printedCard?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

let csrfToken: string | undefined;
/** The console's language, asked of the API too: a problem's detail then reads as the rest of the page. */
let acceptLanguage = 'zh-CN';
export const setApiLanguage = (lang: 'zh' | 'en') => {
  acceptLanguage = lang === 'zh' ? 'zh-CN' : 'en';
};

async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      'accept-language': acceptLanguage,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(csrfToken && method !== 'GET' ? { 'x-csrf-token': csrfToken } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, data?.code, data?.detail ?? response.statusText);
  return data as T;
}

interface SessionAnswer {
  user: SessionUser;
  csrfToken: string;
}

export async function currentSession(): Promise<SessionUser | undefined> {
  try {
    const session = await request<SessionAnswer>('GET', 'v1/session');
    csrfToken = session.csrfToken;
    return session.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

export async function logIn(username: string, password: string): Promise<SessionUser> {
  const session = await request<SessionAnswer>('POST', 'v1/session', { username, password });
  csrfToken = session.csrfToken;
  return session.user;
}

export async function logOut(): Promise<void> {
  await request('DELETE', 'v1/session');
  csrfToken = undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown, headers?: Record<string, string>) => request<T>('POST', path, body, headers),
  delete: <T>(path: string, body: unknown) => request<T>('DELETE', path, body),
};
