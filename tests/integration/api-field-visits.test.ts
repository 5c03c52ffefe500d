/**
 * Issue 15, the technician's phone, through the real API on a real store (SQLite, and
 * PostgreSQL with LIFTWATCH_TEST_DATABASE=postgres):
 * - my work: the cars my company maintains, their open alerts and resident reports;
 * - check-in by QR code or by car, with location; replays of a queued key are applied once;
 * - the checklist of the visit class, photos (type and size refused with coded errors);
 * - check-out once; both boundaries handed to the ingest as the device channel's maintenance
 *   message with the record's id as the visit id (the verdict stays the ingest's); a boundary
 *   whose send failed after the store is sent again by the phone's replay, once it went never;

 * - another company's car or visit is a 404 like a missing one; other roles are refused; audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_PHOTO_MAX_BYTES } from '../../api/routes/console/field-visits.ts';
import type { MaintenanceMessage } from '../../protocol/index.ts';
import { validatePayload } from '../../protocol/index.ts';
import { ANJU_ELEVATOR, NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

const CAR = 'lianhua-b1-e2';
/** Longgang is maintained by another company (pengcheng-lift) than tech-wang's (huaxia-lift). */
const FOREIGN_CAR = 'longgang-b1-e1';
const MIN = 60_000;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);

