/**
 * Lift health through the API against a real influxd: the `health_daily` lines are the ones
 * the ingest's real health stage writes for recorded traces (a door operator slowing, steady
 * lifts, a lift with too little history), read back by the console routes. Checked: the
 * ranking puts the degrading lift first with its reasons in Chinese and an early visit, the
 * lift without enough data has no score, every day written comes back with its band, a
 * verified visit after the newest day moves the routine date, and another tenant's ids
 * answer exactly like missing ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInfluxSchema } from '../../ingest/influx-schema.ts';
import { silentLogger } from '../../lib/logger.ts';
import { ANJU_ELEVATOR, NOW, startTestApi, type TestApi, visitRow } from '../helpers/api-harness.ts';
import { startTestInflux } from '../helpers/fixtures.ts';
import { demoHealthPlans, healthDailyLines, writeLines } from '../helpers/health-days.ts';

const DATABASE = 'liftwatch_health';
const DAY = 86_400_000;

interface Summary {
  status: string;
  score: number | null;
  message: { zh: string; en: string } | null;
  reasons: { signal: string; component: { zh: string }; points: number; text: { zh: string; en: string } }[];
  trend: { d30: number | null; d90: number | null };
  recommendation: {
    latest_visit_date: string;
    due_in_days: number;
    early: boolean;
    component: { zh: string } | null;
    advice: { zh: string }[];
    last_verified_visit_at: number | null;
  };
}
interface Ranked {
  elevator_id: string;
  estate_id: string;
  attention: number;
  health: Summary | null;
}

describe('lift health API over InfluxDB', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let t: TestApi;
  let anju: string;
  let lines: Map<string, string[]>;

  beforeAll(async () => {
    influx = await startTestInflux();
    // INF: the harness clock is in 2025, older than a 30-day raw policy would keep.
    await ensureInfluxSchema({ url: influx.url, database: DATABASE, rawRetention: 'INF' }, silentLogger);
    lines = healthDailyLines(demoHealthPlans(NOW));
    await writeLines(influx.url, DATABASE, [...lines.values()].flat());
    t = await startTestApi({ deps: { influx: { url: influx.url, database: DATABASE } } });
    anju = await t.login('duty-anju');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await influx?.cleanup();
  });

  const get = (url: string, cookie = anju) => t.app.inject({ url, headers: { cookie } });

  it('ranks the firm’s lifts by need of attention: the slowing door first, with reasons in Chinese', async () => {
    const res = await get('/api/v1/health');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { today: string; items: Ranked[] };
    expect(body.today).toBe('2025-05-20');
    expect(body.items.every((i) => i.estate_id === 'lianhua' || i.estate_id === 'longgang')).toBe(true);
    const first = body.items[0]!;
    expect(first.elevator_id).toBe(ANJU_ELEVATOR);
    expect(first.health?.status).toBe('ok');
    expect(first.health?.score).toBeLessThan(100);
    expect(first.health?.reasons[0]?.signal).toBe('door_close_ms');
    expect(first.health?.reasons[0]?.text.zh).toMatch(/^关门时间比本梯常态慢 \d+%/);
    expect(first.health?.reasons[0]?.component.zh).toBe('门机系统');
    expect(first.health?.recommendation.early).toBe(true);
    expect(first.health?.recommendation.component?.zh).toBe('门机系统');
    expect(first.health?.recommendation.due_in_days).toBeLessThanOrEqual(3);
    expect(first.health?.recommendation.advice.map((a) => a.zh).join(' ')).toMatch(/提前维保：检查门机系统/);
    expect(first.health?.trend.d30).not.toBeNull();

    const steady = body.items.find((i) => i.elevator_id === 'lianhua-b1-e2')!;
    expect(steady.health?.score).toBe(100);
    expect(steady.health?.recommendation.early).toBe(false);
    expect(steady.health?.reasons).toEqual([]);

    const young = body.items.find((i) => i.elevator_id === 'lianhua-b2-e1')!;
    expect(young.health?.status).toBe('insufficient');
    expect(young.health?.score).toBeNull();
    expect(young.health?.message?.zh).toBe('数据不足，暂不评分');

    // Lifts the ingest has written nothing for come last, with no health.
    const silent = body.items.filter((i) => i.health === null);
    expect(silent.length).toBe(body.items.length - 3);
    expect(body.items.slice(-silent.length).every((i) => i.health === null)).toBe(true);
    const order = body.items.map((i) => i.attention);
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });

  it('one lift: every day written comes back, with each signal’s baseline band', async () => {
    const res = await get(`/api/v1/elevators/${ANJU_ELEVATOR}/health?days=90`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      health: Summary;
      scores: (number | null)[][];
      signals: { signal: string; label: { zh: string }; points: (number | null)[][] }[];
    };
    // Counted: what the stage wrote for this lift against what the route returns.
    expect(body.scores.length).toBe(lines.get(ANJU_ELEVATOR)!.length);
    const door = body.signals.find((s) => s.signal === 'door_close_ms')!;
    expect(door.label.zh).toBe('关门时间');
    expect(door.points.length).toBe(body.scores.length);
    const [, value, median, floor] = door.points.at(-1)!;
    expect(value! > median! + floor!).toBe(true);
    // Before the minimum history there is no band; once judged, the band sits around 3 s.
    expect(door.points[0]![2]).toBeNull();
    expect(door.points.filter((p) => p[2] !== null).length).toBeGreaterThan(10);
    expect(Math.abs(door.points.find((p) => p[2] !== null)![2]! - 3010)).toBeLessThan(20);
    expect(body.scores.filter((s) => s[1] !== null).length).toBeGreaterThan(10);
    expect(body.health.recommendation.early).toBe(true);
  });

  it('a verified visit after the newest day restarts the routine interval from that visit', async () => {
    const before = (await get('/api/v1/elevators/lianhua-b1-e2/health')).json() as { health: Summary };
    expect(before.health.recommendation.last_verified_visit_at).toBeNull();
    await t.db
      .insertInto('maintenance_visits')
      .values(
        visitRow({
          id: 'visit-health-1',
          elevator_id: 'lianhua-b1-e2',
          estate_id: 'lianhua',
          check_in_at: NOW - 3_600_000,
          check_out_at: NOW - 600_000,
        }),
      )
      .execute();
    const after = (await get('/api/v1/elevators/lianhua-b1-e2/health')).json() as { health: Summary };
    expect(after.health.recommendation.last_verified_visit_at).toBe(NOW - 3_600_000);
    expect(after.health.recommendation.latest_visit_date).toBe('2025-06-04');
    expect(after.health.recommendation.due_in_days).toBe(15);
    // A fake visit never counts.
    await t.db
      .insertInto('maintenance_visits')
      .values(
        visitRow({
          id: 'visit-health-2',
          elevator_id: 'lianhua-b2-e1',
          estate_id: 'lianhua',
          check_in_at: NOW - 3_600_000,
          verdict: 'fake',
        }),
      )
      .execute();
    const young = (await get('/api/v1/elevators/lianhua-b2-e1/health')).json() as { health: Summary };
    expect(young.health.recommendation.last_verified_visit_at).toBeNull();
  });

  it('an estate ranks its own lifts; the committee reads its estate; a technician may not', async () => {
    const res = await get('/api/v1/estates/lianhua/health', await t.login('committee-lianhua'));
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: Ranked[] }).items;
    expect(items.every((i) => i.estate_id === 'lianhua')).toBe(true);
    expect(items[0]!.elevator_id).toBe(ANJU_ELEVATOR);
    const tech = await get('/api/v1/estates/lianhua/health', await t.login('tech-wang'));
    expect(tech.statusCode).toBe(403);
  });

  it('another tenant’s estate or lift answers exactly like a missing one', async () => {
    for (const [foreign, missing] of [
      ['/api/v1/estates/xiangmi/health', '/api/v1/estates/nowhere/health'],
      ['/api/v1/elevators/xiangmi-b1-e1/health', '/api/v1/elevators/nowhere-e1/health'],
    ] as const) {
      const a = await get(foreign);
      const b = await get(missing);
      expect(a.statusCode).toBe(404);
      expect(b.statusCode).toBe(404);
      expect(a.json().code).toBe('NOT_FOUND');
      expect(b.json().code).toBe('NOT_FOUND');
      expect(a.json().message.replace(/Estate|Elevator/, '')).toBe(
        b.json().message.replace(/Estate|Elevator/, ''),
      );
    }
    const hexin = await get('/api/v1/elevators/xiangmi-b1-e1/health', await t.login('duty-hexin'));
    expect(hexin.statusCode).toBe(200);
    expect((hexin.json() as { health: Summary }).health.score).toBe(100);
  });

  it('the resident QR page says the health state in one plain line, no score or code', async () => {
    const line = async (id: string, lang = 'zh') => {
      const res = await t.app.inject({ url: `/e/${await t.tokenOf(id)}?lang=${lang}` });
      expect(res.statusCode).toBe(200);
      return /<p class="health[^"]*" id="health"[^>]*>([^<]*)<\/p>/.exec(res.body)?.[1] ?? null;
    };
    expect(await line(ANJU_ELEVATOR)).toBe('设备健康：电梯门需要检查，已要求维保单位提前上门');
    expect(await line(ANJU_ELEVATOR, 'en')).toBe(
      'Lift health: The doors need a check; the maintenance firm has been asked to come early',
    );
    expect(await line('lianhua-b1-e2')).toBe('设备健康：良好，各项运行指标正常');
    expect(await line('lianhua-b2-e1')).toBe('设备健康：正在积累运行数据，暂无评估');
    // Nothing written for this lift: no line rather than a guess.
    expect(await line('longgang-b1-e1')).toBeNull();
  });

  it('answers 503 without InfluxDB, not a 500', async () => {
    const bare = await startTestApi();
    try {
      const res = await bare.app.inject({
        url: '/api/v1/health',
        headers: { cookie: await bare.login('duty-anju') },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('NOT_READY');
    } finally {
      await bare.close();
    }
  });
});

// The days themselves: guard against a plan that writes nothing.
it('the health plans cover the minimum history', () => {
  const lines = healthDailyLines(demoHealthPlans(NOW));
  // 41 days reported: the 40 before today closed and written, today still open.
  expect(lines.get(ANJU_ELEVATOR)!.length).toBe(40);
  expect(Math.max(...lines.get(ANJU_ELEVATOR)!.map((l) => Number(l.split(' ').at(-1))))).toBe(
    Date.parse('2025-05-19T00:00:00+08:00'),
  );
  expect(NOW - Date.parse('2025-05-19T00:00:00+08:00')).toBeLessThan(2 * DAY);
});
