/**
 * Baselines, score and recommendation (issue 16, items 2 and 3): median and MAD over the
 * lift's own window, no score before the minimum history ("not enough data yet"), reasons
 * in Chinese and English, the next visit never beyond the regulator's bound, fake visits
 * never counting, an early visit when a component degrades.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Level,
  MIN_HISTORY_DAYS,
  medianOf,
  pushDay,
  RING_SLOTS,
  signalLevel,
  WINDOW_DAYS,
} from '../../ingest/health/baseline.ts';
import {
  type HealthReason,
  judgeLevel,
  RECOMMENDATION_DEFAULTS,
  recommend,
  recommendationLimits,
  trendPer30Days,
} from '../../ingest/health/score.ts';
import { JUDGED } from '../../ingest/health/signals.ts';
import { type HealthDay, HealthTable } from '../../ingest/health/table.ts';
import { FLOOR_M, HealthTrace } from '../helpers/health-trace.ts';

const K_DOOR = JUDGED.indexOf('door_close_ms');

function ringOf(days: number[]): { ring: Int16Array; head: number } {
  const ring = new Int16Array(RING_SLOTS);
  let head = 0;
  const values = new Float64Array(JUDGED.length).fill(Number.NaN);
  for (const d of days) {
    values[K_DOOR] = d;
    head = pushDay(ring, 0, head, values);
  }
  return { ring, head };
}

function levelOf(days: number[]): Level | null {
  const { ring, head } = ringOf(days);
  return signalLevel(
    ring,
    0,
    head,
    Math.min(days.length, WINDOW_DAYS),
    K_DOOR,
    new Float64Array(WINDOW_DAYS),
    {
      recent: 0,
      median: 0,
      sigma: 0,
      n: 0,
    },
  );
}

describe('baseline: median and MAD over the lift’s own window', () => {
  it('medianOf, odd and even', () => {
    expect(medianOf(Float64Array.from([5, 1, 3]), 0, 3)).toBe(3);
    expect(medianOf(Float64Array.from([4, 1, 3, 2]), 0, 4)).toBe(2.5);
  });

  it('recent level = median of the newest 5 days, baseline = median and MAD×1.4826 of the older ones', () => {
    const older = [3000, 3010, 2990, 3020, 2980, 3000, 3005, 2995, 3000, 3040, 2960, 3000, 3000, 3000, 3000];
    const level = levelOf([...older, 3900, 4000, 4100, 4000, 3950])!;
    expect(level.recent).toBe(4000);
    expect(level.median).toBe(3000);
    expect(level.sigma).toBeCloseTo(1.4826 * 5, 6);
    expect(level.n).toBe(older.length);
  });

  it('the window rolls: days older than 28 are forgotten', () => {
    const level = levelOf([...Array(30).fill(9000), ...Array(28).fill(3000)])!;
    expect(level.median).toBe(3000);
  });

  it('no level before the minimum history', () => {
    expect(levelOf(Array(MIN_HISTORY_DAYS - 1).fill(3000))).toBeNull();
    expect(levelOf(Array(MIN_HISTORY_DAYS).fill(3000))).not.toBeNull();
  });
});

describe('score reasons', () => {
  it('a door closing 38% slower than usual costs points, explained in Chinese and English', () => {
    const reason = judgeLevel('door_close_ms', { recent: 4140, median: 3000, sigma: 20, n: 20 })!;
    expect(reason.zh).toMatch(/^关门时间比本梯常态慢 38%/);
    expect(reason.en).toMatch(/^Doors close 38% slower than this lift's usual/);
    expect(reason.component).toBe('door_operator');
    expect(reason.pointsLost).toBeGreaterThan(0);
  });

  it('ordinary variation costs nothing: within 3σ, or under the practical floor', () => {
    expect(judgeLevel('door_close_ms', { recent: 3200, median: 3000, sigma: 10, n: 20 })).toBeNull();
    expect(judgeLevel('door_dwell_s', { recent: 9, median: 6, sigma: 1.5, n: 20 })).toBeNull();
  });
});

/** Days of identical healthy traffic through the real table; `door(d)` sets the door closing time of day d. */
function runDays(days: number, door: (d: number) => number, visits: [number, 'verified' | 'fake'][] = []) {
  const table = new HealthTable([{ id: 'e1', ratedSpeedMps: 1.75, floorHeightM: FLOOR_M, thresholds: {} }]);
  const out: HealthDay[] = [];
  for (let d = 0; d <= days; d++) {
    const t = new HealthTrace('e1').at(d, 9);
    for (let i = 0; i < 24; i++) t.trip({ doorCloseMs: door(d) + (i % 3) * 10 });
    for (const [vd, verdict] of visits) if (vd === d) table.onVisit(0, t.ts, verdict, 'half_monthly');
    for (const m of t.messages) {
      const closed = table.feed(0, m, null);
      if (closed) out.push(closed);
    }
  }
  return out;
}

