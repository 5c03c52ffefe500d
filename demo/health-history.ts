/**
 * Weeks of health history for the demo (issue 16: "the demo shows a few lifts degrading"):
 * each chosen lift is the simulator's model run day by day in simulated time, ending today,
 * with the wear scripts `npm run eval` is scored on (simulators/health-scenario.ts,
 * simulators/wear.ts), and every message goes through the ingest's own health stage
 * (ingest/health/stage.ts): the same signals, baselines, score and recommendation, written
 * as the same `health_daily` line a live ingest writes. No number here is made by hand.
 * Raw telemetry of those weeks is not written: the points would be millions.
 */
import type { ElevatorInfo } from '../fleet/types.ts';
import { createHealthStage, healthDailyLine } from '../ingest/health/stage.ts';
import { tagSuffix } from '../ingest/points.ts';
import type { DeviceMessage } from '../protocol/index.ts';
import { DAY_MS, type HealthPlan, simulateLift, visitsEvery14 } from '../simulators/health-scenario.ts';
import type { WearPlan } from '../simulators/wear.ts';

export interface HealthHistoryLift {
  elevator: ElevatorInfo;
  /** The worn component, or null for a healthy lift with ordinary variation. */
  wear: WearPlan | null;
  /** First verified routine visit (day from the start); then every 14 days. */
  firstVisitDay: number;
}

export interface HealthHistoryOptions {
  lifts: readonly HealthHistoryLift[];
  days: number;
  /** Local (UTC+8) midnight the history ends at: today's. */
  endMs: number;
  seed: number;
  /** Demand multiplier: fewer trips are fewer model steps (the demo seeds in seconds, not minutes). */
  trafficScale: number;
  /** Receives each lift's lines once its days are simulated. */
  write(lines: string[]): Promise<void>;
  /** Lets the process breathe between lift-days (the live system shares the event loop). */
  pause?: () => Promise<void>;
}

/** Local (UTC+8) midnight that starts the day holding `ms`. */
export function localMidnight(ms: number): number {
  const offset = 8 * 3_600_000;
  return Math.floor((ms + offset) / DAY_MS) * DAY_MS - offset;
}

/** Simulates each lift and writes its daily health points; returns the points written per lift. */
export async function writeHealthHistory(options: HealthHistoryOptions): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  const startMs = options.endMs - options.days * DAY_MS;
  for (const lift of options.lifts) {
    const e = lift.elevator;
    const plan: HealthPlan = {
      name: `demo-${e.id}`,
      start: new Date(startMs).toISOString(),
      days: options.days,
      seed: options.seed,
      trafficScale: options.trafficScale,
      lifts: [
        {
          id: e.id,
          spec: {
            floors: e.floors,
            floorHeightM: e.floorHeightM,
            ratedSpeedMps: e.ratedSpeedMps,
            ratedLoadKg: e.ratedLoadKg,
          },
          wear: lift.wear,
          visits: visitsEvery14(lift.firstVisitDay, options.days),
        },
      ],
    };
    const lines: string[] = [];
    const stage = createHealthStage([e], {
      writeLine: (line) => lines.push(line),
      // Simulated devices stay in range; a rejection would be a simulator bug, not demo data.
      deadLetter: (letter) => {
        throw new Error(`demo health history: ${letter.reason}`);
      },
    });
    const tags = tagSuffix({ estate: e.estateId, building: e.buildingId, elevator: e.id });
    for (const day of simulateLift(plan, plan.lifts[0]!)) {
      for (const visit of day.visits) stage.table.onVisit(0, visit.atMs, visit.verdict, 'half_monthly');
      for (const m of day.messages)
        stage.onMessage({ ...m, elevatorId: e.id, receivedAt: m.payload.ts } as DeviceMessage, tags);
      await options.pause?.();
    }
    // The last day (yesterday) closes when today's first message arrives; close it now.
    const last = stage.table.closeDay(0);
    lines.push(healthDailyLine(last, tags));
    await options.write(lines);
    written.set(e.id, lines.length);
  }
  return written;
}
