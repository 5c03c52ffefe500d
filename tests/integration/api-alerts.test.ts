import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertLifecycle, createAlertLifecycle } from '../../alerts/lifecycle.ts';
import type { StateChange } from '../../api/state-source.ts';
import { AlertMessage, type VisitMessage } from '../../protocol/index.ts';
import {
  ANJU_ELEVATOR,
  alertRow,
  NOW,
  SAME_ORIGIN,
  startTestApi,
  type TestApi,
} from '../helpers/api-harness.ts';

describe('alert review', () => {
  let t: TestApi;
  let duty: string;
  beforeAll(async () => {
    t = await startTestApi();
    duty = await t.login('duty-anju');
    const rows = Array.from({ length: 7 }, (_, i) =>
      alertRow({
        id: `bulk-${i}`,
        elevator_id: 'longgang-b1-e1',
        estate_id: 'longgang',
        code: i % 2 ? 'overspeed' : 'long_door_open',
        severity: i % 2 ? 'critical' : 'minor',
        state: 'resolved',
        opened_at: NOW - (i + 1) * 3_600_000,
        last_seen_at: NOW - (i + 1) * 3_600_000,
      }),
    );
    await t.db.insertInto('alerts').values(rows).execute();
  });
  afterAll(async () => t.close());

  const get = (url: string) => t.app.inject({ url, headers: { cookie: duty } });

  it('filters by estate, building, elevator, code, severity, state and time', async () => {
    const byEstate = (await get('/api/v1/alerts?estate=longgang&limit=200')).json();
    expect(byEstate.items).toHaveLength(7);
    const bySeverity = (await get('/api/v1/alerts?severity=critical&estate=longgang')).json();
    expect(bySeverity.items.map((a: { code: string }) => a.code)).toEqual([
      'overspeed',
      'overspeed',
      'overspeed',
    ]);
    const byCode = (await get('/api/v1/alerts?code=door_close_fault')).json();
    expect(byCode.items.map((a: { id: string }) => a.id)).toEqual(['alert-anju-2']);
    const byBuilding = (await get('/api/v1/alerts?building=lianhua-b1')).json();
    expect(byBuilding.items.map((a: { id: string }) => a.id)).toEqual(['alert-anju-1']);
    const byElevator = (await get(`/api/v1/alerts?elevator=${ANJU_ELEVATOR}&state=open`)).json();
    expect(byElevator.items).toHaveLength(1);
    expect(byElevator.items[0]).toMatchObject({
      label_zh: '困人',
      label_en: 'Passenger trapped',
      evidence: { stopped_s: 45 },
    });
    const byTime = (await get(`/api/v1/alerts?from=${NOW - 3 * 3_600_000 + 1}&to=${NOW}`)).json();
    expect(byTime.items.map((a: { id: string }) => a.id)).toEqual(['bulk-0', 'bulk-1']);
  });

  it('pages with limit and next_offset', async () => {
    const first = (await get('/api/v1/alerts?estate=longgang&limit=3')).json();
    expect(first.items).toHaveLength(3);
    expect(first.next_offset).toBe(3);
    const last = (await get('/api/v1/alerts?estate=longgang&limit=3&offset=6')).json();
    expect(last.items).toHaveLength(1);
    expect(last.next_offset).toBeNull();
  });

  it('acknowledges then resolves with notes, audits both and tells listeners', async () => {
    const seen: StateChange[] = [];
    t.store.on('change', (c) => seen.push(c));
    const post = (action: string, note: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/alerts/alert-anju-1/${action}`,
        headers: { cookie: duty, origin: SAME_ORIGIN },
        payload: action === 'resolve' ? { note, resolution: 'fault' } : { note },
        remoteAddress: '198.51.100.7',
      });
    const ack = await post('acknowledge', 'Technician dispatched');
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({
      state: 'acknowledged',
      acknowledged_by: 'duty-anju',
      ack_note: 'Technician dispatched',
      acknowledged_at: NOW,
    });
    expect((await post('acknowledge', 'again')).statusCode).toBe(409);
    const resolved = await post('resolve', 'Passenger released at 12:10');
    expect(resolved.json()).toMatchObject({
      state: 'resolved',
      resolved_by: 'duty-anju',
      resolve_note: 'Passenger released at 12:10',
      resolution: 'fault',
    });
    expect((await post('resolve', 'again')).json().code).toBe('CONFLICT');
    const row = await t.db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', 'alert-anju-1')
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('resolved');
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', 'alert-anju-1')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.actor, a.ip])).toEqual([
      ['alert.acknowledge', 'duty-anju', '198.51.100.7'],
      ['alert.resolve', 'duty-anju', '198.51.100.7'],
    ]);
    expect(JSON.parse(audit[1]!.detail_json ?? '{}')).toMatchObject({ resolution: 'fault' });
    expect(
      seen.filter((c) => c.kind === 'alert').map((c) => (c.kind === 'alert' ? c.alert.state : '')),
    ).toEqual(['acknowledged', 'resolved']);
  });

  it('refuses to resolve without saying what the alert was; the alert stays as it was', async () => {
    const resolve = (payload: object) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/alerts/alert-anju-2/resolve',
        headers: { cookie: duty, origin: SAME_ORIGIN },
        payload,
      });
    const missing = await resolve({ note: 'door fixed' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({
      code: 'BAD_REQUEST',
      message: "body must have required property 'resolution'",
    });
    // 'auto_cleared' is the detector's word, not a person's; anything else is no outcome at all.
    for (const resolution of ['auto_cleared', 'fixed', '']) {
      const invalid = await resolve({ note: 'door fixed', resolution });
      expect(invalid.statusCode, String(resolution)).toBe(400);
      // A string outside the choice, or not a string at all (bodies are validated without coercion).
      expect(invalid.json().message).toMatch(
        /^body\/resolution must be (equal to one of the allowed values|string)$/,
      );
    }
    // Strict bodies coerce nothing: null is refused for its type before its value is looked at.
    const nullResolution = await resolve({ note: 'door fixed', resolution: null });
    expect(nullResolution.statusCode).toBe(400);
    expect(nullResolution.json().message).toBe('body/resolution must be string');
    expect((await get('/api/v1/alerts/alert-anju-2')).json()).toMatchObject({
      state: 'open',
      resolved_by: null,
      resolve_note: null,
      resolution: null,
    });
  });

  it('stores a false alarm, shows it on the alert and in the resolved list', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-2/resolve',
      headers: { cookie: duty, origin: SAME_ORIGIN },
      payload: { resolution: 'false_alarm', note: 'Door sensor loose; the door closes fine' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'resolved', resolution: 'false_alarm' });
    expect((await get('/api/v1/alerts/alert-anju-2')).json()).toMatchObject({
      state: 'resolved',
      resolved_by: 'duty-anju',
      resolution: 'false_alarm',
      resolve_note: 'Door sensor loose; the door closes fine',
    });
    const resolved = (await get('/api/v1/alerts?estate=lianhua&state=resolved')).json();
    expect(
      resolved.items.map((a: { id: string; resolution: string | null }) => [a.id, a.resolution]),
    ).toEqual(expect.arrayContaining([['alert-anju-2', 'false_alarm']]));
  });

  it('lists visits with their evidence and an elevator with its live state', async () => {
    const visits = (await get('/api/v1/visits?verdict=verified')).json();
    expect(visits.items[0]).toMatchObject({
      id: 'visit-anju-1',
      evidence: { inspection_minutes: 52 },
      evidence_score: 92,
    });
    t.store.applyStatus(ANJU_ELEVATOR, { v: 1, ts: NOW, state: 'online' }, NOW);
    const elevator = (await get(`/api/v1/elevators/${ANJU_ELEVATOR}`)).json();
    expect(elevator.state).toMatchObject({ condition: 'normal', online: true, last_heard_at: NOW });
    expect(elevator.qr_url).toMatch(/^http:\/\/lift\.test\/e\//);
  });

  it('shows the audit log to a property manager for their estates only', async () => {
    const res = (await get('/api/v1/audit')).json();
    expect(res.items.length).toBeGreaterThan(0);
    expect(
      res.items.every(
        (a: { estate_id: string | null }) => a.estate_id === 'lianhua' || a.estate_id === 'longgang',
      ),
    ).toBe(true);
  });
});

describe('alert review through the alert lifecycle, as the API runs', () => {
  let t: TestApi;
  let lifecycle: AlertLifecycle | null = null;
  const published: { topic: string; payload: AlertMessage | VisitMessage }[] = [];
  beforeAll(async () => {
    // The lifecycle needs the harness's registry, which exists only once the API is built.
    t = await startTestApi({
      deps: {
        alertActions: {
          acknowledge: (...args) => lifecycle!.acknowledge(...args),
          resolve: (...args) => lifecycle!.resolve(...args),
        },
      },
    });
    lifecycle = createAlertLifecycle({
      db: t.db,
      clock: () => t.clock.now,
      publish: (topic, payload) => {
        published.push({ topic, payload });
      },
    });
  });
  afterAll(async () => t.close());

  it('carries a false alarm on the resolved transition it publishes on alerts/{elevator}', async () => {
    const duty = await t.login('duty-anju');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/resolve',
      headers: { cookie: duty, origin: SAME_ORIGIN },
      payload: { resolution: 'false_alarm', note: 'Alarm button pressed by a child; nobody trapped' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'resolved', resolution: 'false_alarm' });
    expect(published).toHaveLength(1);
    const [message] = published;
    expect(message!.topic).toBe(`alerts/${ANJU_ELEVATOR}`);
    expect(message!.payload).toMatchObject({
      id: 'alert-anju-1',
      transition: 'resolved',
      state: 'resolved',
      resolved_by: 'duty-anju',
      resolution: 'false_alarm',
    });
    expect(Value.Check(AlertMessage, message!.payload)).toBe(true);
  });
});
