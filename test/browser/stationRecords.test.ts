import type { Page } from 'playwright-core';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { browserSession, describeInBrowser, logInThroughForm, newPerson, submitDialog, type Person } from '../support/browser';
import { testDb } from '../support/database';
import { newCitizen, stationIn, type TestCitizen } from '../support/fixtures';

/**
 * The station's loss reports and found cards in the console (issue 15), in Debian's Chromium against
 * the real API and PostgreSQL: what the counter takes is listed under its form, newest first, with
 * the person's name, the number in full (a station sees it), the card's start of validity and state;
 * each row offers the step the API allows, and a refusal reads in Chinese. The station and provinces
 * of the other browser tests (Changsha, Hunan; residents of Nanchang, Jiangxi), each test with its
 * own people, read by their own rows (the database is shared with other files).
 */

const STATION_COUNTY = '430104';
const HOME_COUNTY = '360102';
let db: Db;
let api: RunningApi;
let station: Person;

/** A date of the API (YYYY-MM-DD) as the Chinese console writes it. */
const inChinese = (date: string) => date.replace(/-/g, '/');

describeInBrowser('the station console: its loss reports and found cards', () => {
  const session = browserSession();
  let page: Page;

  beforeAll(async () => {
    db = testDb();
    api = await startApi(db);
    station = await newPerson(db, 'station', { stationCode: stationIn(STATION_COUNTY) });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  beforeEach(() => {
    ({ page } = session);
  });

  /** Fills the counter's form in the tab now open; Enter in the date field submits it, as at a counter. */
  async function enterCard(citizen: TestCitizen) {
    await page.getByLabel('公民身份号码').fill(citizen.idNumber);
    await page.getByLabel('证件有效期起始日').fill(citizen.cards[0].validFrom);
    await page.getByLabel('证件有效期起始日').press('Enter');
  }

  test('when the counter takes a loss report, then the station\'s list shows it reported lost; withdrawn with the person present it reads withdrawn and the card is valid again', async () => {
    const citizen = await newCitizen(db, { homeRegionCode: HOME_COUNTY });
    await logInThroughForm(page, api.url, station);
    await page.getByRole('tab', { name: '挂失申报' }).click();
    await page.getByLabel('姓名').fill(citizen.name);
    await page.getByLabel('指纹比对一致').check();
    await enterCard(citizen);
    await page.getByTestId('loss-result').getByText('已挂失：该证件即时失效').waitFor();

    const row = page.getByTestId('loss-reports').getByRole('row', { name: new RegExp(citizen.name) });
    await row.getByText(citizen.idNumber, { exact: true }).waitFor(); // the number in full, to the station
    await row.getByText(inChinese(citizen.cards[0].validFrom)).waitFor();
    await row.getByText('遗失').waitFor();
    await row.getByText('挂失中').waitFor();
    const first = page.getByTestId('loss-reports').locator('tbody tr').first(); // newest first
    await first.getByText(citizen.name).waitFor();

    await row.getByRole('button', { name: '解除挂失' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('解除原因（选填）').fill('证件已找回');
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.getByText('解除挂失须本人到场').waitFor(); // not ticked: nothing sent
    const report = await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').where('cards.idNumber', citizen.idNumber).first('lossReports.id', 'lossReports.withdrawnAt');
    expect(report.withdrawnAt).toBeNull();

    await dialog.getByLabel('证件已找回，本人到场并已核验身份').check();
    await submitDialog(page, '提交');
    await row.getByText(/^已解除 /).waitFor();
    expect(await row.getByRole('button', { name: '解除挂失' }).count()).toBe(0);
    expect((await db('lossReports').where('id', report.id).first('withdrawnAt')).withdrawnAt).toBeInstanceOf(Date);
    expect(await db('cards').where({ idNumber: citizen.idNumber, validFrom: citizen.cards[0].validFrom }).first('status')).toEqual({ status: 'ACTIVE' });
    const audit = await db('auditLog').where({ action: 'loss_report.withdrawn', subjectId: report.id }).first('details');
    expect(audit.details).toMatchObject({ reason: '证件已找回' });
  }, 60_000);

  test('when the report was withdrawn meanwhile at another counter, then the dialog says so in Chinese and the list reads withdrawn once refreshed', async () => {
    const citizen = await newCitizen(db, { homeRegionCode: HOME_COUNTY });
    const taken = await call(api, 'POST', '/v1/loss-reports', {
      token: station.token,
      body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom, circumstance: 'stolen', fingerprintMatched: true },
    });
    expect(taken.status).toBe(201);
    await logInThroughForm(page, api.url, station);
    await page.getByRole('tab', { name: '挂失申报' }).click();
    const row = page.getByTestId('loss-reports').getByRole('row', { name: new RegExp(citizen.name) });
    await row.getByText('被盗').waitFor();
    await row.getByRole('button', { name: '解除挂失' }).click();
    expect((await call(api, 'POST', `/v1/loss-reports/${taken.body.lossReportId}/withdraw`, { token: station.token, body: {} })).status).toBe(200);
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('证件已找回，本人到场并已核验身份').check();
    await dialog.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('loss-withdraw-dialog-problem').getByText('该挂失已撤销').waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await page.getByTestId('loss-reports').getByText('已解除', { exact: true }).click(); // the withdrawn ones
    await page.getByTestId('loss-reports').getByRole('row', { name: new RegExp(citizen.name) }).getByText(/^已解除 /).waitFor();
  }, 60_000);

  test('when a card is handed in at the counter, then the cards held list it to hold for the owner; returned to the owner it leaves the held list and reads returned', async () => {
    const citizen = await newCitizen(db, { homeRegionCode: HOME_COUNTY });
    await logInThroughForm(page, api.url, station);
    await page.getByRole('tab', { name: '拾获证件登记' }).click();
    await enterCard(citizen);
    await page.getByText('已登记：该证件为本人现用证件，请妥善保管待本人领回').waitFor();

    const held = page.getByTestId('found-cards');
    const row = held.getByRole('row', { name: new RegExp(citizen.name) });
    await row.getByText(citizen.idNumber, { exact: true }).waitFor();
    await row.getByText(inChinese(citizen.cards[0].validFrom)).waitFor();
    await row.getByText('保管待本人领回').waitFor();
    await row.getByText('保管中').waitFor();
    expect(await row.getByRole('button', { name: '销毁' }).count()).toBe(0); // the owner's current card is not destroyed

    await row.getByRole('button', { name: '交还本人' }).click();
    await submitDialog(page, '确认');
    await row.waitFor({ state: 'detached' });
    const stored = await db('foundCards').join('cards', 'cards.id', 'foundCards.cardId').where('cards.idNumber', citizen.idNumber).first('foundCards.state', 'foundCards.closedByStationCode');
    expect(stored).toEqual({ state: 'RETURNED', closedByStationCode: stationIn(STATION_COUNTY) });
    await held.getByText('全部', { exact: true }).click();
    await held.getByRole('row', { name: new RegExp(citizen.name) }).getByText(/^已交还本人 /).waitFor();
  }, 60_000);
});
