/**
 * History against a real influxd: raw points written by exception with the ingest's own
 * line builder (one keyframe, then only what changed), 1-minute aggregates written as the
 * continuous query names them with fields only in some minutes, then read back through the
 * route at an hour, a capped hour, three hours and a month. Values must be carried forward,
 * from before the range too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGGREGATE_MEASUREMENT,
  AGGREGATE_POLICY,
  HISTORY_FIELDS,
  RAW_MEASUREMENT,
  RAW_POLICY,
} from '../../api/data/history.ts';
import { newElevatorState } from '../../ingest/elevator-state.ts';
import * as schema from '../../ingest/influx-schema.ts';
import { MEASUREMENTS, tagSuffix, telemetryLine, telemetryPointLine } from '../../ingest/points.ts';
import { silentLogger } from '../../lib/logger.ts';
import { ANJU_ELEVATOR, HEXIN_ELEVATOR, NOW, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { startTestInflux, telemetrySample } from '../helpers/fixtures.ts';

const DATABASE = 'liftwatch_history';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Speed as a function of time, so every answer can be checked. */
const speedAt = (t: number) => (t / 1000) % 10;
/** Floor holds for 7 minutes at a time: most points do not carry it. */
const floorAt = (seq: number) => 1 + (Math.floor(seq / 420) % 18);
/** Aggregates: floor and load are in one minute of five only (the keyframe minutes). */
const keyframeMinute = (t: number) => (t / MIN) % 5 === 0;

