/**
 * The health state survives an ingest restart (issue 16, ingest/health/restore.ts): a lift
 * judged for 30 days, its `health_daily` points in a real influxd, the ingest restarted.
 * The restarted stage reads the points and the stored visit verdicts back and judges the
 * next day exactly as the stage that never stopped (score, reasons, bands, trend, next
 * visit); a stage that did not read them back says "not enough data yet"; a redelivered
 * message of an already written day does not close that day a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreHealthState } from '../../ingest/health/restore.ts';
import { createHealthStage, type HealthStage } from '../../ingest/health/stage.ts';
import type { HealthDay } from '../../ingest/health/table.ts';
import { ensureInfluxSchema } from '../../ingest/influx-schema.ts';
import { tagSuffix } from '../../ingest/points.ts';
import { silentLogger } from '../../lib/logger.ts';
import type { DeviceMessage } from '../../protocol/index.ts';
import type { MaintenanceVisitTable } from '../../store/schema.ts';
import { startTestInflux } from '../helpers/fixtures.ts';
import { writeLines } from '../helpers/health-days.ts';
import { DAY0_MS, FLOOR_M, HealthTrace } from '../helpers/health-trace.ts';

const DATABASE = 'liftwatch_restore';
const LIFT = 'lianhua-b1-e1';
const TAGS = tagSuffix({ estate: 'lianhua', building: 'lianhua-b1', elevator: LIFT });
const DAY_MS = 86_400_000;
/** The door slows from day 22: by day 30 the lift is judged, with reasons. */
const doorMs = (d: number) => (d < 22 ? 3000 : 3000 + (d - 21) * 220);
const VISIT_MS = DAY0_MS + 25 * DAY_MS + 10 * 3_600_000;

function dayMessages(d: number): DeviceMessage[] {
  const t = new HealthTrace(LIFT, DAY0_MS + d * DAY_MS + 8 * 3_600_000).at(d, 9);
  for (let i = 0; i < 24; i++) t.trip({ doorCloseMs: doorMs(d) + (i % 3) * 10 });
  return t.messages;
}

function stage(lines: string[] = [], days: HealthDay[] = []): HealthStage {
  return createHealthStage([{ id: LIFT, ratedSpeedMps: 1.75, floorHeightM: FLOOR_M, thresholds: {} }], {
    writeLine: (line) => lines.push(line),
    deadLetter: () => {
      throw new Error('the trace stays in range');
    },
    onDay: (day) => days.push(day),
  });
}

const feed = (s: HealthStage, messages: DeviceMessage[]) => {
  for (const m of messages) s.onMessage(m, TAGS);
};

const visitRow: MaintenanceVisitTable = {
  id: 'v-25',
  elevator_id: LIFT,
  estate_id: 'lianhua',
  technician_id: 'tech-wang',
  company_id: 'huaxia',
  kind: 'half_monthly',
  method: 'qr',
  check_in_at: VISIT_MS - 3_600_000,
  check_out_at: VISIT_MS,
  status: 'closed',
  location_json: null,
  items_json: null,
  evidence_score: 95,
  verdict: 'verified',
  reasons_json: null,
  evidence_json: null,
};

describe('health state across an ingest restart', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  const never: HealthDay[] = [];
  const restartedDays: HealthDay[] = [];
  const freshDays: HealthDay[] = [];
  let restarted: HealthStage;
  let restored: Awaited<ReturnType<typeof restoreHealthState>>;

  beforeAll(async () => {
    influx = await startTestInflux();
    await ensureInfluxSchema({ url: influx.url, database: DATABASE, rawRetention: 'INF' }, silentLogger);
    // The ingest that never stops: days 0..29 closed and written, the visit on day 25.
    const lines: string[] = [];
    const running = stage(lines, never);
    for (let d = 0; d < 30; d++) {
      if (d === 26) running.table.onVisit(0, VISIT_MS, 'verified', 'half_monthly');
      feed(running, dayMessages(d));
    }
    feed(running, dayMessages(30));
    feed(running, dayMessages(31).slice(0, 1));
    await writeLines(influx.url, DATABASE, lines.slice(0, 30));

    // The restarted one: reads days 0..29 back at day 30's start, then gets day 29 again
    // (the log redelivering), day 30, and day 31's first message.
    restarted = stage([], restartedDays);
    restored = await restoreHealthState(restarted, {
      influx: { url: influx.url, database: DATABASE },
      visits: { list: async () => [visitRow] },
      now: DAY0_MS + 30 * DAY_MS + 60_000,
    });
    feed(restarted, dayMessages(29));
    feed(restarted, dayMessages(30));
    feed(restarted, dayMessages(31).slice(0, 1));

    const fresh = stage([], freshDays);
    feed(fresh, dayMessages(30));
    feed(fresh, dayMessages(31).slice(0, 1));
  }, 120_000);

  afterAll(async () => {
    await influx?.cleanup();
  });

  it('reads every written day and the visit back', () => {
    expect(restored).toEqual({ lifts: 1, days: 30, visits: 1 });
  });

  it('judges the next day as the ingest that never stopped', () => {
    const expected = never.find((d) => d.day === never[never.length - 1]!.day)!.report;
    expect(restartedDays.map((d) => d.day)).toEqual([never[never.length - 1]!.day]);
    const got = restartedDays[0]!.report;
    expect(expected.status).toBe('ok');
    expect(expected.reasons.length).toBeGreaterThan(0);
    expect(got.status).toBe('ok');
    expect(got.score).toBe(expected.score);
    expect(got.reasons.map((r) => [r.signal, r.pointsLost])).toEqual(
      expected.reasons.map((r) => [r.signal, r.pointsLost]),
    );
    expect(got.bands.door_close_ms?.median).toBeCloseTo(expected.bands.door_close_ms!.median, 0);
    expect(got.trend.d30).toBeCloseTo(expected.trend.d30!, 1);
    expect(got.recommendation.latestVisitDate).toBe(expected.recommendation.latestVisitDate);
    expect(got.recommendation.early).toBe(expected.recommendation.early);
  });

  it('without the read-back, the lift restarts at "not enough data yet"', () => {
    expect(freshDays).toHaveLength(1);
    expect(freshDays[0]!.report.status).toBe('insufficient');
    expect(freshDays[0]!.report.score).toBeNull();
  });
});
