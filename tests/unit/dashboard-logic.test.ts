/** The console's pure parts: SLA clocks and the history answer turned into series. */
import { describe, expect, it } from 'vitest';
import { toSeries } from '../../dashboard/src/history.ts';
import {
  ACK_SLA_MS,
  ARRIVAL_SLA_MS,
  ackClock,
  arrivalClock,
  formatDuration,
  isUnacknowledgedCritical,
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

  it('raises the alarm only for open critical alerts', () => {
    expect(isUnacknowledgedCritical({ severity: 'critical', state: 'open' })).toBe(true);
    expect(isUnacknowledgedCritical({ severity: 'critical', state: 'acknowledged' })).toBe(false);
    expect(isUnacknowledgedCritical({ severity: 'major', state: 'open' })).toBe(false);
  });
});

describe('history series', () => {
  it('splits the columnar answer into one series per field, skipping nulls per column', () => {
    const series = toSeries({
      columns: ['t', 'floor', 'speed', 'run_count'],
      points: [
        [1000, 1, 0, 10],
        [2000, 3, 1.5, null],
        [3000, null, 0.2, 11],
      ],
    });
    expect(series.floor).toEqual([
      [1000, 1],
      [2000, 3],
    ]);
    expect(series.speed).toHaveLength(3);
    expect(series.run_count).toEqual([
      [1000, 10],
      [3000, 11],
    ]);
  });

  it('gives empty series for fields the answer lacks', () => {
    expect(toSeries({ columns: ['t', 'speed'], points: [[1, 2]] }).floor).toEqual([]);
  });
});
