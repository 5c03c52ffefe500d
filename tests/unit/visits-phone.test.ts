/**
 * The visit book and a technician's phone: a check-in and check-out sent by the API
 * (`via: 'phone'`) open and close a visit judged from telemetry like any other; a check-out
 * delivered again after the visit closed (the log redelivers) changes nothing, while a
 * device's check-out without a check-in is still judged as paper maintenance.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, RuleInput } from '../../ingest/rules/types.ts';
import { visitLimitsFor } from '../../ingest/visits/limits.ts';
import { initialElevatorVisits, stepVisits, type VisitBookState } from '../../ingest/visits/tracker.ts';
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

function run(inputs: RuleInput[]): Finding[] {
  let book: VisitBookState = { elevator: initialElevatorVisits(), technicians: {} };
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
});
