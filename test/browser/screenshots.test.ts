import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { call } from '../support/api';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { hasChromium, launchChromium, logInThroughForm, newPerson } from '../support/browser';
import { COUNTIES, newCitizen, stationIn } from '../support/fixtures';

/**
 * The README's screenshots of each role's landing page in Chinese, taken only when asked:
 * `CONSOLE_SCREENSHOTS=docs/console npx jest test/browser/screenshots` (after `npm run build`).
 */
const target = process.env.CONSOLE_SCREENSHOTS;
const describeWhenAsked = target && hasChromium ? describe : describe.skip;

describeWhenAsked('console screenshots', () => {
  let harness: ApplicationsApi;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startApplicationsApi({ productionProvinces: ['41'] });
    browser = await launchChromium();
    mkdirSync(target!, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  test('landing pages in Chinese', async () => {
    const { db, api } = harness;
    const station = { ...(await newPerson(db, 'station', { stationCode: stationIn(COUNTIES.shanghaiPudong) })), stationCode: stationIn(COUNTIES.shanghaiPudong) };
    const reviewer = await newPerson(db, 'reviewer', { regionCode: '410000' });
    const production = await newPerson(db, 'production', { provinceCode: '410000' });
    const manager = await newPerson(db, 'manager', { regionCode: '310000' });
    await db('users').whereIn('username', [station.username, reviewer.username, production.username, manager.username])
      .update({ name: db.raw(`CASE role WHEN 'station' THEN '浦东新区户政窗口' WHEN 'reviewer' THEN '河南省公安厅户籍地审核' WHEN 'production' THEN '河南省制证中心' ELSE '上海市管理' END`) });
    const ids: string[] = [];
    for (const name of ['王小明', '李娜', '张伟', '刘芳', '陈静']) {
      const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui, name });
      const accepted = await call(api, 'POST', '/v1/applications', { token: station.token, body: acceptanceOf(citizen, { reason: '证件有效期将满' }) });
      ids.push(accepted.body.applicationId);
    }
    for (const id of ids.slice(0, 2)) await call(api, 'POST', `/v1/applications/${id}/review`, { token: reviewer.token, body: { decision: 'approve' } });
    await db('applications').where('id', ids[4]).update({ overdue: true, deadlineAt: new Date(Date.now() - 3 * 86_400_000) });
    // Finished cases over the last twelve weeks, a few late, for the on-time chart: the read model as pickups leave it.
    for (let week = 11; week >= 0; week -= 1) {
      for (let n = 0; n < 3; n += 1) {
        const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
        const accepted = await call(api, 'POST', '/v1/applications', { token: station.token, body: acceptanceOf(citizen, { reason: '证件有效期将满' }) });
        const readyForPickupAt = new Date(Date.now() - (week * 7 + n) * 86_400_000 - 3_600_000);
        const late = (week + n) % 5 === 0;
        await db('applications').where('id', accepted.body.applicationId).update({
          stage: 'COMPLETED',
          acceptedAt: new Date(readyForPickupAt.getTime() - 40 * 86_400_000),
          readyForPickupAt,
          deadlineAt: new Date(readyForPickupAt.getTime() + (late ? -2 : 20) * 86_400_000),
          closedAt: readyForPickupAt,
        });
      }
    }
    const blacklisted = await newCitizen(db, { homeRegionCode: COUNTIES.shanghaiPudong, name: '赵强' });
    await call(api, 'POST', '/v1/blacklist', { token: manager.token, body: { idNumber: blacklisted.idNumber, category: 'FORGERY', source: '上海市公安局浦东分局 2026-031 号', note: '伪造户口簿' } });

    const shoot = async (name: string, person: { username: string; password: string } | undefined, ready: (page: Page) => Promise<void>, hash = '', fullPage = false) => {
      const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 760 } });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      if (person) {
        await logInThroughForm(page, api.url, person);
        await page.getByTestId('user-name').waitFor();
      } else await page.goto(api.url);
      if (hash) await page.goto(`${api.url}/#/${hash}`);
      await ready(page).catch(async (error) => {
        throw new Error(`${name}: ${(error as Error).message}\n${page.url()}\n${await page.locator('body').innerText()}`);
      });
      await page.waitForFunction("!document.querySelector('.ant-spin-spinning')");
      await page.screenshot({ path: path.join(target!, `${name}.png`), animations: 'disabled', fullPage });
      await context.close();
    };
    await shoot('login', undefined, (page) => page.getByLabel('用户名').waitFor());
    await shoot('station', station, (page) => page.getByTestId('station-open').getByText('王小明').waitFor());
    await shoot('station-accept', station, (page) => page.getByLabel('公民身份号码').waitFor(), 'accept');
    await shoot('station-receipt', station, (page) => page.getByTestId('receipt').getByText('李娜').waitFor(), `receipt/${ids[1]}`);
    await shoot('reviewer', reviewer, (page) => page.getByTestId('reviewer-waiting').getByText('张伟').waitFor());
    await shoot('reviewer-application', reviewer, (page) => page.getByTestId('approve').waitFor(), `applications/${ids[2]}`);
    await shoot('production', production, (page) => page.getByTestId('production-print').getByText('王小明').waitFor());
    await shoot('manager', manager, async (page) => {
      await page.getByTestId('manager-overdue').getByText('陈静').waitFor();
      await page.getByTestId('stage-chart').locator('canvas').waitFor();
      await page.getByTestId('on-time-chart').locator('canvas').waitFor();
      await page.getByTestId('days-left-chart').locator('canvas').waitFor();
    }, '', true);
    await shoot('manager-station', manager, (page) => page.getByTestId('station-cases').getByText('陈静').waitFor(), `stations/${station.stationCode}`);
    await shoot('manager-blacklist', manager, async (page) => {
      await page.getByRole('tab', { name: '失信人员名单' }).click();
      await page.getByTestId('blacklist').getByText('赵强').waitFor();
    }, '', true);
    const admin = await newPerson(db, 'admin');
    await db('users').where('username', admin.username).update({ name: '系统管理员' });
    await shoot('admin', admin, (page) => page.getByRole('cell', { name: station.username }).waitFor());
    await shoot('status', undefined, (page) => page.getByLabel('受理回执号').waitFor(), 'status');
  }, 300_000);
});
