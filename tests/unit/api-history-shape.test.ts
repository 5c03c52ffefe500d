/**
 * The history answer's shaping as tables: what the statements read for the fields asked,
 * and rows from InfluxDB in, the API's rows out (readings carried, counts as 0, trips as
 * the rise of the run counter). The same against a real influxd: tests/integration/api-history.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  bucketCount,
  type HistoryField,
  planHistoryQuery,
  readFields,
  shapeRows,
} from '../../api/data/history.ts';

const HOUR = 3_600_000;

describe('what the statements read', () => {
  it.each<[HistoryField[], string[]]>([
    [
      ['speed', 'floor'],
      ['speed', 'floor'],
    ],
    [['trips'], ['run_count']],
    [
      ['run_count', 'trips', 'door_cycles'],
      ['run_count', 'door_cycles'],
    ],
    [['door_cycles'], ['door_cycles']],
    [['speed_max'], ['speed_max', 'speed']],
  ])('%j reads %j', (fields, read) => expect(readFields(fields)).toEqual(read));

  it('sums door openings per bucket, takes the run counter max, and fills nothing in InfluxDB', () => {
    const { sql, seedSql } = planHistoryQuery('db', {
      elevatorId: 'e1',
      from: 0,
      to: 24 * HOUR,
      fields: ['trips', 'door_cycles'],
      maxPoints: 2000,
    });
    expect(sql).toContain(
      'SELECT max("run_count_max") AS "run_count", sum("door_opens") AS "door_cycles" FROM',
    );
    expect(sql).toContain('fill(null)');
    expect(seedSql).toContain('SELECT last("run_count_max") AS "run_count" FROM');
  });

  it('reads a peak with the level held into each bucket', () => {
    const { sql, seedSql } = planHistoryQuery('db', {
      elevatorId: 'e1',
      from: 0,
      to: 24 * HOUR,
      fields: ['speed_max'],
      maxPoints: 2000,
    });
    expect(sql).toContain('SELECT max("speed_max") AS "speed_max", last("speed_last") AS "speed" FROM');
    expect(seedSql).toContain('SELECT last("speed_last") AS "speed" FROM');
  });

  it('raw rows as written select the marks per message, and need no seed for counts alone', () => {
    const plan = planHistoryQuery('db', {
      elevatorId: 'e1',
      from: 0,
      to: HOUR / 2,
      fields: ['door_cycles'],
      maxPoints: 2000,
    });
    expect(plan.sql).toContain('SELECT "door_opens" AS "door_cycles", "seq" FROM "db"."raw"."telemetry"');
    expect(plan.seedSql).toBeNull();
  });
});

describe('bucket width', () => {
  const DAY = 24 * HOUR;
  it.each<[string, number, number, number, number]>([
    ['a month on the grid, 1440 points: 30 minutes', 0, 30 * DAY, 1440, 30 * 60_000],
    [
      'the same month off the grid: one more bucket, so 31 minutes',
      60_000,
      30 * DAY + 60_000,
      1440,
      31 * 60_000,
    ],
    [
      'off the grid with room for the partial bucket: 30 minutes',
      60_000,
      30 * DAY + 60_000,
      1441,
      30 * 60_000,
    ],
  ])('%s', (_what, from, to, maxPoints, interval) => {
    const { history } = planHistoryQuery('db', { elevatorId: 'e1', from, to, fields: ['speed'], maxPoints });
    expect(history.intervalMs).toBe(interval);
    expect(bucketCount(from, to, interval)).toBeLessThanOrEqual(maxPoints);
  });
});

describe('shapeRows', () => {
  // [what, fields asked, grouped, rows as InfluxDB answers them, seed, expected]
  const cases: [
    string,
    HistoryField[],
    boolean,
    (number | null)[][],
    (number | null)[],
    (number | null)[][],
  ][] = [
    [
      'trips: the rise from the seed, then from row to row; run_count carried',
      ['trips', 'run_count'],
      true,
      [
        [1, 12],
        [2, null],
        [3, 15],
      ],
      [10],
      [
        [1, 2, 12],
        [2, 0, 12],
        [3, 3, 15],
      ],
    ],
    [
      'trips without a seed: unknown until the counter is seen twice',
      ['trips'],
      true,
      [
        [1, null],
        [2, 7],
        [3, 8],
      ],
      [],
      [
        [1, null],
        [2, null],
        [3, 1],
      ],
    ],
    [
      'a counter that falls (a new controller, a late point) counts 0, then rises again from there',
      ['trips'],
      true,
      [
        [1, 5],
        [2, 9],
      ],
      [100],
      [
        [1, 0],
        [2, 4],
      ],
    ],
    [
      'door cycles: null is 0, never carried; levels around them are carried',
      ['floor', 'door_cycles'],
      true,
      [
        [1, 3, 2],
        [2, null, null],
        [3, 4, 1],
      ],
      [2],
      [
        [1, 3, 2],
        [2, 3, 0],
        [3, 4, 1],
      ],
    ],
    [
      'raw rows as written: the trailing seq is dropped',
      ['door_cycles', 'speed'],
      false,
      [
        [1, 1, 0.5, 41],
        [2, null, null, 42],
      ],
      [0],
      [
        [1, 1, 0.5],
        [2, 0, 0.5],
      ],
    ],
  ];
  const peaks: [string, boolean, (number | null)[][], (number | null)[][]][] = [
    [
      'a bucket: its max or the speed held into it; an idle bucket after a trip is not the trip',
      true,
      [
        [1, null, null],
        [2, 1.6, 0],
        [3, null, null],
        [4, 0.8, 0.2],
      ],
      [
        [1, 1.5],
        [2, 1.6],
        [3, 0],
        [4, 0.8],
      ],
    ],
    [
      'raw rows: the reading, carried',
      false,
      [
        [1, 1.2, 1.2, 7],
        [2, null, null, 8],
      ],
      [
        [1, 1.2],
        [2, 1.2],
      ],
    ],
  ];
  it.each(peaks)('speed_max, %s', (_what, grouped, rows, expected) => {
    expect(shapeRows(rows, readFields(['speed_max']), [1.5], ['speed_max'], grouped)).toEqual(expected);
  });

  it.each(cases)('%s', (_what, fields, grouped, rows, seed, expected) => {
    expect(shapeRows(rows, readFields(fields), seed, fields, grouped)).toEqual(expected);
  });
});
