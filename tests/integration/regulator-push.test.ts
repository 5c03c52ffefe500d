/**
 * The regulator's data sets pushed end to end to a LOCAL STAND-IN for the government
 * platform (simulators/regulator-platform.ts), which checks the signature and validates
 * every document against the data set's JSON Schema. The real platform cannot run here.
 * Checked: what the API starts with (basic information, statistics), a fault record per
 * alert transition with the GB/T 24476 states (01 → 02 → 05), retries through 503s, an
 * outage across a restart of the API (the documents wait in the outbox and arrive, none
 * lost: queued and accepted are counted), a refused document set aside while the rest go
 * on, and the pull API's items valid against the same schemas.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertResource } from '../../alerts/resource.ts';
import { pendingDocuments, type RegulatorPush, signPush } from '../../api/regulator/push.ts';
import type { Alert } from '../../protocol/index.ts';
import {
  FaultRecordItem,
  PUSH_HEADERS,
  REGULATOR_ITEMS,
  type RegulatorDocument,
} from '../../protocol/regulator.ts';
import { type ReceivedDocument, RegulatorPlatformStandIn } from '../../simulators/regulator-platform.ts';
import { ANJU_ELEVATOR, NOW, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

const SECRET = 'platform-shared-secret-1';

/** Resolves with the first accepted document that `match` accepts (from now on, or already there). */
function nextDocument(
  platform: RegulatorPlatformStandIn,
  match: (d: RegulatorDocument) => boolean,
  after = 0,
): Promise<RegulatorDocument> {
  const seen = platform.accepted.slice(after).find((r) => match(r.document));
  if (seen) return Promise.resolve(seen.document);
  return new Promise((resolve) => {
    const listener = (r: ReceivedDocument) => {
      if (!match(r.document)) return;
      platform.off('document', listener);
      resolve(r.document);
    };
    platform.on('document', listener);
  });
}

/** Resolves after `n` more attempts of the push adapter. */
function attempts(push: RegulatorPush, n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const listener = () => {
      if (--left > 0) return;
      push.off('attempt', listener);
      resolve();
    };
    push.on('attempt', listener);
  });
}

const faultRecord = (alertId: string, status: string) => (d: RegulatorDocument) =>
  d.dataset === 'fault_records' && d.items.some((i) => i.record_id === alertId && i.status === status);

