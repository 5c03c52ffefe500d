/** The console's pure parts: SLA clocks, and the history answer turned into chart data and bars. */
import { describe, expect, it } from 'vitest';
import { binCounts, binStart, toColumns } from '../../dashboard/src/history.ts';
import {
  ACK_SLA_MS,
  ARRIVAL_SLA_MS,
  ackClock,
  arrivalClock,
  formatDuration,
  isUnacknowledgedCritical,
  longOverdue,
  OVERDUE_COUNTER_MAX_MS,
} from '../../dashboard/src/sla.ts';

const OPENED = 1_700_000_000_000;

describe('SLA clocks', () => {
  it.each([
    // [acknowledged_at, now, status, ms]
    [null, OPENED + 60_000, 'running', ACK_SLA_MS - 60_000],
    [null, OPENED + ACK_SLA_MS + 1000, 'overdue', -1000],
    [OPENED + 120_000, OPENED + 999_999, 'met', 120_000],
    [OPENED + ACK_SLA_MS + 1, OPENED + 999_999, 'late', ACK_SLA_MS + 1],
  ] as const)('acknowledge at %s, now %s → %s', (ackAt, now, status, ms) => {
    const c = ackClock({ opened_at: OPENED, acknowledged_at: ackAt }, now);
    expect(c.status).toBe(status);
    expect(c.ms).toBe(ms);
    expect(c.deadline).toBe(OPENED + ACK_SLA_MS);
  });

  it('counts arrival from the first check-in, else the resolution', () => {
    const alert = { opened_at: OPENED, resolved_at: null };
    expect(arrivalClock(alert, null, OPENED + 10 * 60_000).status).toBe('running');
    expect(arrivalClock(alert, OPENED + 20 * 60_000, OPENED + 40 * 60_000)).toMatchObject({
      status: 'met',
      ms: 20 * 60_000,
    });
    expect(
      arrivalClock({ opened_at: OPENED, resolved_at: OPENED + ARRIVAL_SLA_MS + 5 }, null, 0).status,
    ).toBe('late');
  });

  it.each([
    [0, '00:00'],
    [272_000, '04:32'],
    [-61_000, '01:01'],
    [3_723_000, '1:02:03'],
    [2 * 86_400_000 + 3_600_000, '2d 01:00:00'],
  ])('formats %s ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('says days in the words it is given', () => {
    expect(formatDuration(2 * 86_400_000 + 3_600_000, (n) => `${n}天`)).toBe('2天 01:00:00');
  });

  it.each([
    // [acknowledged_at, now, counted past a day?]
    [null, OPENED + ACK_SLA_MS + 60_000, false],
    [null, OPENED + ACK_SLA_MS + OVERDUE_COUNTER_MAX_MS, false],
    [null, OPENED + ACK_SLA_MS + OVERDUE_COUNTER_MAX_MS + 1000, true],
    [null, OPENED + 563 * 86_400_000, true],
    [OPENED + 2 * 86_400_000, OPENED + 563 * 86_400_000, false],
  ] as const)('acknowledged at %s, now %s: overdue past a day → %s', (ackAt, now, long) => {
    expect(longOverdue(ackClock({ opened_at: OPENED, acknowledged_at: ackAt }, now))).toBe(long);
  });

  it('raises the alarm only for open critical alerts', () => {
    expect(isUnacknowledgedCritical({ severity: 'critical', state: 'open' })).toBe(true);
    expect(isUnacknowledgedCritical({ severity: 'critical', state: 'acknowledged' })).toBe(false);
    expect(isUnacknowledgedCritical({ severity: 'major', state: 'open' })).toBe(false);
  });
});

describe('history chart data', () => {
  it('turns the columnar answer into aligned arrays, null where a value is missing', () => {
    const { t, values } = toColumns({
      columns: ['t', 'floor', 'trips', 'run_count'],
      points: [
        [1000, 1, null, 10],
        [2000, 3, 1, null],
        [null, 4, 0, 11],
      ],
    });
    expect(t).toEqual([1000, 2000]);
    expect(values.floor).toEqual([1, 3]);
    expect(values.trips).toEqual([null, 1]);
    expect(values.run_count).toEqual([10, null]);
    expect(values.door_cycles).toEqual([null, null]);
  });

  const MIN = 60_000;
  const from = Date.UTC(2025, 4, 20, 3, 0, 30);
  // [what, row times (min after from), counts, expected bins of a minute]
  const cases: [string, number[], (number | null)[], (number | null)[]][] = [
    ['rows summed into their minute, one after `to` left out', [0, 0.2, 1.5, 2.9], [1, 2, 1, 5], [3, 0, 1]],
    ['a row before from (the API grid) counts in the first bin', [-0.4, 1], [2, 1], [2, 1, 0]],
    ['a bin of only unknown rows is null, one without rows 0', [0.1, 2.1], [null, null], [null, 0, null]],
    ['known and unknown in one bin: the known sum', [0.1, 0.2], [null, 4], [4, 0, 0]],
  ];
  it.each(cases)('%s', (_what, minutes, counts, expected) => {
    const binned = binCounts(
      minutes.map((m) => from + m * MIN),
      counts,
      from,
      from + 2.5 * MIN,
      MIN,
    );
    // The first bin starts on the minute before `from`.
    expect(binned.t).toEqual([from - 30_000, from + 30_000, from + 90_000]);
    expect(binned.values).toEqual(expected);
  });

  it('aligns day bins to local midnight and keeps the total', () => {
    const DAY = 86_400_000;
    const times = Array.from({ length: 72 }, (_, i) => from + i * 3_600_000);
    const binned = binCounts(
      times,
      times.map(() => 1),
      from,
      from + 3 * DAY,
      DAY,
    );
    for (const start of binned.t) expect(new Date(start).getHours()).toBe(0);
    expect(binStart(from, DAY)).toBe(binned.t[0]);
    expect(binned.values.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(72);
  });
});
