import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateChange } from '../../api/state-source.ts';
import { decodeServiceMessage } from '../../protocol/index.ts';
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

  it('acknowledges then resolves with notes through the lifecycle, audits every attempt and tells listeners', async () => {
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
    // Acknowledged already (here by the same person; as well another tab or another duty
    // officer): the alert as it is, the first acknowledgement standing.
    const again = await post('acknowledge', 'again');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ state: 'acknowledged', ack_note: 'Technician dispatched' });
    const resolved = await post('resolve', 'Passenger released at 12:10');
    expect(resolved.json()).toMatchObject({
      state: 'resolved',
      resolved_by: 'duty-anju',
      resolve_note: 'Passenger released at 12:10',
      resolution: 'fault',
    });
    const resolvedAgain = await post('resolve', 'again');
    expect(resolvedAgain.statusCode).toBe(200);
    expect(resolvedAgain.json()).toMatchObject({
      state: 'resolved',
      resolve_note: 'Passenger released at 12:10',
    });
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
    expect(audit.map((a) => [a.action, a.actor, a.ip, JSON.parse(a.detail_json ?? '{}').applied])).toEqual([
      ['alert.acknowledge', 'duty-anju', '198.51.100.7', true],
      ['alert.acknowledge', 'duty-anju', '198.51.100.7', false],
      ['alert.resolve', 'duty-anju', '198.51.100.7', true],
      ['alert.resolve', 'duty-anju', '198.51.100.7', false],
    ]);
    expect(JSON.parse(audit[2]!.detail_json ?? '{}')).toMatchObject({ resolution: 'fault' });
    // Only what applied was published, and it came back to the state source as MQTT would bring it.
    expect(
      t.published.filter((m) => m.payload.id === 'alert-anju-1').map((m) => [m.topic, m.payload]),
    ).toEqual([
      [
        `alerts/${ANJU_ELEVATOR}`,
        expect.objectContaining({ transition: 'acknowledged', state: 'acknowledged' }),
      ],
      [`alerts/${ANJU_ELEVATOR}`, expect.objectContaining({ transition: 'resolved', resolution: 'fault' })],
    ]);
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

describe('alert review when people race each other and the detector', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => t.close());

  const act = (cookie: string, id: string, action: 'acknowledge' | 'resolve', payload: object) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${id}/${action}`,
      headers: { cookie, origin: SAME_ORIGIN },
      payload,
    });

  it('carries a false alarm on the resolved transition it publishes on alerts/{elevator}', async () => {
    const duty = await t.login('duty-anju');
    const res = await act(duty, 'alert-anju-1', 'resolve', {
      resolution: 'false_alarm',
      note: 'Alarm button pressed by a child; nobody trapped',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'resolved', resolution: 'false_alarm' });
    const [message] = t.published;
    expect(t.published).toHaveLength(1);
    expect(message!.topic).toBe(`alerts/${ANJU_ELEVATOR}`);
    expect(message!.payload).toMatchObject({
      id: 'alert-anju-1',
      transition: 'resolved',
      state: 'resolved',
      resolved_by: 'duty-anju',
      resolution: 'false_alarm',
    });
    expect(decodeServiceMessage(message!.topic, Buffer.from(JSON.stringify(message!.payload))).ok).toBe(true);
    // The answer and the state source's alert are the same resource.
    expect(res.json()).toEqual(
      (await t.app.inject({ url: '/api/v1/alerts/alert-anju-1', headers: { cookie: duty } })).json(),
    );
  });

  it('answers two officers resolving at once with one resolution, 200 each, both audited', async () => {
    const [anju, manager] = [await t.login('duty-anju'), await t.login('manager-anju')];
    const answers = await Promise.all([
      act(anju, 'alert-anju-2', 'resolve', { resolution: 'fault', note: 'door operator replaced' }),
      act(manager, 'alert-anju-2', 'resolve', { resolution: 'false_alarm', note: 'sensor loose' }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    const [first, second] = answers.map((a) => a.json());
    // Both say what stands: the winner's resolution, whichever request won.
    expect(second).toEqual(first);
    expect(['fault', 'false_alarm']).toContain(first.resolution);
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', 'alert-anju-2')
      .execute();
    expect(audit.map((a) => JSON.parse(a.detail_json ?? '{}').applied).sort()).toEqual([false, true]);
    expect(t.published.filter((m) => m.payload.id === 'alert-anju-2')).toHaveLength(1);
  });

  it('answers an acknowledgement that lost to the detector clearing the alert with the cleared alert', async () => {
    const duty = await t.login('duty-anju');
    await t.lifecycle.apply([
      { kind: 'raise', elevatorId: 'lianhua-b2-e1', code: 'overspeed', at: NOW, evidence: { speed_mps: 3 } },
    ]);
    const opened = t.published.at(-1)!.payload;
    expect(opened).toMatchObject({ transition: 'opened', code: 'overspeed' });
    await t.lifecycle.apply([
      { kind: 'clear', elevatorId: 'lianhua-b2-e1', code: 'overspeed', at: NOW + 5000, evidence: {} },
    ]);
    const late = await act(duty, opened.id, 'acknowledge', { note: 'on my way' });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({
      state: 'resolved',
      resolved_by: 'auto',
      resolution: 'auto_cleared',
      acknowledged_by: null,
    });
    const resolveLate = await act(duty, opened.id, 'resolve', { resolution: 'fault', note: 'fixed' });
    expect(resolveLate.json()).toMatchObject({ state: 'resolved', resolution: 'auto_cleared' });
  });

  it("still answers another firm's alert as missing", async () => {
    const duty = await t.login('duty-anju');
    const res = await act(duty, 'alert-hexin-1', 'acknowledge', { note: 'mine?' });
    expect(res.statusCode).toBe(404);
    expect(t.published.filter((m) => m.payload.id === 'alert-hexin-1')).toEqual([]);
  });
});