describe('technician field visits', () => {
  let t: TestApi;
  const claims: { elevatorId: string; message: MaintenanceMessage }[] = [];
  /** How many next sends the "broker" refuses (a lost connection after the store). */
  let refuseSends = 0;
  beforeAll(async () => {
    t = await startTestApi({
      deps: {
        visitClaims: {
          async claim(elevatorId, message) {
            if (refuseSends > 0) {
              refuseSends--;
              throw new Error('connection closed before the PUBACK');
            }
            claims.push({ elevatorId, message });
          },
        },
      },
    });
  });
  afterAll(async () => t.close());

  async function call(user: string, method: 'GET' | 'POST', url: string, payload?: object) {
    return t.app.inject({
      method,
      url,
      headers: { cookie: await t.login(user), origin: SAME_ORIGIN },
      ...(payload ? { payload } : {}),
    });
  }

  it('lists the cars of my company with their open alerts and reports', async () => {
    const res = await call('tech-wang', 'GET', '/api/v1/work');
    expect(res.statusCode).toBe(200);
    const work = res.json();
    const ids = work.lifts.map((l: { id: string }) => l.id);
    expect(ids).toContain(ANJU_ELEVATOR);
    expect(ids).not.toContain(FOREIGN_CAR);
    expect(work.lifts.every((l: { estate_id: string }) => l.estate_id !== 'longgang')).toBe(true);
    expect(work.lifts.find((l: { id: string }) => l.id === ANJU_ELEVATOR)).toMatchObject({
      open_visit_id: null,
    });
    // Both estates huaxia-lift maintains, whichever firm runs them; only unresolved alerts.
    expect(work.alerts.map((a: { id: string }) => a.id).sort()).toEqual([
      'alert-anju-1',
      'alert-anju-2',
      'alert-hexin-1',
    ]);
    expect(work.reports.map((r: { id: string }) => r.id).sort()).toEqual(['report-anju-1', 'report-hexin-1']);
    // Other roles have their own screens.
    expect((await call('duty-anju', 'GET', '/api/v1/work')).statusCode).toBe(403);
  });

  it('serves the cumulative TSG T5002 checklist of a class', async () => {
    const counts: Record<string, number> = {};
    for (const kind of ['half_monthly', 'quarterly', 'half_yearly', 'yearly', 'repair']) {
      counts[kind] = (await call('tech-wang', 'GET', `/api/v1/checklist?kind=${kind}`)).json().items.length;
    }
    expect(counts).toEqual({ half_monthly: 31, quarterly: 44, half_yearly: 59, yearly: 76, repair: 0 });
  });

  it('checks in by QR link once, ticks items, takes photos, checks out once', async () => {
    t.clock.now = NOW;
    const token = await t.tokenOf(CAR);
    const body = {
      key: 'checkin-key-0001',
      qr: `https://lift.example.cn/e/${token}`,
      kind: 'half_monthly',
      lat: 22.55,
      lng: 114.06,
      accuracy: 12,
    };
    const first = await call('tech-wang', 'POST', '/api/v1/field-visits', body);
    expect(first.statusCode).toBe(200);
    const visit = first.json();
    expect(visit).toMatchObject({
      elevator_id: CAR,
      method: 'qr',
      check_in_at: NOW,
      location: { lat: 22.55, lng: 114.06, accuracy: 12 },
      applied: true,
    });
    // The queued action sent again after a lost answer: the same visit, not a second one.
    t.clock.now = NOW + MIN;
    const replay = await call('tech-wang', 'POST', '/api/v1/field-visits', body);
    expect(replay.json()).toMatchObject({ id: visit.id, check_in_at: NOW, applied: false });
    expect(claims).toHaveLength(1);
    expect(claims[0]!.elevatorId).toBe(CAR);
    expect(claims[0]!.message).toMatchObject({
      action: 'check_in',
      visit_id: visit.id,
      technician_id: 'tech-wang',
      company_id: 'huaxia-lift',
      kind: 'half_monthly',
      method: 'qr',
      ts: NOW,
      location: { lat: 22.55, lon: 114.06 },
    });
    expect(validatePayload('maintenance', claims[0]!.message).ok).toBe(true);

    const items = await call('tech-wang', 'POST', `/api/v1/field-visits/${visit.id}/items`, {
      key: 'items-key-0001',
      // 40 is a quarterly item: not on a half-monthly checklist.
      items: [3, 1, 2, 2, 40],
    });
    expect(items.json().items).toEqual([1, 2, 3]);

    const upload = (key: string, type: string, payload: Buffer) =>
      t.login('tech-wang').then((cookie) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/field-visits/${visit.id}/photos?key=${key}&item=12`,
          headers: { cookie, origin: SAME_ORIGIN, 'content-type': type },
          payload,
        }),
      );
    const photo = await upload('photo-key-0001', 'image/jpeg', JPEG);
    expect(photo.statusCode).toBe(200);
    expect(photo.json().photos).toMatchObject([{ item: 12, media_type: 'image/jpeg', size: JPEG.length }]);
    expect((await upload('photo-key-0001', 'image/jpeg', JPEG)).json().photos).toHaveLength(1);
    const notJpeg = await upload('photo-key-0002', 'image/jpeg', Buffer.from('GIF89a not a jpeg'));
    expect(notJpeg.statusCode).toBe(415);
    expect(notJpeg.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const gif = await upload('photo-key-0003', 'image/gif', Buffer.from('GIF89a'));
    expect(gif.statusCode).toBe(415);
    const huge = await upload(
      'photo-key-0004',
      'image/jpeg',
      Buffer.concat([JPEG, Buffer.alloc(FIELD_PHOTO_MAX_BYTES)]),
    );
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('PAYLOAD_TOO_LARGE');
    const photoId = photo.json().photos[0].id;
    const image = await call('tech-wang', 'GET', `/api/v1/field-visits/${visit.id}/photos/${photoId}`);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.rawPayload.equals(JPEG)).toBe(true);

    // Checked out offline ten minutes ago, sent now; sent twice.
    t.clock.now = NOW + 50 * MIN;
    const out = { key: 'checkout-key-0001', at: NOW + 40 * MIN };
    const closed = await call('tech-wang', 'POST', `/api/v1/field-visits/${visit.id}/check-out`, out);
    expect(closed.json()).toMatchObject({ check_out_at: NOW + 40 * MIN, applied: true });
    const again = await call('tech-wang', 'POST', `/api/v1/field-visits/${visit.id}/check-out`, out);
    expect(again.json()).toMatchObject({ check_out_at: NOW + 40 * MIN, applied: false });
    const checkOuts = claims.filter((c) => c.message.action === 'check_out');
    expect(checkOuts).toHaveLength(1);
    expect(checkOuts[0]!.message).toMatchObject({ visit_id: visit.id, ts: NOW + 40 * MIN, items: [1, 2, 3] });
    // After check-out the checklist is closed.
    const late = await call('tech-wang', 'POST', `/api/v1/field-visits/${visit.id}/items`, {
      key: 'items-key-0002',
      items: [4],
    });
    expect(late.statusCode).toBe(409);

    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor', 'target_id'])
      .where('action', 'like', 'field_visit.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'field_visit.check_in',
      'field_visit.items',
      'field_visit.photo',
      'field_visit.check_out',
    ]);
    expect(new Set(audit.map((a) => a.target_id))).toEqual(new Set([visit.id]));
  });

  it('the judged visit shows beside the record once the ingest stored it', async () => {
    const res = await call('tech-wang', 'POST', '/api/v1/field-visits', {
      key: 'checkin-key-0002',
      elevator_id: ANJU_ELEVATOR,
      kind: 'quarterly',
    });
    const visit = res.json();
    expect(visit).toMatchObject({ method: 'app', location: null, judged: null });
    // What the ingest writes when it closes the visit from telemetry (alerts.recordVisit).
    await t.db
      .insertInto('maintenance_visits')
      .values({
        id: visit.id,
        elevator_id: ANJU_ELEVATOR,
        estate_id: 'lianhua',
        technician_id: 'tech-wang',
        company_id: 'huaxia-lift',
        kind: 'quarterly',
        method: 'app',
        check_in_at: visit.check_in_at,
        check_out_at: visit.check_in_at + 5 * MIN,
        status: 'closed',
        location_json: null,
        items_json: '[]',
        evidence_score: 8,
        verdict: 'fake',
        reasons_json: '[]',
        evidence_json: '{}',
      })
      .execute();
    const read = await call('tech-wang', 'GET', `/api/v1/field-visits/${visit.id}`);
    expect(read.json().judged).toEqual({ status: 'closed', verdict: 'fake', evidence_score: 8 });
    // A second tap with a new key while checked in here answers the standing visit.
    const second = await call('tech-wang', 'POST', '/api/v1/field-visits', {
      key: 'checkin-key-0003',
      elevator_id: ANJU_ELEVATOR,
      kind: 'quarterly',
    });
    expect(second.json()).toMatchObject({ id: visit.id, applied: false });
  });

  it("another company's car, code or visit is a 404 like a missing one", async () => {
    const foreign = await call('tech-wang', 'POST', '/api/v1/field-visits', {
      key: 'checkin-key-0004',
      elevator_id: FOREIGN_CAR,
      kind: 'half_monthly',
    });
    const missing = await call('tech-wang', 'POST', '/api/v1/field-visits', {
      key: 'checkin-key-0005',
      elevator_id: 'no-such-car',
      kind: 'half_monthly',
    });
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(foreign.json()).toEqual(missing.json());
    const foreignQr = await call('tech-wang', 'POST', '/api/v1/field-visits', {
      key: 'checkin-key-0006',
      qr: await t.tokenOf(FOREIGN_CAR),
      kind: 'half_monthly',
    });
    expect(foreignQr.statusCode).toBe(404);
    await t.db
      .insertInto('field_visits')
      .values({
        id: 'foreign-visit',
        elevator_id: FOREIGN_CAR,
        estate_id: 'longgang',
        company_id: 'pengcheng-lift',
        technician: 'tech-zhao',
        kind: 'half_monthly',
        method: 'app',
        check_in_key: 'foreign-key-0001',
        check_in_at: NOW,
        lat: null,
        lon: null,
        accuracy_m: null,
        items_json: '[]',
        check_out_key: null,
        check_out_at: null,
      })
      .execute();
    expect((await call('tech-wang', 'GET', '/api/v1/field-visits/foreign-visit')).statusCode).toBe(404);
    const out = await call('tech-wang', 'POST', '/api/v1/field-visits/foreign-visit/check-out', {
      key: 'checkout-key-0009',
    });
    expect(out.statusCode).toBe(404);
    expect(
      (
        await t.db
          .selectFrom('field_visits')
          .select('check_out_at')
          .where('id', '=', 'foreign-visit')
          .executeTakeFirstOrThrow()
      ).check_out_at,
    ).toBeNull();
  });

  it('a boundary the broker did not take is sent again by the replay, and only until it is', async () => {
    t.clock.now = NOW + 100 * MIN;
    const sent = () => claims.filter((c) => c.message.visit_id === visitId).map((c) => c.message.action);
    let visitId = '';
    const body = { key: 'checkin-key-0100', elevator_id: CAR, kind: 'half_monthly' };
    refuseSends = 1;
    const lost = await call('tech-wang', 'POST', '/api/v1/field-visits', body);
    // Stored, not handed over: a retryable answer, so the phone's queue keeps the action.
    expect(lost.statusCode).toBe(503);
    expect(lost.json().code).toBe('MQTT_UNREACHABLE');
    const stored = await t.db
      .selectFrom('field_visits')
      .selectAll()
      .where('check_in_key', '=', body.key)
      .executeTakeFirstOrThrow();
    visitId = stored.id;
    expect(stored.check_in_sent_at).toBeNull();
    expect(sent()).toEqual([]);
    const replay = await call('tech-wang', 'POST', '/api/v1/field-visits', body);
    expect(replay.json()).toMatchObject({ id: visitId, applied: false });
    expect(sent()).toEqual(['check_in']);
    expect((await call('tech-wang', 'POST', '/api/v1/field-visits', body)).statusCode).toBe(200);
    expect(sent()).toEqual(['check_in']);

    const out = { key: 'checkout-key-0100' };
    refuseSends = 1;
    const lostOut = await call('tech-wang', 'POST', `/api/v1/field-visits/${visitId}/check-out`, out);
    expect(lostOut.statusCode).toBe(503);
    expect(sent()).toEqual(['check_in']);
    await call('tech-wang', 'POST', `/api/v1/field-visits/${visitId}/check-out`, out);
    await call('tech-wang', 'POST', `/api/v1/field-visits/${visitId}/check-out`, out);
    expect(sent()).toEqual(['check_in', 'check_out']);
    // The check-in replayed after the visit closed (a queue restored from an old copy): nothing
    // goes to the ingest, which would otherwise open the visit again.
    const stale = await call('tech-wang', 'POST', '/api/v1/field-visits', body);
    expect(stale.json()).toMatchObject({ id: visitId, applied: false });
    expect(sent()).toEqual(['check_in', 'check_out']);
  });
});
