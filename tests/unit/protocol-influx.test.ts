/**
 * The storage names in protocol/influx.ts against what the ingest really writes: every
 * measurement and raw field a reader may ask for is in the line protocol the ingest builds,
 * with the tags it names, and every aggregate field is one the continuous queries write.
 */
import { describe, expect, it } from 'vitest';
import {
  eventLine,
  maintenanceLine,
  statusLine,
  tagSuffix,
  telemetryLine,
  telemetryMarks,
} from '../../ingest/points.ts';
import { loadConfig } from '../../lib/config.ts';
import {
  AGGREGATE_FIELDS,
  AGGREGATES,
  continuousQueries,
  INFLUX_DEFAULT_DATABASE,
  influxSeries,
  MEASUREMENTS,
  POINT_TAGS,
  RAW_FIELDS,
  RETENTION_POLICIES,
} from '../../protocol/index.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

const TAGS = tagSuffix({ estate: 'e', building: 'b', elevator: 'x' });
/** The field keys of a line (strings may hold commas and equals signs; the tests' do not). */
const fieldsOf = (line: string) =>
  line
    .split(' ')[1]!
    .split(',')
    .map((kv) => kv.split('=')[0]);

describe('InfluxDB storage names', () => {
  it('tags every point with the names readers filter by', () => {
    expect(TAGS).toBe(`,${POINT_TAGS.estate}=e,${POINT_TAGS.building}=b,${POINT_TAGS.elevator}=x`);
  });

  it('writes every raw field a reader may select, in the measurement it is named under', () => {
    const closed = telemetrySample({ load_kg: 5, vibration_mg: 9 });
    const opening = { ...closed, door_closed: false, seq: closed.seq + 1 };
    const lines = {
      telemetry: telemetryLine(opening, TAGS, telemetryMarks(opening, closed)),
      event: eventLine({ v: 1, ts: closed.ts, seq: 1, code: 'door_close_fault', detail: { n: 1 } }, TAGS),
      maintenance: maintenanceLine(
        {
          v: 1,
          ts: closed.ts,
          seq: 2,
          action: 'check_in',
          visit_id: 'v',
          technician_id: 't',
          company_id: 'c',
          kind: 'half_monthly',
          method: 'nfc',
        },
        TAGS,
      ),
      status: statusLine({ v: 1, ts: closed.ts, seq: 3, state: 'online' }, TAGS),
    } as const;
    for (const channel of ['telemetry', 'event', 'maintenance', 'status'] as const) {
      const line = lines[channel];
      expect(line.startsWith(`${MEASUREMENTS[channel]},`), channel).toBe(true);
      expect(fieldsOf(line)).toEqual(expect.arrayContaining(Object.values(RAW_FIELDS[channel])));
    }
  });

  it('rolls up into the aggregates the readers name', () => {
    const cqs = continuousQueries('db');
    expect(Object.keys(cqs).sort()).toEqual(Object.values(AGGREGATES).sort());
    for (const [key, name] of Object.entries(AGGREGATES) as [keyof typeof AGGREGATES, string][]) {
      const cq = cqs[name]!;
      expect(cq).toContain(`INTO ${influxSeries('db', RETENTION_POLICIES.aggregates, name)} FROM`);
      for (const field of Object.values(AGGREGATE_FIELDS[key])) expect(cq).toContain(` AS ${field}`);
    }
  });

  it('is the configuration default database', () => {
    expect(loadConfig({}).INFLUX_DATABASE).toBe(INFLUX_DEFAULT_DATABASE);
  });
});
