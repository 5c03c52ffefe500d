/**
 * The demo's technician (demo/technician.ts) through the real API on a real store, as
 * `npm run demo` runs it: the schedule's first visit, its times shrunk to now, signs in as
 * tech-wang, checks in at the car with the estate's location, ticks the half-monthly checklist
 * and checks out, all through the phone's routes; both boundaries are handed to the ingest with
 * the record's id, and the boundaries sent again change nothing (the phone's keys).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFieldPhone, demoFieldSchedule, demoFieldSteps } from '../../demo/technician.ts';
import type { MaintenanceMessage } from '../../protocol/index.ts';
import { listenOnFreePort, startTestApi, TEST_PASSWORD, type TestApi } from '../helpers/api-harness.ts';

describe('the demo technician through the phone API', () => {
  let t: TestApi;
  let base: string;
  const claims: MaintenanceMessage[] = [];
  let checkedOut: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    checkedOut = resolve;
  });

  beforeAll(async () => {
    t = await startTestApi({
      deps: {
        clock: () => Date.now(),
        visitClaims: {
          async claim(_elevatorId, message) {
            claims.push(message);
            if (message.action === 'check_out') checkedOut();
          },
        },
      },
    });
    base = await listenOnFreePort(t);
  });
  afterAll(async () => t?.close());

  it("runs the first visit on its schedule: check-in, checklist, check-out, via the phone's routes", async () => {
    const first = demoFieldSteps(1)
      .filter((s) => s.visit === 0)
      .map((s) => ({ ...s, at_s: 0 }));
    const errors: unknown[] = [];
    const phone = demoFieldPhone({ baseUrl: base, password: TEST_PASSWORD, runId: 'test' });
    const schedule = demoFieldSchedule(phone, (error) => errors.push(error), first);
    schedule.start();
    await done;
    schedule.stop();
    expect(errors).toEqual([]);

    const rows = await t.db.selectFrom('field_visits').selectAll().execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      elevator_id: first[0]!.elevator,
      technician: 'tech-wang',
      kind: 'half_monthly',
      method: 'app',
      lat: 22.5535,
      lon: 114.0556,
    });
    expect(JSON.parse(row.items_json)).toHaveLength(31);
    expect(row.check_out_at).not.toBeNull();
    expect(claims.map((c) => [c.action, c.visit_id, c.via])).toEqual([
      ['check_in', row.id, 'phone'],
      ['check_out', row.id, 'phone'],
    ]);
    const audited = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor', '=', 'tech-wang')
      .where('action', 'like', 'field_visit.%')
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual([
      'field_visit.check_in',
      'field_visit.items',
      'field_visit.check_out',
    ]);

    // Its check-in and check-out again (answers lost on the way): the keys hold them.
    for (const step of first) if (step.action !== 'items') await phone.perform(step);
    expect(await t.db.selectFrom('field_visits').select('id').execute()).toHaveLength(1);
    expect(claims).toHaveLength(2);
  });
});
