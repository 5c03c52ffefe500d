/**
 * Health days for the API and browser suites: recorded traces of passenger trips run through
 * the ingest's real health stage, which hands back the `health_daily` lines it would write
 * (tags as the ingest sets them). One lift per profile: a door operator that slows from a
 * given day, a steady one, one with too little history. Device days are Asia/Shanghai days.
 */
import { createHealthStage } from '../../ingest/health/stage.ts';
import { tagSuffix } from '../../ingest/points.ts';
import { HEALTH_POLICY } from '../../protocol/influx.ts';
import { DAY0_MS, FLOOR_M, HealthTrace } from './health-trace.ts';

export interface HealthLiftPlan {
  id: string;
  estate: string;
  building: string;
  /** Device days (0 = DAY0_MS) this lift reports, in order. */
  days: number[];
  /** Door closing time (ms) on day d. */
  doorMs(day: number): number;
}

/** Day index (from DAY0) of the local day holding `ms`. */
export function dayIndexOf(ms: number): number {
  return Math.floor((ms - DAY0_MS) / 86_400_000);
}

/** Runs each lift's days through the health stage; returns the lines written, per lift. */
export function healthDailyLines(plans: HealthLiftPlan[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const plan of plans) {
    const lines: string[] = [];
    const stage = createHealthStage(
      [{ id: plan.id, ratedSpeedMps: 1.75, floorHeightM: FLOOR_M, thresholds: {} }],
      {
        writeLine: (line) => lines.push(line),
        deadLetter: () => {
          throw new Error('a healthy trace must not be dead-lettered');
        },
      },
    );
    const tags = tagSuffix({ estate: plan.estate, building: plan.building, elevator: plan.id });
    for (const d of plan.days) {
      const t = new HealthTrace(plan.id, DAY0_MS + d * 86_400_000 + 8 * 3_600_000).at(d, 9);
      for (let i = 0; i < 24; i++) t.trip({ doorCloseMs: plan.doorMs(d) + (i % 3) * 10 });
      for (const m of t.messages) stage.onMessage(m, tags);
    }
    out.set(plan.id, lines);
  }
  return out;
}

/** Writes lines to InfluxDB 1.x (the health policy, where the ingest writes them), failing loudly. */
export async function writeLines(url: string, database: string, lines: string[]): Promise<void> {
  const res = await fetch(`${url}/write?db=${database}&rp=${HEALTH_POLICY}&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  if (res.status !== 204) throw new Error(`write: ${res.status} ${await res.text()}`);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The demo's profiles around `now`: in estate lianhua, b1-e1's door slows over its last ten
 * days (an early visit), b1-e2 is steady, b2-e1 has only eight days (not enough data); in
 * xiangmi (another firm), b1-e1 is steady. The newest day written is the one before `now`'s.
 */
export function demoHealthPlans(now: number): HealthLiftPlan[] {
  const today = dayIndexOf(now);
  const steady = () => 3000;
  return [
    {
      id: 'lianhua-b1-e1',
      estate: 'lianhua',
      building: 'lianhua-b1',
      days: range(today - 40, today),
      doorMs: (d) => (d < today - 10 ? 3000 : 3000 + (d - (today - 11)) * 180),
    },
    {
      id: 'lianhua-b1-e2',
      estate: 'lianhua',
      building: 'lianhua-b1',
      days: range(today - 40, today),
      doorMs: steady,
    },
    {
      id: 'lianhua-b2-e1',
      estate: 'lianhua',
      building: 'lianhua-b2',
      days: range(today - 8, today),
      doorMs: steady,
    },
    {
      id: 'xiangmi-b1-e1',
      estate: 'xiangmi',
      building: 'xiangmi-b1',
      days: range(today - 40, today),
      doorMs: steady,
    },
  ];
}
