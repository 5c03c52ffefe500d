/**
 * History against a real influxd: raw points written by exception with the ingest's own
 * line builder (one keyframe, then only what changed), 1-minute aggregates written as the
 * continuous query names them with fields only in some minutes, then read back through the
 * route at an hour, a capped hour, three hours and a month. Values must be carried forward,
 * from before the range too. The car makes a trip every 7 minutes and opens its doors twice
 * in each, so trips and door cycles are checked per row and per bucket against that
 * schedule, raw and rolled up by the real continuous query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_FIELDS } from '../../api/data/history.ts';
import { newElevatorState } from '../../ingest/elevator-state.ts';
import * as schema from '../../ingest/influx-schema.ts';
import { tagSuffix, telemetryLine, telemetryMarks, telemetryPointLine } from '../../ingest/points.ts';
import { silentLogger } from '../../lib/logger.ts';
import { AGGREGATES, continuousQueries, MEASUREMENTS, RETENTION_POLICIES } from '../../protocol/index.ts';
import { ANJU_ELEVATOR, HEXIN_ELEVATOR, NOW, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { startTestInflux, telemetrySample } from '../helpers/fixtures.ts';

const DATABASE = 'liftwatch_history';
const RAW_POLICY = RETENTION_POLICIES.raw;
const AGGREGATE_POLICY = RETENTION_POLICIES.aggregates;
const RAW_MEASUREMENT = MEASUREMENTS.telemetry;
const AGGREGATE_MEASUREMENT = AGGREGATES.telemetry1m;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Speed as a function of time, so every answer can be checked. */
const speedAt = (t: number) => (t / 1000) % 10;
/** Floor holds for 7 minutes at a time: most points do not carry it. */
const floorAt = (seq: number) => 1 + (Math.floor(seq / 420) % 18);
/** Aggregates: floor and load are in one minute of five only (the keyframe minutes). */
const keyframeMinute = (t: number) => (t / MIN) % 5 === 0;
/** A trip starts as the floor changes: the run counter counts it. */
const TRIP_EVERY = 420;
const runCountAt = (seq: number) => 1000 + Math.floor(seq / TRIP_EVERY);
const isTrip = (seq: number) => seq % TRIP_EVERY === 0;
/** Doors open 5 s after each trip for 20 s, and again at +200 s for 10 s (a hall call). */
const doorOpenAt = (seq: number) => {
  const r = seq % TRIP_EVERY;
  return (r >= 5 && r < 25) || (r >= 200 && r < 210);
};
const isOpening = (seq: number) => seq % TRIP_EVERY === 5 || seq % TRIP_EVERY === 200;
/** Aggregates: two door openings in one minute of three. */
const doorMinute = (t: number) => (t / MIN) % 3 === 0;

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
  let hexin: string;
  const start = NOW - 2 * HOUR;
  const SEQS = 2 * 3600;
  const tsOf = (seq: number) => start + (seq - 1) * 1000;
  const seqAt = (t: number) => (t - start) / 1000 + 1;
  /** How many messages in [a, b) are `what`: the ground truth for a row or bucket. */
  const countIn = (what: (seq: number) => boolean, a: number, b: number) => {
    let n = 0;
    for (let seq = 1; seq <= SEQS; seq++) if (tsOf(seq) >= a && tsOf(seq) < b && what(seq)) n++;
    return n;
  };

  beforeAll(async () => {
    influx = await startTestInflux();
    // INF: the test clock is in 2025, older than a 30-day raw policy would keep.
    await schema.ensureInfluxSchema(
      { url: influx.url, database: DATABASE, rawRetention: 'INF' },
      silentLogger,
    );
    const raw: string[] = [];
    // Lianhua's car: a keyframe interval longer than the data, so only the first point has
    // every field. Xiangmi's: a keyframe every 37 s (out of step with the trips), so some
    // keyframes repeat door_closed=F while the doors stand open: door cycles must not count those.
    for (const [elevator, estate, keyframeMs] of [
      [ANJU_ELEVATOR, 'lianhua', 3 * HOUR],
      [HEXIN_ELEVATOR, 'xiangmi', 37_000],
    ] as const) {
      const tags = tagSuffix({ estate, building: `${estate}-b1`, elevator });
      const w = newElevatorState({ id: elevator } as never);
      for (let seq = 1; seq <= SEQS; seq++) {
        const ts = tsOf(seq);
        const sample = telemetrySample({
          ts,
          seq,
          speed_mps: speedAt(ts),
          floor: floorAt(seq),
          load_kg: 320,
          run_count: runCountAt(seq),
          door_closed: !doorOpenAt(seq),
        });
        raw.push(telemetryPointLine(sample, tags, w, keyframeMs));
      }
    }
    await write(influx.url, RAW_POLICY, raw);
    const tags = tagSuffix({ estate: 'lianhua', building: 'lianhua-b1', elevator: ANJU_ELEVATOR });
    const minutes: string[] = [];
    for (let ts = NOW - 31 * DAY; ts < NOW; ts += MIN) {
      const sparse =
        (keyframeMinute(ts) ? ',floor_last=7i,load_max=300' : '') + (doorMinute(ts) ? ',door_opens=2i' : '');
      minutes.push(
        `${AGGREGATE_MEASUREMENT}${tags} speed_last=1.5,speed_max=2.5,run_count_max=${ts / MIN}i,vibration_max=12,samples=60i${sparse} ${ts}`,
      );
    }
    await write(influx.url, AGGREGATE_POLICY, minutes);
    t = await startTestApi({ deps: { influx: { url: influx.url, database: DATABASE } } });
    anju = await t.login('duty-anju');
    hexin = await t.login('duty-hexin');
  });
  afterAll(async () => {
    await t?.close();
    await influx?.cleanup();
  });

  const history = (id: string, query: string, cookie = anju) =>
    t.app.inject({ url: `/api/v1/elevators/${id}/history?${query}`, headers: { cookie } });
  const influxQuery = async (q: string) => {
    const res = await fetch(`${influx.url}/query?db=${DATABASE}&epoch=ms&q=${encodeURIComponent(q)}`, {
      method: 'POST',
    });
    const answer = (await res.json()) as { results: { error?: string; series?: { values: number[][] }[] }[] };
    if (answer.results[0]?.error) throw new Error(answer.results[0].error);
    return answer.results[0]?.series?.[0]?.values ?? [];
  };

  it('reads the names the ingest writes', () => {
    expect(schema.RAW_POLICY).toBe(RAW_POLICY);
    expect(tagSuffix({ estate: 'e', building: 'b', elevator: 'x' })).toBe(',estate=e,building=b,elevator=x');
    const cq = continuousQueries(DATABASE)[AGGREGATE_MEASUREMENT]!;
    const closed = telemetrySample({ load_kg: 1, vibration_mg: 1 });
    const opening = telemetryLine(
      { ...closed, door_closed: false },
      '',
      telemetryMarks({ ...closed, door_closed: false }, closed),
    );
    for (const f of Object.values(HISTORY_FIELDS)) {
      // Trips are read through the run counter, itself a field here.
      if (f.kind === 'increase') continue;
      expect(cq).toContain(`AS ${f.aggregate}`);
      expect(opening).toContain(`${f.raw}=`);
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

  it('answers the top speed of a raw row as its reading', async () => {
    const from = NOW - 10 * MIN;
    const body = (await history(ANJU_ELEVATOR, `from=${from}&to=${NOW}&fields=speed_max,speed`)).json();
    expect(body).toMatchObject({ source: 'raw', interval_ms: null, columns: ['t', 'speed_max', 'speed'] });
    expect(body.points).toHaveLength(600);
    for (const [t, top, speed] of body.points) expect([t, top, speed]).toEqual([t, speedAt(t), speedAt(t)]);
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

  it('counts trips and door cycles per message, the first trip from the counter before the range', async () => {
    // Starts on a trip: row 0 can only count it against the run counter's value before `from`.
    const from = tsOf(10 * TRIP_EVERY);
    const to = from + 30 * MIN;
    const body = (
      await history(ANJU_ELEVATOR, `from=${from}&to=${to}&fields=trips,door_cycles,run_count`)
    ).json();
    expect(body).toMatchObject({
      source: 'raw',
      interval_ms: null,
      columns: ['t', 'trips', 'door_cycles', 'run_count'],
    });
    expect(body.points).toHaveLength(1800);
    expect(body.points[0]).toEqual([from, 1, 0, runCountAt(10 * TRIP_EVERY)]);
    for (const [t, trips, doors, runCount] of body.points) {
      const seq = seqAt(t);
      expect([seq, trips, doors, runCount]).toEqual([
        seq,
        isTrip(seq) ? 1 : 0,
        isOpening(seq) ? 1 : 0,
        runCountAt(seq),
      ]);
    }
    const sum = (i: number) => body.points.reduce((n: number, row: number[]) => n + row[i]!, 0);
    expect(sum(1)).toBe(countIn(isTrip, from, to));
    expect(sum(2)).toBe(countIn(isOpening, from, to));
    expect(sum(2)).toBeGreaterThan(sum(1));
  });

  it('adds trips and door cycles up per bucket when an hour exceeds the cap', async () => {
    const from = NOW - HOUR;
    const body = (
      await history(ANJU_ELEVATOR, `from=${from}&to=${NOW}&fields=trips,door_cycles&max_points=100`)
    ).json();
    expect(body).toMatchObject({ source: 'raw', interval_ms: 36_000 });
    for (const [t, trips, doors] of body.points) {
      const [a, b] = [Math.max(t, from), t + 36_000];
      expect([t, trips, doors]).toEqual([t, countIn(isTrip, a, b), countIn(isOpening, a, b)]);
    }
    const trips = body.points.reduce((n: number, row: number[]) => n + row[1]!, 0);
    expect(trips).toBe(countIn(isTrip, from, NOW));
    expect(trips).toBeGreaterThan(5);
  });

  it('does not count the door state a keyframe repeats as a door cycle', async () => {
    // Xiangmi's car keyframes every 37 s: door_closed=F is written more often than the doors open.
    const [[, writtenOpen] = []] = await influxQuery(
      `SELECT count("door_closed") FROM "${RAW_POLICY}"."${RAW_MEASUREMENT}" WHERE "elevator" = '${HEXIN_ELEVATOR}' AND "door_closed" = false`,
    );
    const openings = countIn(isOpening, start, NOW);
    expect(writtenOpen).toBeGreaterThan(openings);
    for (const [from, query] of [
      [NOW - 30 * MIN, ''],
      [NOW - HOUR, '&max_points=100'],
    ] as const) {
      const body = (
        await history(HEXIN_ELEVATOR, `from=${from}&to=${NOW}&fields=door_cycles${query}`, hexin)
      ).json();
      const doors = body.points.reduce((n: number, row: number[]) => n + row[1]!, 0);
      expect(doors).toBe(countIn(isOpening, from, NOW));
    }
  });

  it('counts a trip per minute and the door openings of each minute from the aggregates', async () => {
    const from = NOW - 3 * HOUR;
    const body = (await history(ANJU_ELEVATOR, `from=${from}&to=${NOW}&fields=trips,door_cycles`)).json();
    expect(body).toMatchObject({
      source: 'aggregates',
      interval_ms: MIN,
      columns: ['t', 'trips', 'door_cycles'],
    });
    expect(body.points).toHaveLength(180);
    // run_count_max is the minute's number: it rises by one a minute, from before the range too.
    for (const [t, trips, doors] of body.points)
      expect([t, trips, doors]).toEqual([t, 1, doorMinute(t) ? 2 : 0]);
  });

  it('adds the aggregates up into the wide buckets of a month', async () => {
    const from = NOW - 30 * DAY;
    const body = (await history(ANJU_ELEVATOR, `from=${from}&to=${NOW}&fields=trips,door_cycles`)).json();
    expect(body).toMatchObject({ source: 'aggregates', interval_ms: 22 * MIN });
    const minutes = (a: number, b: number, keep: (t: number) => boolean = () => true) => {
      let n = 0;
      for (let m = Math.ceil(a / MIN) * MIN; m < Math.min(b, NOW); m += MIN) if (keep(m)) n++;
      return n;
    };
    for (const [t, trips, doors] of body.points) {
      const [a, b] = [Math.max(t, from), t + 22 * MIN];
      expect([t, trips, doors]).toEqual([t, minutes(a, b), 2 * minutes(a, b, doorMinute)]);
    }
    const trips = body.points.reduce((n: number, row: number[]) => n + row[1]!, 0);
    expect(trips).toBe(30 * 24 * 60);
  });

  it("the continuous query's roll-up of the raw points gives the same trips and door cycles", async () => {
    // What the CQ runs every minute, run once over the past two hours (InfluxDB's backfill).
    const cq = continuousQueries(DATABASE)[AGGREGATE_MEASUREMENT]!;
    const where = ` WHERE "elevator" = '${HEXIN_ELEVATOR}' AND time >= ${start}ms AND time < ${NOW}ms GROUP BY`;
    await influxQuery(cq.replace(' GROUP BY', where));
    const from = NOW - 3 * HOUR;
    const body = (
      await history(HEXIN_ELEVATOR, `from=${from}&to=${NOW}&fields=trips,door_cycles,run_count`, hexin)
    ).json();
    expect(body).toMatchObject({ source: 'aggregates', interval_ms: MIN });
    expect(body.points).toHaveLength(180);
    for (const [t, trips, doors, runCount] of body.points) {
      if (t < start) {
        // Before the car's first point: nothing known, nothing counted.
        expect([t, trips, doors, runCount]).toEqual([t, null, 0, null]);
        continue;
      }
      // The first minute with data has no earlier counter to rise from.
      const expectedTrips = t === start ? null : countIn(isTrip, t, t + MIN);
      expect([t, trips, doors, runCount]).toEqual([
        t,
        expectedTrips,
        countIn(isOpening, t, t + MIN),
        runCountAt(seqAt(t + MIN - 1000)),
      ]);
    }
    const sum = (i: number) => body.points.reduce((n: number, row: number[]) => n + (row[i] ?? 0), 0);
    expect(sum(1)).toBe(countIn(isTrip, start, NOW));
    expect(sum(2)).toBe(countIn(isOpening, start, NOW));
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
