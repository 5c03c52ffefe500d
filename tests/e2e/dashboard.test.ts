/**
 * The console in a real Chromium against the real API (buildApi with a temp SQLite
 * registry, the test harness's in-memory state source): the fleet board, the live
 * connection lost and regained, an elevator page with its visits, an alert resolved as a
 * false alarm through the dialog (which asks what it was), a committee member
 * approving an expenditure and verifying the hash chain, the resident QR page (with the
 * fund disclosure) on a 375×667 phone in both languages. The live trapped-passenger flow,
 * the alarm sound and resident reports run against the whole system in
 * live-pipeline.test.ts. Each step saves a screenshot to tests/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeVisit } from '../../ingest/visits/judge.ts';
import { DEFAULT_VISIT_LIMITS } from '../../ingest/visits/limits.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import type { VisitEvidence } from '../../protocol/index.ts';
import { storeOver } from '../../store/store.ts';
import {
  ANJU_ELEVATOR,
  alertRow,
  listenOnFreePort,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
  visitRow,
} from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';
import { launchBrowser, type TestBrowser, type TestPage } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 667, mobile: true };

describe('dashboard in Chromium', () => {
  let t: TestApi;
  let base: string;
  let browser: TestBrowser;

  /** The harness's clock is fixed in 2025; the browser's SLA clocks read real time, so follow it. */
  const now = () => {
    t.clock.now = Date.now();
    return t.clock.now;
  };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApi({ deps: { clock: () => Date.now() } });
    // Every elevator online at floor 1 with recent telemetry, so the board shows real states.
    for (const e of t.app.directory.elevators())
      t.store.applyTelemetry(e.id, telemetrySample({ ts: now(), floor: 1 + (e.id.length % 5) }), now());
    base = await listenOnFreePort(t);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function login(page: TestPage, username: string): Promise<void> {
    await page.goto(`${base}/app/`);
    await page.waitFor('form.login input[name=username]');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitFor('header nav a');
  }

  async function note(page: TestPage, text: string): Promise<void> {
    await page.waitFor('dialog[open] textarea');
    await page.fill('dialog[open] textarea', text);
    await page.click('dialog[open] button[type=submit]');
    await page.waitForGone('dialog[open]');
  }

  it('shows the fleet board coloured by state', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page, 'duty-anju');
    await page.waitFor('[data-testid=fleet-board] .tile');
    await page.screenshot(join(ARTIFACTS, 'dashboard-fleet.png'));
  });

  it('shows a lost live connection and recovers from it', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page, 'duty-anju');
    await page.waitFor('#conn[hidden]');
    t.app.io.local.disconnectSockets(true);
    await page.waitFor('#conn.conn-lost:not([hidden])');
    await page.screenshot(join(ARTIFACTS, 'dashboard-connection-lost.png'));
    await page.waitFor('#conn[hidden]', 5000);
  });

  it('shows an elevator page with its visits and the evidence score reasons', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page, 'duty-anju');
    await page.goto(`${base}/app/#/elevator/${ANJU_ELEVATOR}`);
    await page.waitFor('li[data-visit-id="visit-anju-1"] .score-bars li');
    // No InfluxDB in this test: the history section must say so rather than spin.
    await page.waitFor('.charts .state-msg, .charts .chart');
    await page.screenshot(join(ARTIFACTS, 'dashboard-elevator.png'));
  });

  it('a fake visit says why in Chinese sentences, its criteria with their points, and no empty rows', async () => {
    // The judge's own answer for a visit where the car never left passenger service.
    const evidence: VisitEvidence = {
      durationMin: 12,
      inspectionMin: 0,
      outOfServiceMin: 3,
      serviceMin: 3,
      floorsReachedInInspection: [],
      shaftCoverage: 0,
      safetyOpeningsInInspection: 0,
      stopSwitchPit: 0,
      stopSwitchCarTop: 0,
      doorCycleFloors: [],
      normalTrips: 14,
      passengerTrips: 11,
    };
    const items = Array.from({ length: 31 }, (_, i) => i + 1);
    const claim = { kind: 'half_monthly' as const, checkOutAt: now(), items, floors: 18 };
    const judged = judgeVisit(claim, evidence, DEFAULT_VISIT_LIMITS);
    expect(judged.verdict).toBe('fake');
    expect(judged.reasons.filter((r) => r.criterion.startsWith('cap_')).length).toBe(3);
    await t.db
      .insertInto('maintenance_visits')
      .values([
        visitRow({
          id: 'visit-fake-judged',
          elevator_id: ANJU_ELEVATOR,
          estate_id: 'lianhua',
          check_in_at: now() - 3_600_000,
          check_out_at: now() - 3_600_000 + 12 * 60_000,
          evidence_score: judged.score,
          verdict: 'fake',
          reasons_json: JSON.stringify(judged.reasons),
          evidence_json: JSON.stringify(evidence),
          items_json: JSON.stringify(items),
        }),
        // Recorded before caps carried Chinese, and with no evidence stored at all.
        visitRow({
          id: 'visit-fake-bare',
          elevator_id: ANJU_ELEVATOR,
          estate_id: 'lianhua',
          check_in_at: now() - 7_200_000,
          check_out_at: now() - 7_200_000 + 5 * 60_000,
          evidence_score: 0,
          verdict: 'fake',
          reasons_json: JSON.stringify([
            { criterion: 'cap_fake', points: 0, max: 0, reason: 'only 0 min out of passenger service' },
          ]),
          evidence_json: null,
        }),
      ])
      .execute();
    const page = await browser.newPage(DESKTOP);
    await page.goto(`${base}/app/`);
    await page.evaluate('localStorage.setItem("lw.lang", "zh")');
    await login(page, 'duty-anju');
    await page.goto(`${base}/app/#/visits?verdict=fake&since=`);
    const visit = '[data-testid=visit-list] li[data-visit-id="visit-fake-judged"]';
    await page.waitFor(`${visit} [data-testid=visit-verdict-basis]`);
    const card = await page.text(visit);
    expect(card).not.toContain('其他');
    expect(card).not.toContain('0/0 分');
    const basis = await page.evaluate<string[]>(
      `[...document.querySelectorAll('${visit} [data-testid=visit-verdict-basis] li')].map((li) => li.textContent)`,
    );
    expect(basis).toEqual([
      '电梯停止载客仅 3 分钟，不到半月保养最少 30 分钟的三分之一',
      '维保期间电梯正常载客运行 14 次，一直没有停下（珠海案例）',
      '维保只用了 12 分钟，半月保养至少需要 30 分钟（福州案例）',
    ]);
    // The seven criteria, each with the points it earned.
    const bars = await page.evaluate<string[]>(
      `[...document.querySelectorAll('${visit} .score-bars li')].map((li) => li.textContent)`,
    );
    expect(bars).toHaveLength(7);
    expect(bars[0]).toMatch(/^\+?[\d.]+ · 停止载客（检修或停用）时长 · [\d.]+\/25 分$/);
    expect(await page.text(`${visit} [data-testid=visit-evidence]`)).toContain('期间仍有 11 次载客运行');

    const bare = '[data-testid=visit-list] li[data-visit-id="visit-fake-bare"]';
    expect(await page.text(`${bare} [data-testid=visit-verdict-basis] li`)).toBe(
      '设备数据显示不出记录所称的维保',
    );
    expect(await page.text(`${bare} [data-testid=visit-evidence]`)).toBe(
      '这次维保期间，没有设备数据显示做过维保作业',
    );
    expect(await page.evaluate<number>(`document.querySelectorAll('${bare} .score-bars').length`)).toBe(0);
    await page.screenshot(join(ARTIFACTS, 'dashboard-visit-fake.png'));
  });

  it('resolving asks what the alert was (no default) and the list says it in words', async () => {
    // Two alerts resolved earlier, by a person (a real fault) and by the detector.
    await t.db
      .insertInto('alerts')
      .values(
        (['fault', 'auto_cleared'] as const).map((resolution) =>
          alertRow({
            id: `alert-anju-${resolution}`,
            elevator_id: ANJU_ELEVATOR,
            estate_id: 'lianhua',
            state: 'resolved',
            resolved_by: resolution === 'fault' ? 'duty-anju' : 'auto',
            resolved_at: now() - 3_600_000,
            resolution,
          }),
        ),
      )
      .execute();
    const page = await browser.newPage(DESKTOP);
    await page.goto(`${base}/app/`);
    await page.evaluate('localStorage.setItem("lw.lang", "zh")');
    await login(page, 'duty-anju');
    await page.goto(`${base}/app/#/alerts`);
    const row = '[data-testid=alert-list] li[data-alert-id="alert-anju-2"]';
    await page.waitFor(`${row} .actions button:last-child`);
    await page.click(`${row} .actions button:last-child`);
    await page.waitFor('dialog[open] fieldset[data-choice=resolution]');
    expect(
      await page.evaluate<string[]>(
        '[...document.querySelectorAll("dialog[open] fieldset label")].map((l) => l.textContent)',
      ),
    ).toEqual(['故障已处理', '误报']);
    expect(
      await page.evaluate<number>('document.querySelectorAll("dialog[open] input:checked").length'),
    ).toBe(0);
    // A note alone is not enough: the browser keeps the dialog open until a choice is made.
    await page.fill('dialog[open] textarea', '门机传感器松动，门关闭正常');
    await page.click('dialog[open] button[type=submit]');
    expect(await page.evaluate<boolean>('document.querySelector("dialog[open]") !== null')).toBe(true);
    await page.click('dialog[open] input[name=resolution][value=false_alarm]');
    await page.screenshot(join(ARTIFACTS, 'dashboard-resolve-dialog.png'));
    await page.click('dialog[open] button[type=submit]');
    await page.waitForGone('dialog[open]');
    await page.waitForGone(row);
    const stored = await t.db
      .selectFrom('alerts')
      .select(['state', 'resolution', 'resolve_note'])
      .where('id', '=', 'alert-anju-2')
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      state: 'resolved',
      resolution: 'false_alarm',
      resolve_note: '门机传感器松动，门关闭正常',
    });

    await page.select('main .filters select', 'resolved');
    await page.waitFor(`${row} [data-testid=resolution]`);
    const words = await page.evaluate<Record<string, string>>(
      `Object.fromEntries([...document.querySelectorAll('[data-testid=alert-list] > li')].map((li) => [li.dataset.alertId, li.querySelector('[data-testid=resolution]')?.textContent ?? '']))`,
    );
    expect(words).toEqual({
      'alert-anju-2': '误报',
      'alert-anju-fault': '已处理（真实故障）',
      'alert-anju-auto_cleared': '自动恢复',
    });
    expect(await page.text('[data-testid=alert-list]')).not.toMatch(/false_alarm|auto_cleared/);
    await page.screenshot(join(ARTIFACTS, 'dashboard-resolved-alerts.png'));
  });

  it('shows a pushed alert whole and a pushed check-in as its arrival, fetching neither', async () => {
    /** GETs answered per route pattern, from the API's own counters. */
    const gets = async (route: string) => {
      const line = (await t.app.renderMetrics())
        .split('\n')
        .find((l) =>
          l.startsWith(`liftwatch_api_requests_total{method="GET",route="${route}",status="2xx"}`),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const page = await browser.newPage(DESKTOP);
    await login(page, 'duty-anju');
    await page.goto(`${base}/app/#/alerts`);
    await page.waitFor('[data-testid=alert-list] li[data-alert-id]');
    // What the console used to do on each push: GET the alert again, then its visits for the arrival.
    // (Lists may still be read: other tabs of this suite redraw their own screens on a state change.)
    const before = [await gets('/api/v1/alerts/:id'), await gets('/api/v1/visits')];
    const openedAt = now();
    // The detector's finding, through the real lifecycle: stored, published, pushed.
    await t.lifecycle.apply([
      { kind: 'raise', elevatorId: 'lianhua-b2-e1', code: 'passenger_trapped', at: openedAt, evidence: {} },
    ]);
    const alertId = t.published.at(-1)!.payload.id;
    const row = `[data-testid=alert-list] li[data-alert-id="${alertId}"]`;
    await page.waitFor(`${row} [data-sla=arrival][data-met=""]`);
    const checkInAt = openedAt + 60_000;
    await t.lifecycle.apply([
      {
        kind: 'visit',
        elevatorId: 'lianhua-b2-e1',
        at: checkInAt,
        visit: {
          id: 'visit-rescue',
          elevatorId: 'lianhua-b2-e1',
          technicianId: 'tech-wang',
          companyId: 'huaxia-lift',
          kind: 'repair',
          method: 'nfc',
          checkInAt,
          checkOutAt: null,
          status: 'open',
          location: null,
          items: null,
          evidenceScore: null,
          verdict: null,
          reasons: [],
          evidence: null,
        },
      },
    ]);
    await page.waitFor(`${row} [data-sla=arrival][data-met="${checkInAt}"]`);
    await page.screenshot(join(ARTIFACTS, 'dashboard-pushed-alert.png'));
    expect([await gets('/api/v1/alerts/:id'), await gets('/api/v1/visits')]).toEqual(before);
  });

  it('a committee member approves an expenditure and verifies the chain', async () => {
    // The firm's side, through the ledger: a fund with money in it and a proposal that
    // another manager of the firm (duty-anju) has approved, waiting for the committee.
    const ledger = createFundLedger({ repository: storeOver(t.db).ledger });
    const proposer = {
      username: 'pm-e2e',
      role: 'property_manager',
      propertyFirmId: 'anju-pm',
      estateId: null,
    };
    const manager = { ...proposer, username: 'duty-anju' };
    const fund = await ledger.openFund(
      { actor: proposer, idempotencyKey: 'e2e-open-fund' },
      { estateId: 'lianhua', name: '莲花花园电梯维修基金' },
    );
    const meta = (actor: typeof proposer, idempotencyKey: string) => ({
      fundId: fund.id,
      actor,
      idempotencyKey,
    });
    const thisMonth = new Date().toISOString().slice(0, 7);
    await ledger.setContributionRule(meta(proposer, 'e2e-rule-1'), {
      effectiveFrom: thisMonth,
      rateFenPerM2Month: 118,
      areaCentiM2: 3_000_000,
      shareBp: 5000,
    });
    await ledger.recordContribution(meta(proposer, 'e2e-contrib-1'), {
      period: new Date().toISOString().slice(0, 7),
      amountFen: 2_000_000,
    });
    const x = await ledger.propose(meta(proposer, 'e2e-propose-1'), {
      amountFen: 185_000,
      kind: 'repair',
      purpose: '更换2号楼1号梯门机皮带',
      payee: '华夏电梯维保有限公司',
      elevatorId: 'lianhua-b2-e1',
      alertIds: ['alert-anju-2'],
      visitIds: ['visit-anju-1'],
      workOrder: 'WO-2025-0517',
    });
    await ledger.attach(meta(proposer, 'e2e-invoice-1'), {
      expenditureId: x.id,
      kind: 'invoice',
      filename: 'invoice-0517.pdf',
      mediaType: 'application/pdf',
      content: Buffer.from('%PDF-1.4 invoice 0517'),
    });
    await ledger.decide(meta(manager, 'e2e-firm-ok-1'), { expenditureId: x.id, decision: 'approve' });

    const page = await browser.newPage(DESKTOP);
    await login(page, 'committee-lianhua');
    await page.goto(`${base}/app/#/fund`);
    await page.waitFor('[data-testid=fund-balance]');
    const card = `li[data-proposal-id="${x.id}"]`;
    await page.waitFor(`${card} button.primary`);
    await page.click(`${card} button.primary`);
    await note(page, '同意，发票已核对');
    await page.waitFor(`${card} [data-testid=approvals] li:nth-child(2)`);
    await page.waitForGone(`${card} button.primary`);
    const approvals = await t.db
      .selectFrom('ledger_approvals')
      .selectAll()
      .where('expenditure_id', '=', x.id)
      .execute();
    expect(approvals.map((a) => [a.side, a.actor, a.note])).toEqual([
      ['firm', 'duty-anju', ''],
      ['committee', 'committee-lianhua', '同意，发票已核对'],
    ]);
    expect((await ledger.expenditure(fund.id, x.id)).missing).toEqual([]);

    await page.click('[data-testid=verify-chain]');
    await page.waitFor('[data-testid=chain-result].chain-ok');
    const head = await ledger.head(fund.id);
    expect(await page.text('[data-testid=chain-result]')).toContain(head.hash);
    await page.screenshot(join(ARTIFACTS, 'dashboard-fund.png'));
    // Paid, so the residents' QR pages below disclose it.
    await ledger.pay(meta(proposer, 'e2e-pay-1'), { expenditureId: x.id });
  });

  for (const lang of ['zh', 'en'] as const) {
    it(`renders the resident QR page on a phone in ${lang}`, async () => {
      const page = await browser.newPage(PHONE);
      await page.goto(`${base}/e/${await t.tokenOf(ANJU_ELEVATOR)}?lang=${lang}`);
      await page.waitFor('#state');
      await page.waitFor('#fund');
      expect(await page.evaluate<string>('document.documentElement.lang')).toMatch(
        lang === 'zh' ? /^zh/ : /^en/,
      );
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(375);
      await page.screenshot(join(ARTIFACTS, `resident-qr-${lang}.png`));
    });
  }
});
