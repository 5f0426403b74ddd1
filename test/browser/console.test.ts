import type { BrowserContext, Page } from 'playwright-core';
import { validUntilFor } from '../../domain';
import { call } from '../support/api';
import { acceptanceOf, eventually, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { browserSession, describeInBrowser, gzippedBytesOf, logInThroughForm, newPerson, type Person } from '../support/browser';
import { newCitizen, stationIn } from '../support/fixtures';

/**
 * The web console in Debian's Chromium (playwright-core), against the real API, PostgreSQL and the
 * workflow engine. Each test makes its own people and applications; every wait is on something the
 * page shows, bounded by the page's default timeout.
 */

const WAIT_MS = 20_000;
/** The first screen's scripts, gzipped: the console's budget on a slow link. */
const MAX_FIRST_SCREEN_SCRIPT_BYTES = 350 * 1024;
let harness: ApplicationsApi;
// A station and a home province of this file's own (Changsha, Hunan; Nanchang, Jiangxi): the shared test
// database holds the other files' cases, and a worklist shows the soonest due first, one page at a time.
const STATION_COUNTY = '430104';
const HOME_COUNTY = '360102';
const stationCode = stationIn(STATION_COUNTY);
const people: Record<'station' | 'reviewer' | 'otherReviewer' | 'production' | 'manager', Person> = {} as never;

describeInBrowser('the web console', () => {
  const session = browserSession();
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    harness = await startApplicationsApi({ productionProvinces: ['36'] });
    people.station = await newPerson(harness.db, 'station', { stationCode });
    people.reviewer = await newPerson(harness.db, 'reviewer', { regionCode: '360000' });
    people.otherReviewer = await newPerson(harness.db, 'reviewer', { regionCode: '510000' });
    people.production = await newPerson(harness.db, 'production', { provinceCode: '360000' });
    people.manager = await newPerson(harness.db, 'manager', { regionCode: '430000' });
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
  });

  beforeEach(() => {
    ({ context, page } = session);
  });

  /** An application in HOME_REVIEW for a new person of Nanchang, accepted at the Changsha station over the API. */
  async function applicationInReview() {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME_COUNTY });
    const accepted = await call(harness.api, 'POST', '/v1/applications', { token: people.station.token, body: acceptanceOf(citizen) });
    expect(accepted.status).toBe(201);
    const id = accepted.body.applicationId as string;
    // The 201 may come while the workflow still sends the case home; the reviewer's list shows it once it is there.
    await eventually(async () => (await harness.db('applications').where('id', id).first('stage')).stage === 'HOME_REVIEW', 30_000, 'the case in home review');
    return { citizen, id };
  }

  test('when a wrong password is typed, then the login is refused with a message in Chinese and no session starts; the first screen stays under 350 KB of compressed script', async () => {
    const scripts: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.url());
    });
    await logInThroughForm(page, harness.api.url, { username: people.station.username, password: 'not the password' });
    await page.getByTestId('login-error').getByText('用户名或密码错误').waitFor();
    expect(await page.getByTestId('station-open').count()).toBe(0);
    expect((await context.cookies()).filter((cookie) => cookie.name === 'idc_session')).toEqual([]);
    expect(gzippedBytesOf(scripts)).toBeLessThan(MAX_FIRST_SCREEN_SCRIPT_BYTES);
  }, 60_000);

  test('when a station logs in and accepts an application, then the receipt shows its receipt number and the applicant, and the case is in home review', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME_COUNTY });
    await logInThroughForm(page, harness.api.url, people.station);
    await page.getByTestId('station-open').waitFor();
    await page.getByTestId('accept-button').click();
    const idField = page.getByLabel('公民身份号码');
    // Checked as typed: a wrong check character is flagged before anything is sent.
    const wrongCheck = citizen.idNumber.slice(0, 17) + (citizen.idNumber[17] === '0' ? '1' : '0');
    await idField.fill(wrongCheck);
    await page.getByText('公民身份号码不正确').waitFor();
    await idField.fill(citizen.idNumber);
    await page.getByLabel('姓名').fill(citizen.name);
    await page.getByLabel('原因').fill('证件有效期将满');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('receipt').waitFor();
    const receiptNumber = (await page.getByTestId('receipt-number').textContent())?.trim();
    await page.getByTestId('receipt').getByText(citizen.name).waitFor();
    const stored = await harness.db('applications').where('idNumber', citizen.idNumber).first('id', 'stage');
    expect(stored.stage).toBe('HOME_REVIEW');
    expect(receiptNumber).toBeTruthy();
    // Back on the landing page the new case is listed with the applicant's name.
    await page.getByRole('button', { name: '返回' }).click();
    await page.getByTestId('station-open').getByText(citizen.name).waitFor();
  }, 60_000);

  test('when the reviewer of the home region opens a waiting application and approves it, then it goes to printing', async () => {
    const { citizen, id } = await applicationInReview();
    await logInThroughForm(page, harness.api.url, people.reviewer);
    await page.getByTestId('reviewer-waiting').getByText(citizen.name).click();
    await page.getByTestId('applicant-name').getByText(citizen.name).waitFor();
    await page.getByTestId('approve').click();
    await page.getByTestId('stage').getByText('制证中').waitFor();
    expect((await harness.db('applications').where('id', id).first('stage')).stage).toBe('PRINTING');
    expect(await page.getByTestId('approve').count()).toBe(0); // the step taken is offered no more
  }, 60_000);

  test('when a reviewer of another region logs in, then the case is neither listed nor readable', async () => {
    const { citizen, id } = await applicationInReview();
    await logInThroughForm(page, harness.api.url, people.otherReviewer);
    await page.getByTestId('reviewer-waiting').waitFor();
    await page.getByTestId('reviewer-waiting').locator('.ant-spin-spinning').waitFor({ state: 'detached' });
    expect(await page.getByText(citizen.name).count()).toBe(0);
    await page.goto(`${harness.api.url}/#/applications/${id}`);
    await page.getByTestId('not-found').waitFor();
    expect(await page.getByText(citizen.name).count()).toBe(0);
  }, 60_000);

  test('when production prints and dispatches and the station marks arrival and pickup, then the application is completed', async () => {
    const { citizen, id } = await applicationInReview();
    expect((await call(harness.api, 'POST', `/v1/applications/${id}/review`, { token: people.reviewer.token, body: { decision: 'approve' } })).status).toBe(200);

    await logInThroughForm(page, harness.api.url, people.production);
    await page.getByTestId('production-print').getByText(citizen.name).click();
    // Enter in a date field takes the date and submits its form. The card is valid from today (China's
    // date); its end is left empty, for the API to set by the holder's age as the law does.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await page.getByLabel('有效期起（留空：今天）').fill(today);
    await page.getByLabel('有效期起（留空：今天）').press('Enter');
    await page.getByText('已办理').first().waitFor();
    await page.getByLabel('运单号').fill('EMS-CONSOLE-1');
    await page.getByTestId('dispatched').click();
    await page.getByTestId('stage').getByText('寄送中').waitFor();
    await page.getByRole('button', { name: '退出' }).click();

    await logInThroughForm(page, harness.api.url, people.station);
    await page.getByRole('tab', { name: '待到证' }).click();
    await page.getByTestId('station-arrivals').getByText(citizen.name).click();
    await page.getByTestId('arrived').click();
    await page.getByTestId('stage').getByText('待领取').waitFor();
    await page.getByTestId('picked-up').click();
    await page.getByTestId('stage').getByText('已领取').waitFor();
    expect((await harness.db('applications').where('id', id).first('stage')).stage).toBe('COMPLETED');
    const card = await harness.db('cards').where({ issuedForApplicationId: id }).first('validFrom', 'validUntil');
    const { birthDate } = await harness.db('citizens').where({ idNumber: citizen.idNumber }).first('birthDate');
    expect(card).toEqual({ validFrom: today, validUntil: validUntilFor(birthDate, today) });
  }, 90_000);

  test('when a case is overdue, then the manager of the region finds it on the dashboard and opens it', async () => {
    const { citizen, id } = await applicationInReview();
    // The deadline passed (the workflow's own timer is tested elsewhere): the read model says so.
    await harness.db('applications').where('id', id).update({ overdue: true, deadlineAt: new Date(Date.now() - 86_400_000) });
    await logInThroughForm(page, harness.api.url, people.manager);
    await page.getByTestId('stage-chart').locator('canvas').waitFor(); // the stage funnel, drawn by ECharts
    await page.getByTestId('manager-overdue').getByText(citizen.name).click();
    await page.getByTestId('applicant-name').getByText(citizen.name).waitFor();
    await page.getByText('已超期').first().waitFor();
    await page.getByText('当前环节无需您办理').waitFor();
  }, 60_000);

  test('when English is chosen, then the console reads in English, and still does after a reload', async () => {
    await page.goto(harness.api.url);
    await page.getByLabel('用户名').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByLabel('Username').waitFor();
    await page.reload();
    await page.getByLabel('Password').waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByLabel('密码').waitFor();
  }, 60_000);

  test('when an admin creates a station clerk in the console, then the clerk logs in and lands on the station work', async () => {
    const admin = await newPerson(harness.db, 'admin');
    const username = `clerk-${Date.now().toString(36)}`;
    await logInThroughForm(page, harness.api.url, admin);
    await page.getByTestId('new-user').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill(username);
    await dialog.getByLabel('姓名').fill('窗口民警');
    await dialog.getByLabel('受理点代码').fill(stationCode);
    await dialog.getByLabel('密码').fill('a long enough password');
    await dialog.getByRole('button', { name: '提交' }).click();
    await page.getByRole('cell', { name: username }).waitFor();

    const clerk = await session.browser.newContext({ locale: 'zh-CN' });
    try {
      const clerkPage = await clerk.newPage();
      clerkPage.setDefaultTimeout(WAIT_MS);
      await logInThroughForm(clerkPage, harness.api.url, { username, password: 'a long enough password' });
      await clerkPage.getByTestId('station-open').waitFor();
    } finally {
      await clerk.close();
    }
  }, 60_000);

  test('when an applicant gives the receipt number and the citizen number, then the public page says where the application stands, without a login', async () => {
    const { citizen, id } = await applicationInReview();
    const { receiptNumber } = await harness.db('applications').where('id', id).first('receiptNumber');
    await page.goto(harness.api.url);
    await page.getByRole('link', { name: '申请人查询办理进度' }).click();
    await page.getByLabel('受理回执号').fill(receiptNumber);
    await page.getByLabel('公民身份号码').fill(citizen.idNumber);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByTestId('status-answer').getByText('户籍地公安机关正在审核').waitFor();
    expect(await page.getByText(citizen.name).count()).toBe(0); // the answer names no one
  }, 60_000);

  test('when a station records a loss report, then the card reads REPORTED_LOST and the clerk is told it is invalid from now on', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME_COUNTY });
    await logInThroughForm(page, harness.api.url, people.station);
    await page.getByRole('tab', { name: '挂失申报' }).click();
    await page.getByLabel('公民身份号码').fill(citizen.idNumber);
    await page.getByLabel('姓名').fill(citizen.name);
    await page.getByLabel('指纹比对一致').check(); // the card carries fingerprints: compared on the spot
    // The date last: Enter in the date field takes the date and submits the form, as at a counter.
    await page.getByLabel('证件有效期起始日').fill(citizen.cards[0].validFrom);
    await page.getByLabel('证件有效期起始日').press('Enter');
    await page.getByTestId('loss-result').waitFor();
    expect(await page.getByTestId('loss-result').innerText()).toContain('该证件即时失效');
    const card = await harness.db('cards').where({ idNumber: citizen.idNumber, validFrom: citizen.cards[0].validFrom }).first('status');
    expect(card.status).toBe('REPORTED_LOST');
  }, 60_000);

  test('when a police post checks a person and issues a temporary identity certificate, then its number and validity are shown', async () => {
    const post = await newPerson(harness.db, 'police_post', { regionCode: STATION_COUNTY });
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME_COUNTY });
    await logInThroughForm(page, harness.api.url, post);
    await page.getByLabel('公民身份号码').fill(citizen.idNumber);
    await page.getByLabel('姓名').fill(citizen.name);
    await page.getByLabel('指纹比对一致').check();
    await page.getByRole('button', { name: '开具' }).click();
    await page.getByText(/^LS\d{14}$/).waitFor();
  }, 60_000);
});
