import type { Page } from 'playwright-core';
import { DAY_MS } from '../../domain';
import { call } from '../support/api';
import { acceptanceOf, eventually, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { browserSession, describeInBrowser, logInThroughForm, newPerson, submitDialog, type Person } from '../support/browser';
import { newCitizen, newToken, stationIn } from '../support/fixtures';

/**
 * The console's further steps on a case, in Debian's Chromium against the real API, PostgreSQL and
 * engine: the reviewer's extension and temporary card, the production centre's print failure, the
 * station's withdrawal and the temporary card handed back at pickup, the manager's charts and
 * drill-down to a station, the blacklist and impersonation reports. The same station and provinces
 * as console.test.ts (Changsha, Hunan; Nanchang, Jiangxi); each test makes its own people and cases
 * and opens each case by its page.
 */

const STATION_COUNTY = '430104';
const HOME_COUNTY = '360102';
const stationCode = stationIn(STATION_COUNTY);
let harness: ApplicationsApi;
const people: Record<'station' | 'reviewer' | 'production' | 'manager', Person> = {} as never;

describeInBrowser('the console: extensions, temporary cards, print failures, withdrawals, the dashboard', () => {
  const session = browserSession();
  let page: Page;

  beforeAll(async () => {
    harness = await startApplicationsApi({ productionProvinces: ['36'] });
    people.station = await newPerson(harness.db, 'station', { stationCode });
    people.reviewer = await newPerson(harness.db, 'reviewer', { regionCode: '360000' });
    people.production = await newPerson(harness.db, 'production', { provinceCode: '360000' });
    people.manager = await newPerson(harness.db, 'manager', { regionCode: '430000' });
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
  });

  beforeEach(() => {
    ({ page } = session);
  });

  const stageOf = async (id: string) => (await harness.db('applications').where('id', id).first('stage')).stage as string;

  /** A case of a new Nanchang resident accepted at the Changsha station over the API, once it is in home review. */
  async function caseInReview(overrides: Record<string, unknown> = {}) {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME_COUNTY });
    const accepted = await call(harness.api, 'POST', '/v1/applications', { token: people.station.token, body: acceptanceOf(citizen, overrides) });
    expect(accepted.status).toBe(201);
    const id = accepted.body.applicationId as string;
    await eventually(async () => (await stageOf(id)) === 'HOME_REVIEW', 30_000, 'the case in home review');
    return { citizen, id };
  }

  /** Logs in through the form and opens the case's page, as a bookmark or a list's row would. */
  async function openCase(person: Person, id: string) {
    await logInThroughForm(page, harness.api.url, person);
    await page.getByTestId('user-name').waitFor();
    await page.goto(`${harness.api.url}/#/applications/${id}`);
    await page.getByTestId('application').waitFor();
  }

  const step = async (id: string, path: string, token: string, body: unknown) => {
    const answer = await call(harness.api, 'POST', `/v1/applications/${id}/${path}`, { token, body });
    expect({ path, status: answer.status, code: answer.body?.code }).toEqual({ path, status: 200, code: undefined });
  };

  test('when the reviewer grants an extension of 15 days with a reason, then the case shows it and its deadline moves to 75 days after acceptance; the form is offered no more', async () => {
    const { id } = await caseInReview();
    await openCase(people.reviewer, id);
    await page.getByLabel('延长天数').fill('15');
    await page.getByLabel('延期原因').fill('户籍档案需调阅核实');
    await page.getByTestId('extend').click();
    await page.getByTestId('extension').getByText('已延长 15 天 · 户籍档案需调阅核实').waitFor();
    const stored = await harness.db('applications').where('id', id).first('acceptedAt', 'deadlineAt', 'extensionDays');
    expect(stored.extensionDays).toBe(15);
    expect(stored.deadlineAt.getTime() - stored.acceptedAt.getTime()).toBe(75 * DAY_MS);
    expect(await page.getByTestId('extend').count()).toBe(0);
    expect(await page.getByTestId('approve').count()).toBe(1); // the review is still to do
  }, 60_000);

  test('when another reviewer extended the case meanwhile, then the refusal is shown in the language of the page — Chinese, and English once chosen', async () => {
    for (const [language, expected] of [
      ['zh', '该申请已延期过一次，不能再次延期'],
      ['en', 'This application was already extended once; it cannot be extended again'],
    ] as const) {
      const { id } = await caseInReview();
      await openCase(people.reviewer, id);
      if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
      await step(id, 'extend', people.reviewer.token, { days: 10, reason: 'roads closed' });
      await page.getByLabel(language === 'zh' ? '延长天数' : 'Days to extend').fill('20');
      await page.getByLabel(language === 'zh' ? '延期原因' : 'Reason for extension').fill('second try');
      await page.getByTestId('extend').click();
      await page.getByTestId('step-problem').getByText(expected).waitFor();
      // The page reads the case again: the extension that stands is the first one.
      await page.getByTestId('extension').getByText(language === 'zh' ? '已延长 10 天' : 'Extended by 10 days').waitFor();
      expect((await harness.db('applications').where('id', id).first('extensionDays')).extensionDays).toBe(10);
      await page.getByRole('button', { name: language === 'zh' ? '退出' : 'Log out' }).click();
      if (language === 'en') await page.getByRole('button', { name: '中文' }).click();
    }
  }, 90_000);

  test('when the reviewer issues the temporary card, then it reads issued; at pickup the station must tick it handed back, and is told so in Chinese until it does', async () => {
    const { citizen, id } = await caseInReview({ temporaryCardRequested: true });
    await openCase(people.reviewer, id);
    await page.getByTestId('temporary-card').getByText(/^待签发，时限/).waitFor();
    await page.getByTestId('temporary-card-issued').click();
    await page.getByTestId('temporary-card').getByText(/^已于 .+ 签发$/).waitFor();
    expect(await page.getByTestId('temporary-card-issued').count()).toBe(0);
    expect((await harness.db('applications').where('id', id).first('temporaryCardIssuedAt')).temporaryCardIssuedAt).toBeInstanceOf(Date);

    // Reviewed, printed, dispatched and arrived over the API; the card is dated today (China) for twenty years.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await step(id, 'review', people.reviewer.token, { decision: 'approve' });
    await step(id, 'printed', people.production.token, { validFrom: today });
    await step(id, 'dispatched', people.production.token, { trackingNumber: `EMS-${id.slice(0, 8)}` });
    await step(id, 'arrived', people.station.token, {});
    await page.getByRole('button', { name: '退出' }).click();

    await openCase(people.station, id);
    await page.getByTestId('applicant-name').getByText(citizen.name).waitFor();
    await page.getByTestId('picked-up').click(); // the old card ticked, the temporary card not
    await page.getByTestId('step-problem').getByText('申请人须交回临时身份证后方可领取新证').waitFor();
    expect(await stageOf(id)).toBe('READY_FOR_PICKUP');
    await page.getByLabel('已交回临时身份证').check();
    await page.getByTestId('picked-up').click();
    await page.getByTestId('stage').getByText('已领取').waitFor();
    expect(await stageOf(id)).toBe('COMPLETED');
    const audit = await harness.db('auditLog').where({ action: 'application.picked_up', subjectId: id }).first('details');
    expect(audit.details).toMatchObject({ oldCardReturned: true, temporaryCardReturned: true });
  }, 120_000);

  test('when production reports a print failure with its reason, then the case lists it and the cards to print show the reprint', async () => {
    const { citizen, id } = await caseInReview();
    await step(id, 'review', people.reviewer.token, { decision: 'approve' });
    await openCase(people.production, id);
    await page.getByTestId('print-failed').click();
    await page.getByLabel('制证失败原因').fill('芯片写入失败');
    await page.getByTestId('print-failed-form').getByRole('button', { name: '制证失败' }).click();
    await page.getByTestId('print-failures').getByText(/^第 1 次失败 · .+ · 芯片写入失败$/).waitFor();
    const stored = await harness.db('applications').where('id', id).first('printFailures', 'stage');
    expect(stored).toEqual({ printFailures: 1, stage: 'PRINTING' });
    await page.getByRole('button', { name: '返回' }).click();
    await page.getByTestId('production-print').getByRole('row', { name: new RegExp(citizen.name) }).getByText('重制 1 次').waitFor();
  }, 60_000);

  test('when the station withdraws an application with the reason, then it is withdrawn, the reason shown, and nothing more is offered', async () => {
    const { id } = await caseInReview();
    await openCase(people.station, id);
    await page.getByTestId('withdraw').click();
    await page.getByTestId('withdraw-form').getByRole('button', { name: '撤回申请' }).click();
    await page.getByText('必填').waitFor(); // no reason, nothing sent
    expect(await stageOf(id)).toBe('HOME_REVIEW');
    await page.getByLabel('撤回原因').fill('申请人已回户籍地办理');
    await page.getByTestId('withdraw-form').getByRole('button', { name: '撤回申请' }).click();
    await page.getByTestId('stage').getByText('已撤回').waitFor();
    await page.getByTestId('withdrawal-reason').getByText('申请人已回户籍地办理').waitFor();
    await page.getByText('当前环节无需您办理').waitFor();
    expect(await harness.db('applications').where('id', id).first('stage', 'withdrawalReason')).toEqual({ stage: 'WITHDRAWN', withdrawalReason: '申请人已回户籍地办理' });
  }, 60_000);

  test('when the manager opens the dashboard, then the weekly on-time and days-left charts are drawn, and a click on the station lists its open cases with the overdue one first', async () => {
    const { citizen, id } = await caseInReview();
    // The deadline passed five days ago (the workflow's own timer is tested elsewhere): the read model says so.
    await harness.db('applications').where('id', id).update({ overdue: true, deadlineAt: new Date(Date.now() - 5 * DAY_MS) });
    await logInThroughForm(page, harness.api.url, people.manager);
    await page.getByTestId('on-time-chart').locator('canvas').waitFor();
    await page.getByTestId('days-left-chart').locator('canvas').waitFor();
    expect(await page.getByRole('img', { name: '近12周按时办结率' }).count()).toBe(1);
    await page.getByTestId('manager-stations').getByRole('link', { name: '岳麓区户政窗口' }).click();
    await page.getByTestId('station-title').getByText('岳麓区户政窗口').waitFor();
    const first = page.getByTestId('station-cases').locator('tbody tr').first();
    await first.getByText(citizen.name).waitFor();
    await first.getByText('已超期').waitFor();
    await first.click();
    await page.getByTestId('applicant-name').getByText(citizen.name).waitFor();
  }, 60_000);

  /** Picks an option of the antd select labelled `label` inside `scope`. */
  async function choose(scope: ReturnType<Page['getByRole']>, label: string, option: string) {
    // An earlier select's list stays in the page, hidden: take the open one's option, then see it chosen.
    // Under load a click on the list while it still opens can be lost: close it and choose again, as a person would.
    for (let attempt = 1; ; attempt++) {
      await scope.getByLabel(label).click();
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: option }).click();
      try {
        await scope.locator('.ant-select-content-has-value', { hasText: option }).waitFor({ timeout: 3_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
        await scope.locator('.ant-modal-title').click(); // a click beside the list closes it (Escape would close the dialog)
        await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'detached', timeout: 3_000 }).catch(() => undefined);
      }
    }
  }

  test('when a manager puts a person of the region on the blacklist, then the entry is listed with the name; the same again is refused in Chinese; an admin removes it with a reason', async () => {
    const person = await newCitizen(harness.db, { homeRegionCode: '430102' });
    await logInThroughForm(page, harness.api.url, people.manager);
    await page.getByRole('tab', { name: '失信人员名单' }).click();
    for (const attempt of ['first', 'again']) {
      await page.getByTestId('blacklist-add').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('公民身份号码').fill(person.idNumber);
      await choose(dialog, '事由', '伪造居民身份证');
      await dialog.getByLabel('依据').fill('长沙市公安局岳麓分局 2026-091 号');
      await dialog.getByRole('button', { name: '提交' }).click();
      if (attempt === 'first') {
        await dialog.waitFor({ state: 'hidden' });
        await page.getByTestId('blacklist').getByRole('row', { name: new RegExp(person.name) }).getByText('伪造居民身份证').waitFor();
      } else {
        await page.getByTestId('blacklist-add-dialog-problem').getByText('该人员已因此类事由列入失信名单').waitFor();
        await dialog.getByRole('button', { name: '取消' }).click();
      }
    }
    expect(await harness.db('blacklistEntries').where('idNumber', person.idNumber).whereNull('removedAt').count('* as n').first()).toEqual({ n: 1 });
    expect(await page.getByRole('button', { name: '移出名单' }).count()).toBe(0); // only admins remove
    await page.getByRole('button', { name: '退出' }).click();

    const admin = await newPerson(harness.db, 'admin');
    await logInThroughForm(page, harness.api.url, admin);
    await page.getByRole('tab', { name: '失信人员名单' }).click();
    await page.getByTestId('blacklist').getByRole('row', { name: new RegExp(person.name) }).getByRole('button', { name: '移出名单' }).click();
    await page.getByRole('dialog').getByLabel('移出原因').fill('经复查系误报');
    await submitDialog(page, '提交');
    await page.getByTestId('blacklist').getByText('已移除').click();
    await page.getByTestId('blacklist').getByRole('row', { name: new RegExp(person.name) }).getByText(/^经复查系误报 · /).waitFor();
    expect(await harness.db('blacklistEntries').where('idNumber', person.idNumber).first('removalReason')).toEqual({ removalReason: '经复查系误报' });
  }, 90_000);

  test('when a unit reports impersonation of a person of the region, then the manager confirms one (the impersonator goes on the blacklist) and dismisses another with a reason', async () => {
    const unit = await newToken(harness.db, 'unit', { unitId: 'jinjiang-hotels' });
    const [victim, otherVictim, impersonator] = await Promise.all([0, 1, 2].map(() => newCitizen(harness.db, { homeRegionCode: '430102' })));
    for (const holder of [victim, otherVictim]) {
      expect((await call(harness.api, 'POST', '/v1/impersonation-reports', { token: unit, body: { idNumber: holder.idNumber, note: '入住登记时人证不符' } })).status).toBe(201);
    }
    await logInThroughForm(page, harness.api.url, people.manager);
    await page.getByRole('tab', { name: '冒用举报' }).click();
    const reports = page.getByTestId('impersonation-reports');
    await reports.getByRole('row', { name: new RegExp(victim.idNumber) }).getByRole('button', { name: '认定冒用' }).click();
    await page.getByRole('dialog').getByLabel('冒用人公民身份号码').fill(impersonator.idNumber);
    await submitDialog(page, '提交');
    await reports.getByRole('row', { name: new RegExp(otherVictim.idNumber) }).getByRole('button', { name: '驳回' }).click();
    await page.getByRole('dialog').getByLabel('驳回原因').fill('核实为本人使用');
    await submitDialog(page, '提交');
    await reports.getByText('已认定').click();
    await reports.getByRole('row', { name: new RegExp(victim.idNumber) }).waitFor();
    expect(await harness.db('impersonationReports').whereIn('idNumber', [victim.idNumber, otherVictim.idNumber]).orderBy('state').select('idNumber', 'state')).toEqual([
      { idNumber: victim.idNumber, state: 'CONFIRMED' },
      { idNumber: otherVictim.idNumber, state: 'DISMISSED' },
    ]);
    await page.getByRole('tab', { name: '失信人员名单' }).click();
    await page.getByTestId('blacklist').getByRole('row', { name: new RegExp(impersonator.name) }).getByText('冒用他人居民身份证').waitFor();
  }, 90_000);
});