/** The alert as the store now holds it, as the lifecycle would push it to the API. */
async function storedAlert(t: TestApi, id: string): Promise<Alert> {
  return alertResource(
    await t.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

describe('regulator push to the stand-in platform', () => {
  const platform = new RegulatorPlatformStandIn({ secret: SECRET, clock: () => NOW });
  const outboxDir = mkdtempSync(join(tmpdir(), 'liftwatch-outbox-'));
  let url: string;
  let port: number;
  let t: TestApi;
  let push: RegulatorPush;
  const start = () =>
    startTestApi({
      config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
      deps: {
        regulatorPush: {
          url,
          secret: SECRET,
          platformId: 'liftwatch-test',
          outboxDir,
          retryBaseMs: 10,
          retryMaxMs: 100,
          statusIntervalMs: 3_600_000,
        },
      },
    });

  beforeAll(async () => {
    url = await platform.listen();
    port = Number(new URL(url).port);
    t = await start();
    push = t.app.regulatorPush!;
  });
  afterAll(async () => {
    await t?.close();
    await platform.close();
    rmSync(outboxDir, { recursive: true, force: true });
  });

  it('sends basic information and statistics at start, signed and valid', async () => {
    const basic = await nextDocument(platform, (d) => d.dataset === 'basic_info');
    await nextDocument(platform, (d) => d.dataset === 'statistics');
    expect(basic.items.length).toBe([...t.app.directory.elevators()].length);
    const one = basic.items.find((i) => 'elevator_id' in i && i.elevator_id === ANJU_ELEVATOR)!;
    expect(one).toMatchObject({ estate: '莲花花园', floors: 18, rated_speed_mps: 1.75 });
    expect(basic.platform_id).toBe('liftwatch-test');
    expect(platform.refused).toEqual([]);
  });

  it('sends running status in the standard’s codes', async () => {
    t.store.applyTelemetry(
      ANJU_ELEVATOR,
      telemetrySample({
        ts: NOW,
        moving: true,
        direction: 'down',
        floor: 7,
        door_zone: false,
        mode: 'inspection',
      }),
      NOW,
    );
    await push.pushDataset('running_status');
    const doc = await nextDocument(platform, (d) => d.dataset === 'running_status');
    expect(doc.items).toEqual([
      expect.objectContaining({
        car_status: 1,
        car_direction: 2,
        car_position: 7,
        door_zone: 2,
        service_mode: 2,
        ts: '2025-05-20T12:00:00+08:00',
      }),
    ]);
  });

  it('a fault record at each transition: occurred (01), responded (02)', async () => {
    t.store.applyAlert(await storedAlert(t, 'alert-anju-1'));
    const opened = await nextDocument(platform, faultRecord('alert-anju-1', '01'));
    expect(opened.items[0]).toMatchObject({ fault_code: '11', fault_name: '困人', responded_at: null });
    await t.db
      .updateTable('alerts')
      .set({ state: 'acknowledged', acknowledged_by: 'duty-anju', acknowledged_at: NOW - 86_400_000 })
      .where('id', '=', 'alert-anju-1')
      .execute();
    t.store.applyAlert(await storedAlert(t, 'alert-anju-1'));
    const responded = await nextDocument(platform, faultRecord('alert-anju-1', '02'));
    expect(responded.items[0]).toMatchObject({ responded_at: '2025-05-19T12:00:00+08:00' });
  });

  it('retries a platform answering 503, and the document arrives once', async () => {
    platform.failNext = 2;
    const failedBefore = platform.failed;
    const id = await push.pushDataset('statistics');
    const doc = await nextDocument(platform, (d) => d.document_id === id);
    expect(doc.dataset).toBe('statistics');
    expect(platform.failed - failedBefore).toBe(2);
  });

  it('keeps what it could not send through an outage and a restart, and loses nothing', async () => {
    const acceptedBefore = platform.accepted.length;
    await platform.close();
    await t.db
      .updateTable('alerts')
      .set({
        state: 'resolved',
        resolved_by: 'duty-anju',
        resolved_at: NOW - 3_600_000,
        resolution: 'false_alarm',
      })
      .where('id', '=', 'alert-anju-1')
      .execute();
    const failing = attempts(push, 2);
    t.store.applyAlert(await storedAlert(t, 'alert-anju-1'));
    await failing;
    const queuedRun1 = push.counts.queued;
    const deliveredRun1 = push.counts.delivered;
    expect(pendingDocuments(outboxDir).length).toBe(queuedRun1 - deliveredRun1);
    expect(pendingDocuments(outboxDir).some(faultRecord('alert-anju-1', '05'))).toBe(true);
    // The API stops during the outage; the documents stay in the outbox.
    await t.close();
    expect(pendingDocuments(outboxDir).length).toBe(queuedRun1 - deliveredRun1);

    await platform.listen(port);
    t = await start();
    push = t.app.regulatorPush!;
    const resolved = await nextDocument(platform, faultRecord('alert-anju-1', '05'), acceptedBefore);
    expect(resolved.items[0]).toMatchObject({ status: '05', finished_at: '2025-05-20T11:00:00+08:00' });
    await push.drained();
    // Counted: every document queued in either run was accepted, each once.
    expect(platform.accepted.length).toBe(queuedRun1 + push.counts.queued);
    expect(new Set(platform.accepted.map((r) => r.document.document_id)).size).toBe(platform.accepted.length);
    expect(pendingDocuments(outboxDir)).toEqual([]);
  });

  it('sets aside a document the platform refuses and sends the rest', async () => {
    const bad = await push.enqueue({
      dataset: 'fault_records',
      document_id: 'bad-document-0001',
      platform_id: 'liftwatch-test',
      created_at: '2025-05-20T12:00:00+08:00',
      items: [{ record_id: 'x' } as never],
    });
    const good = await push.pushDataset('basic_info');
    await nextDocument(platform, (d) => d.document_id === good);
    expect(platform.refused.at(-1)).toEqual({ status: 400, reason: 'schema' });
    expect(push.counts.rejected).toBe(1);
    expect(readdirSync(join(outboxDir, 'rejected')).some((f) => f.includes(bad))).toBe(true);
  });

  it('the stand-in refuses a wrong signature and an old timestamp', async () => {
    const body = JSON.stringify({ dataset: 'statistics' });
    const send = (timestamp: number, secret: string) =>
      fetch(url, {
        method: 'POST',
        body,
        headers: {
          [PUSH_HEADERS.timestamp]: String(timestamp),
          [PUSH_HEADERS.signature]: signPush(secret, String(timestamp), body),
        },
      });
    expect((await send(NOW, 'not-the-secret')).status).toBe(401);
    expect((await send(NOW - 3_600_000, SECRET)).status).toBe(401);
    expect((await send(NOW, SECRET)).status).toBe(400);
  });

  it('serves the same data sets to pull, valid against the schemas, to admins only', async () => {
    const admin = await t.login('admin');
    for (const [dataset, schema] of Object.entries(REGULATOR_ITEMS)) {
      const res = await t.app.inject({ url: `/api/v1/regulator/${dataset}`, headers: { cookie: admin } });
      expect(res.statusCode).toBe(200);
      const check = TypeCompiler.Compile(schema);
      for (const item of res.json().items) expect(check.Check(item)).toBe(true);
    }
    const records = await t.app.inject({
      url: '/api/v1/regulator/fault_records?estate=lianhua',
      headers: { cookie: admin },
    });
    const items = records.json().items as FaultRecordItem[];
    expect(items.map((i) => i.record_id).sort()).toEqual(['alert-anju-1', 'alert-anju-2']);
    expect(TypeCompiler.Compile(FaultRecordItem).Check(items[0])).toBe(true);
    const manager = await t.app.inject({
      url: '/api/v1/regulator/basic_info',
      headers: { cookie: await t.login('duty-anju') },
    });
    expect(manager.statusCode).toBe(403);
  });
});