describe('health table: not enough data yet, then a score', () => {
  it('says "not enough data yet" and never scores before 14 days, then scores 100 on a steady lift', () => {
    const days = runDays(16, () => 3000);
    for (const d of days.slice(0, MIN_HISTORY_DAYS - 1)) {
      expect(d.report.status).toBe('insufficient');
      expect(d.report.score).toBeNull();
      expect(d.report.message?.en).toBe('not enough data yet');
      expect(d.report.message?.zh).toBe('数据不足，暂不评分');
    }
    const judged = days.slice(MIN_HISTORY_DAYS - 1);
    expect(judged.length).toBeGreaterThan(0);
    for (const d of judged) expect(d.report.score).toBe(100);
  });

  it('a slowing door operator asks for an early visit, naming the component', () => {
    const days = runDays(30, (d) => (d < 20 ? 3000 : 3000 + (d - 19) * 200));
    const last = days.at(-1)!;
    expect(last.report.score).toBeLessThan(100);
    expect(last.report.reasons[0]!.signal).toBe('door_close_ms');
    expect(last.report.recommendation.early).toBe(true);
    expect(last.report.recommendation.component).toBe('door_operator');
    expect(last.report.recommendation.latestVisitDay - last.day).toBeLessThanOrEqual(
      RECOMMENDATION_DEFAULTS.earlyVisitDays,
    );
    expect(last.report.recommendation.reasons.map((r) => r.zh).join(' ')).toMatch(/提前维保：检查门机系统/);
    const early = days.filter((d) => d.report.recommendation.early);
    expect(early[0]!.day).toBeGreaterThan(days[0]!.day + 19);
  });

  it('the trend over 30 days is negative while a component degrades', () => {
    const days = runDays(45, (d) => (d < 25 ? 3000 : 3000 + (d - 24) * 150));
    expect(days.at(-1)!.report.trend.d30).toBeLessThan(0);
  });

  it('a door that fails within days: the 30-day trend is no larger than the fall the scores show', () => {
    const days = runDays(30, (d) => (d < 20 ? 3000 : 3000 + (d - 19) * 900));
    const scored = days.filter((d) => d.report.score !== null);
    for (const [k, d] of scored.entries()) {
      if (d.report.trend.d30 === null) continue;
      const seen = scored.slice(Math.max(0, k - 29), k + 1).map((x) => x.report.score!);
      expect(Math.abs(d.report.trend.d30), `day ${d.day}`).toBeLessThanOrEqual(
        Math.max(...seen) - Math.min(...seen),
      );
    }
    expect(scored.at(-1)!.report.trend.d30).toBeLessThan(0);
  });

  it('a fake visit never counts: the interval runs from the last verified one', () => {
    const days = runDays(20, () => 3000, [
      [2, 'verified'],
      [10, 'fake'],
    ]);
    const last = days.at(-1)!;
    expect(last.report.recommendation.latestVisitDay).toBe(days[0]!.day + 2 + 15);
  });
});

