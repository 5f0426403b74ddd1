import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleDirectory } from '../../api/console';
import { hashPassword } from '../../api/session/passwords';
import type { Db } from '../../db/knex';
import { setPassword } from '../../db/logins';
import { createUser, type Role } from '../../db/users';

/** Debian's Chromium; never a browser downloaded by Playwright. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** A describe for browser tests: skipped, with a warning, where Chromium is not installed. */
export const describeInBrowser = hasChromium ? describe : describe.skip;
if (!hasChromium) console.warn('browser tests skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true, timeout: 60_000 });
}

/** The built console must be there: `npm test` builds it first (`npm run build`). */
export function assertConsoleBuilt(): void {
  if (!existsSync(path.join(consoleDirectory(), 'index.html'))) throw new Error('dist/console is missing: run npm run build first');
}

export interface Person {
  username: string;
  password: string;
  token: string;
  name: string;
}

/** A console login of one's own for a test. */
export async function newPerson(
  db: Db,
  role: Role,
  jurisdiction: { stationCode?: string; regionCode?: string; provinceCode?: string } = {},
): Promise<Person> {
  const id = `${role}-${randomUUID()}`;
  const password = `pw-${randomUUID()}`;
  const name = `${role}-${id.slice(-4)}`;
  const { token } = await createUser(db, {
    id,
    name,
    role,
    stationCode: jurisdiction.stationCode ?? null,
    regionCode: jurisdiction.regionCode ?? null,
    provinceCode: jurisdiction.provinceCode ?? null,
    unitId: null,
  });
  await setPassword(db, id, id, await hashPassword(password));
  return { username: id, password, token, name };
}

/** Opens the console, logs in with the form as a person would, and waits for the landing page's marker. */
export async function logInThroughForm(page: Page, url: string, person: Pick<Person, 'username' | 'password'>): Promise<void> {
  await page.goto(url);
  await page.getByLabel('用户名').fill(person.username);
  await page.getByLabel('密码').fill(person.password);
  await page.getByRole('button', { name: '登录' }).click();
}

/** Compressed size of the scripts a page loaded from the console (what a first visit downloads, gzip -9). */
export function gzippedBytesOf(urls: string[]): number {
  return urls
    .map((url) => path.join(consoleDirectory(), new URL(url).pathname))
    .filter((file) => existsSync(file))
    .reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
}

export interface BrowserSession {
  browser: Browser;
  /** This test's own context and page: no cookie or storage of another test. */
  context: BrowserContext;
  page: Page;
}

/**
 * Call inside a describe: one Chromium for the file (the built console checked first) and a fresh page
 * per test, in Chinese and China's time zone; a script error in the page fails the test.
 */
export function browserSession(waitMs = 20_000): BrowserSession {
  const session = {} as BrowserSession;
  let pageErrors: string[] = [];
  beforeAll(async () => {
    assertConsoleBuilt();
    session.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await session.browser?.close();
  });
  beforeEach(async () => {
    session.context = await session.browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    session.page = await session.context.newPage();
    session.page.setDefaultTimeout(waitMs);
    pageErrors = [];
    session.page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterEach(async () => {
    await session.context?.close();
    expect(pageErrors).toEqual([]);
  });
  return session;
}

/**
 * Clicks `button` in the open dialog and waits until the dialog closes, as it does once the server has
 * accepted. An error the dialog shows instead fails at once, with its text, rather than at the wait's end.
 */
export async function submitDialog(page: Page, button: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: button }).click();
  const shown = dialog.locator('[data-testid$="-dialog-problem"]'); // the console's dialogs show a refusal there
  const failed = shown.waitFor().then(
    async () => {
      throw new Error(`the dialog did not close; it shows the problem: ${await shown.innerText()}`);
    },
    () => undefined, // closed first: no problem was shown
  );
  await Promise.race([dialog.waitFor({ state: 'hidden' }), failed]);
}