async function write(url: string, rp: string, lines: string[]): Promise<void> {
  const res = await fetch(`${url}/write?db=${DATABASE}&rp=${rp}&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  if (res.status !== 204) throw new Error(`write ${rp}: ${res.status} ${await res.text()}`);
}

describe('elevator history from InfluxDB', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let t: TestApi;
  let anju: string;
  const start = NOW - 2 * HOUR;

  beforeAll(async () => {
    influx = await startTestInflux();
    // INF: the test clock is in 2025, older than a 30-day raw policy would keep.
    await schema.ensureInfluxSchema(
      { url: influx.url, database: DATABASE, rawRetention: 'INF' },
      silentLogger,
    );
    const raw: string[] = [];
    for (const [elevator, estate] of [
      [ANJU_ELEVATOR, 'lianhua'],
      [HEXIN_ELEVATOR, 'xiangmi'],
    ] as const) {
      const tags = tagSuffix({ estate, building: `${estate}-b1`, elevator });
      // A keyframe interval longer than the data: only the first point has every field.
      const w = newElevatorState({ id: elevator } as never).telemetryWrite;
      for (let ts = start, seq = 1; ts < NOW; ts += 1000, seq++) {
        const sample = telemetrySample({
          ts,
          seq,
          speed_mps: speedAt(ts),
          floor: floorAt(seq),
          load_kg: 320,
        });
        raw.push(telemetryPointLine(sample, tags, w, 3 * HOUR));
      }
    }
    await write(influx.url, RAW_POLICY, raw);
    const tags = tagSuffix({ estate: 'lianhua', building: 'lianhua-b1', elevator: ANJU_ELEVATOR });
    const minutes: string[] = [];
    for (let ts = NOW - 31 * DAY; ts < NOW; ts += MIN) {
      const sparse = keyframeMinute(ts) ? ',floor_last=7i,load_max=300' : '';
      minutes.push(
        `${AGGREGATE_MEASUREMENT}${tags} speed_last=1.5,speed_max=2.5,run_count_max=${ts / MIN}i,vibration_max=12,samples=60i${sparse} ${ts}`,
      );
    }
    await write(influx.url, AGGREGATE_POLICY, minutes);
    t = await startTestApi({ deps: { influx: { url: influx.url, database: DATABASE } } });
    anju = await t.login('duty-anju');
  });
  afterAll(async () => {
    await t?.close();
    await influx?.cleanup();
  });

  const history = (id: string, query: string) =>
    t.app.inject({ url: `/api/v1/elevators/${id}/history?${query}`, headers: { cookie: anju } });

  it('reads the names the ingest writes', () => {
    expect(RAW_POLICY).toBe(schema.RAW_POLICY);
    expect(AGGREGATE_POLICY).toBe(schema.AGGREGATE_POLICY);
    expect(RAW_MEASUREMENT).toBe(MEASUREMENTS.telemetry);
    const cq = schema.continuousQueries(DATABASE)[AGGREGATE_MEASUREMENT]!;
    for (const f of Object.values(HISTORY_FIELDS)) {
      expect(cq).toContain(`AS ${f.aggregate}`);
      expect(telemetryLine(telemetrySample({ load_kg: 1, vibration_mg: 1 }), '')).toContain(`${f.raw}=`);
    }
  });

  it('the raw points really are sparse: most carry only seq and speed', async () => {
    const res = await fetch(
      `${influx.url}/query?db=${DATABASE}&epoch=ms&q=${encodeURIComponent(`SELECT count("seq"), count("floor"), count("load_kg") FROM "${RAW_POLICY}"."${RAW_MEASUREMENT}" WHERE "elevator" = '${ANJU_ELEVATOR}'`)}`,
    );
    const answer = (await res.json()) as { results: { series: { values: number[][] }[] }[] };
    const [, seqs, floors, loads] = answer.results[0]!.series[0]!.values[0]!;
    expect(seqs).toBe(7200);
    expect(floors).toBeLessThan(30);
    expect(loads).toBe(1);
  });

  it('answers one row per message for half an hour, every field carried forward', async () => {
    const from = NOW - 30 * MIN;
    const res = await history(ANJU_ELEVATOR, `from=${from}&to=${NOW}&fields=speed,floor,load`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      source: 'raw',
      interval_ms: null,
      columns: ['t', 'speed', 'floor', 'load'],
    });
    expect(body.points).toHaveLength(1800);
    expect(body.truncated).toBe(false);
    const [t0, speed] = body.points[0];
    expect(t0).toBe(from);
    expect(speed).toBeCloseTo(speedAt(t0));
    // Floor last changed before the range and load only in the keyframe two hours ago.
    for (const [t, , floor, load] of body.points) {
      expect(floor).toBe(floorAt((t - start) / 1000 + 1));
      expect(load).toBe(320);
    }
  });

  it('buckets raw points when an hour would exceed the cap', async () => {
    const body = (
      await history(ANJU_ELEVATOR, `from=${NOW - HOUR}&to=${NOW}&fields=speed_max&max_points=100`)
    ).json();
    expect(body).toMatchObject({ source: 'raw', interval_ms: 36_000 });
    expect(body.points.length).toBeLessThanOrEqual(101);
    expect(body.points.length).toBeGreaterThanOrEqual(100);
    for (const [, max] of body.points) expect(max).toBeCloseTo(9);
  });

  it('answers 1-minute aggregates for three hours, carrying sparse fields forward', async () => {
    // Starts two minutes after a keyframe minute: floor and load come from before the range.
    const from = NOW - 3 * HOUR + 2 * MIN;
    expect(keyframeMinute(from - 2 * MIN)).toBe(true);
    const body = (await history(ANJU_ELEVATOR, `from=${from}&to=${NOW}&fields=speed,floor,load`)).json();
    expect(body).toMatchObject({
      source: 'aggregates',
      interval_ms: MIN,
      columns: ['t', 'speed', 'floor', 'load'],
    });
    expect(body.points).toHaveLength(178);
    for (const [i, point] of body.points.entries()) expect(point).toEqual([from + i * MIN, 1.5, 7, 300]);
  });

  it('widens the buckets of a month to stay under the server cap', async () => {
    const body = (
      await history(ANJU_ELEVATOR, `from=${NOW - 30 * DAY}&to=${NOW}&fields=speed,run_count`)
    ).json();
    // 30 days / 2000 points = 21.6 min, rounded up to whole minutes.
    expect(body).toMatchObject({ source: 'aggregates', interval_ms: 22 * MIN, truncated: false });
    expect(body.points.length).toBeLessThanOrEqual(2000);
    expect(body.points.length).toBeGreaterThan(1900);
    expect(body.points[1][1]).toBeCloseTo(1.5);
  });

  it('keeps tenants apart and refuses bad ranges and fields with a 4xx', async () => {
    expect((await history(HEXIN_ELEVATOR, `from=${NOW - HOUR}&to=${NOW}`)).statusCode).toBe(404);
    expect((await history('no-such-car', `from=${NOW - HOUR}&to=${NOW}`)).statusCode).toBe(404);
    const bad = await history(ANJU_ELEVATOR, `from=${NOW}&to=${NOW - HOUR}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/before/);
    expect((await history(ANJU_ELEVATOR, 'fields=speed,password')).json()).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/Unknown fields password/),
    });
    expect((await history(ANJU_ELEVATOR, `from=0&to=${NOW}`)).statusCode).toBe(400);
    expect((await history(ANJU_ELEVATOR, "fields=speed'--")).statusCode).toBe(400);
  });

  it('answers 503 when no InfluxDB is configured', async () => {
    const bare = await startTestApi();
    try {
      const cookie = await bare.login('duty-anju');
      const res = await bare.app.inject({
        url: `/api/v1/elevators/${ANJU_ELEVATOR}/history`,
        headers: { cookie },
      });
      expect(res.statusCode).toBe(503);
    } finally {
      await bare.close();
    }
  });
});