describe('recommendation bounds', () => {
  const noReasons: HealthReason[] = [];
  const history = { lastVerifiedDay: 100, verifiedCount: 5, firstDay: 0 };

  it('stretched to the bound the fleet file sets only with a verified history and a healthy score', () => {
    const limits = recommendationLimits({ maxVisitIntervalDays: 30 });
    expect(recommend(105, 95, noReasons, history, limits)).toMatchObject({
      latestVisitDay: 130,
      stretched: true,
    });
    // No verified history (a fake wiped it): the standard 15 days.
    expect(recommend(105, 95, noReasons, { ...history, verifiedCount: 0 }, limits).latestVisitDay).toBe(115);
    // Not healthy: the standard 15 days.
    expect(recommend(105, 70, noReasons, history, limits).latestVisitDay).toBe(115);
    // Not enough data: no score, no stretch.
    expect(recommend(105, null, noReasons, history, limits).latestVisitDay).toBe(115);
  });

  it('the default bound is 15 days (or the fleet’s overdueDays), never more', () => {
    expect(recommend(105, 100, noReasons, history, recommendationLimits({})).latestVisitDay).toBe(115);
    expect(
      recommend(105, 100, noReasons, history, recommendationLimits({ overdueDays: 10 })).latestVisitDay,
    ).toBe(110);
  });

  it('property: never beyond the bound after the last verified visit (or first seen)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
        fc.integer({ min: -1, max: 200 }),
        fc.integer({ min: 0, max: 10 }),
        fc.boolean(),
        (bound, standard, score, lastVerifiedDay, verifiedCount, degrading) => {
          const limits = recommendationLimits({
            maxVisitIntervalDays: bound,
            standardIntervalDays: standard,
          });
          const reasons: HealthReason[] = degrading
            ? [judgeLevel('stop_distance_mm', { recent: 80, median: 40, sigma: 1, n: 20 })!]
            : [];
          const today = Math.max(lastVerifiedDay, 0) + 3;
          const rec = recommend(
            today,
            score,
            reasons,
            { lastVerifiedDay, verifiedCount, firstDay: 0 },
            limits,
          );
          const from = Math.max(lastVerifiedDay, 0);
          return rec.latestVisitDay <= from + bound && rec.early === degrading;
        },
      ),
    );
  });
});

describe('trend: the score’s change, never an extrapolation beyond ±100', () => {
  // Recorded from the demo seed (demo/seed.ts: 28 days, seed 2026): the daily scores of
  // longgang-b1-e1 (brake wear) and lianhua-b5-e2 (levelling) once judged. The least-squares
  // slope × 30 printed "-277.7 分/30天" and "-220 分/30天" for them.
  const brake = [100, 100, 100, 100, 100, 89, 55, 35, 23, 22, 14, 8, 0, 0, 0];
  const levelling = [100, 100, 100, 100, 77, 52, 31, 36, 22, 23, 23, 19, 15, 20, 15];
  const positions = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('the demo’s braking lift fell from 100 to 0 within 15 days: −100 over 30 days', () => {
    expect(trendPer30Days(positions(brake.length), brake, 7)).toBe(-100);
    expect(trendPer30Days(positions(levelling.length), levelling, 7)).toBe(-85);
  });

  it('over 90 days the change is spread over the days it took', () => {
    const days = [0, ...positions(brake.length).map((d) => d + 60)];
    expect(trendPer30Days(days, [100, ...brake], 7)).toBeCloseTo((-100 * 30) / 74, 1);
  });

  it('too few scores: no trend', () => {
    expect(trendPer30Days(positions(6), brake.slice(0, 6), 7)).toBeNull();
  });

  it('any scores 0–100 give a trend within ±100, and a steady score gives 0', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 7, maxLength: 90 }), (scores) => {
        const t = trendPer30Days(positions(scores.length), scores, 7)!;
        expect(Math.abs(t)).toBeLessThanOrEqual(100);
      }),
    );
    expect(trendPer30Days(positions(20), new Array(20).fill(87), 7)).toBe(0);
  });
});
