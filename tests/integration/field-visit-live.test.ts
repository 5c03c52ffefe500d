/**
 * Issue 15: the technician's phone feeds the same visit the device channel feeds. The whole
 * system as main.ts wires it (broker, ingest with detection, API; real MQTT, influxd, store):
 * a check-in over HTTP reaches the ingest as the car's maintenance message (published by the
 * API's service role, `via: 'phone'`), which opens the visit under the phone record's id; the
 * check-out closes it and the ingest judges it from the car's telemetry. The car never left
 * passenger service, so all 31 half-monthly items ticked on the phone do not save it from
 * "fake": the technician's word never overrides the car's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateChange } from '../../api/state-source.ts';
import type { FleetFile, VisitMessage } from '../../protocol/index.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { type LiveSystem, startLiveSystem } from '../helpers/live-system.ts';

const PASSWORD = 'field-password-1';
const BUILDING = 'lianhua-b1';
const CAR = 'lianhua-b1-e1';
const WAIT_MS = 30_000;

function fleet(): FleetFile {
  const demo = generateFleet({ userPassword: PASSWORD });
  return {
    ...demo,
    estates: demo.estates.filter((e) => e.id === 'lianhua'),
    buildings: demo.buildings.filter((b) => b.id === BUILDING),
    elevators: demo.elevators.filter((e) => e.building_id === BUILDING),
  };
}

describe("the phone's check-in and check-out in the ingest's visit", () => {
  let system: LiveSystem;
  let cookie = '';

  beforeAll(async () => {
    system = await startLiveSystem(fleet());
    const res = await fetch(`${system.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'tech-wang', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('lw_session='))!
      .split(';')[0]!;
  }, 120_000);

  afterAll(async () => system?.close());

  async function post<T>(path: string, body: object): Promise<T> {
    const res = await fetch(`${system.baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: system.baseUrl },
      body: JSON.stringify(body),
    });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  }

  /** Every visit message the API hears, from before the first action: none is missed. */
  const heard: VisitMessage[] = [];
  const waiters = new Set<() => void>();
  function recordVisits(): void {
    system.api.stateSource.on('change', (change: StateChange) => {
      if (change.kind !== 'visit') return;
      heard.push(change.visit);
      for (const wake of waiters) wake();
    });
  }

  /** Resolves with the first heard message of this visit that `test` accepts. */
  function visitMessage(id: string, test: (v: VisitMessage) => boolean): Promise<VisitMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = heard.find((v) => v.id === id && test(v));
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such visit message for ${id} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      waiters.add(check);
      check();
    });
  }

  it('opens, closes and judges the visit under the phone record id, from telemetry', async () => {
    recordVisits();
    const key = `live-${Date.now()}`;
    const visit = await post<{ id: string }>('/field-visits', {
      key: `${key}-in`,
      elevator_id: CAR,
      kind: 'half_monthly',
      lat: 22.5431,
      lng: 114.0579,
    });
    const open = await visitMessage(visit.id, (v) => v.status === 'open');
    expect(open).toMatchObject({ method: 'app', technician_id: 'tech-wang', verdict: null });

    const all = Array.from({ length: 31 }, (_, i) => i + 1);
    await post(`/field-visits/${visit.id}/items`, { key: `${key}-items`, items: all });
    await post(`/field-visits/${visit.id}/check-out`, { key: `${key}-out` });
    const judged = await visitMessage(visit.id, (v) => v.status !== 'open');
    expect(judged).toMatchObject({ id: visit.id, status: 'closed', verdict: 'fake' });
    const row = await system.db
      .selectFrom('maintenance_visits')
      .selectAll()
      .where('id', '=', visit.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.items_json!)).toEqual(all);
    expect(row.verdict).toBe('fake');
    expect(JSON.parse(row.location_json!)).toEqual({ lat: 22.5431, lon: 114.0579 });
    // The phone reads the verdict beside its record.
    const res = await fetch(`${system.baseUrl}/api/v1/field-visits/${visit.id}`, { headers: { cookie } });
    expect(((await res.json()) as { judged: unknown }).judged).toMatchObject({
      status: 'closed',
      verdict: 'fake',
    });
  });
});
