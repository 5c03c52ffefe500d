/**
 * The visit book and a technician's phone: a check-in and check-out sent by the API
 * (`via: 'phone'`) open and close a visit judged from telemetry like any other; a check-out
 * delivered again after the visit closed (the log redelivers) changes nothing, a check-in
 * delivered again while the visit is open or after it closed (timed out, or checked out) neither
 * opens a second visit nor reopens the judged one, while a device's check-out without a
 * check-in is still judged as paper maintenance.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, RuleInput } from '../../ingest/rules/types.ts';
import { visitLimitsFor } from '../../ingest/visits/limits.ts';
import {
  initialElevatorVisits,
  RECENTLY_CLOSED_MAX,
  stepVisits,
  type VisitBookState,
} from '../../ingest/visits/tracker.ts';
import type { MaintenanceMessage } from '../../protocol/index.ts';
import { TEST_CAR } from '../helpers/fixtures.ts';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const ctx = { elevator: TEST_CAR, limits: visitLimitsFor(TEST_CAR), estateLocation: null };

function message(
  action: MaintenanceMessage['action'],
  ts: number,
  extra: Partial<MaintenanceMessage> = {},
): RuleInput {
  const payload: MaintenanceMessage = {
    v: 1,
    ts,
    seq: 0,
    action,
    visit_id: 'field-1',
    technician_id: 'tech-wang',
    company_id: 'huaxia-lift',
    kind: 'half_monthly',
    method: 'qr',
    via: 'phone',
    ...extra,
  };
  return { channel: 'maintenance', elevatorId: TEST_CAR.id, payload, receivedAt: ts };
}

function run(
  inputs: RuleInput[],
  start: VisitBookState = { elevator: initialElevatorVisits(), technicians: {} },
): Finding[] {
  let book = start;
  const findings: Finding[] = [];
  for (const input of inputs) {
    const step = stepVisits(book, input, ctx);
    book = step.state;
    findings.push(...step.findings);
  }
  return findings;
}

const visits = (findings: Finding[]) => findings.filter((f) => f.kind === 'visit');

describe('visit book: check-in and check-out from the phone', () => {
  it('opens and closes the visit, judged from the (absent) telemetry', () => {
    const findings = run([
      message('check_in', T0),
      message('check_out', T0 + 40 * MIN, { items: [1, 2, 3] }),
    ]);
    const [opened, closed] = visits(findings) as Extract<Finding, { kind: 'visit' }>[];
    expect(opened!.visit).toMatchObject({ id: 'field-1', status: 'open', method: 'qr' });
    expect(closed!.visit).toMatchObject({
      id: 'field-1',
      status: 'closed',
      verdict: 'fake',
      items: [1, 2, 3],
    });
  });

  it('a check-out delivered again after the visit closed changes nothing', () => {
    const once = run([message('check_in', T0), message('check_out', T0 + 40 * MIN)]);
    const twice = run([
      message('check_in', T0),
      message('check_out', T0 + 40 * MIN),
      message('check_out', T0 + 40 * MIN),
    ]);
    expect(twice).toEqual(once);
  });

  it("a device's check-out without a check-in is still judged as paper maintenance", () => {
    const findings = run([message('check_out', T0, { via: undefined, seq: 7, method: 'nfc' })]);
    expect(visits(findings)).toHaveLength(1);
    expect(findings.some((f) => f.kind === 'raise' && f.code === 'maintenance_fake')).toBe(true);
  });

  it('a check-in delivered again while the visit is open changes nothing', () => {
    const once = run([message('check_in', T0), message('check_out', T0 + 40 * MIN)]);
    const twice = run([
      message('check_in', T0),
      message('check_in', T0),
      message('check_out', T0 + 40 * MIN),
      message('check_out', T0 + 40 * MIN),
    ]);
    expect(twice).toEqual(once);
  });

  it('a check-in delivered again after the visit closed does not reopen it', () => {
    const findings = run([
      message('check_in', T0),
      message('check_out', T0 + 40 * MIN),
      message('check_in', T0),
      { channel: 'tick', elevatorId: TEST_CAR.id, ts: T0 + 3 * 24 * 60 * MIN },
    ]);
    const statuses = (visits(findings) as Extract<Finding, { kind: 'visit' }>[]).map((f) => f.visit.status);
    // Opened, closed; not opened again, so no second verdict (timed out) on the tick days later.
    expect(statuses).toEqual(['open', 'closed']);
  });

  it('nor after it timed out, and a checkpoint from before the list still loads', () => {
    const timedOut = run([
      message('check_in', T0),
      { channel: 'tick', elevatorId: TEST_CAR.id, ts: T0 + 2 * 24 * 60 * MIN },
      message('check_in', T0),
    ]);
    expect((visits(timedOut) as Extract<Finding, { kind: 'visit' }>[]).map((f) => f.visit.status)).toEqual([
      'open',
      'timed_out',
    ]);
    const { recentlyClosed: _absent, ...old } = initialElevatorVisits();
    const restored = run([message('check_in', T0), message('check_out', T0 + 40 * MIN)], {
      elevator: old,
      technicians: {},
    });
    expect(visits(restored)).toHaveLength(2);
  });

  it('remembers the last visits closed, a bounded number', () => {
    let book: VisitBookState = { elevator: initialElevatorVisits(), technicians: {} };
    for (let i = 0; i < RECENTLY_CLOSED_MAX + 4; i++) {
      const at = T0 + i * 60 * MIN;
      for (const input of [
        message('check_in', at, { visit_id: `v${i}` }),
        message('check_out', at + 30 * MIN, { visit_id: `v${i}` }),
      ])
        book = stepVisits(book, input, ctx).state;
    }
    expect(book.elevator.recentlyClosed).toHaveLength(RECENTLY_CLOSED_MAX);
    expect(book.elevator.recentlyClosed!.at(-1)).toBe(`v${RECENTLY_CLOSED_MAX + 3}`);
  });
});
