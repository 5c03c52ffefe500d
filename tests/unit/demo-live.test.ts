/**
 * The demo's live schedule (demo/live.ts) brings its first trapped-passenger alarm within the
 * first minute: the simulator's own traffic with the demo's injections, as `npm run demo` runs
 * it (plain traffic whose device time starts when the devices connect), through the real
 * detector ticked every second as the ingest does. Deterministic: the simulator is seeded.
 */
import { describe, expect, it } from 'vitest';
import { demoLiveInjections, FIRST_ALARM_ABOUT_S, FIRST_TRAPPED_S } from '../../demo/live.ts';
import type { ElevatorInfo } from '../../fleet/types.ts';
import { createDetector, type Finding } from '../../ingest/rules/index.ts';
import type { DeviceMessage } from '../../protocol/index.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { plainScenario } from '../../simulators/fleet.ts';
import { ScenarioRun } from '../../simulators/scenario-runner.ts';

const fleet = generateFleet();
/** Seconds from `npm run demo`'s start the alarm may take at most, as the issue asks. */
const CONSOLE_ALIVE_S = 60;
/**
 * Left for the part before the devices connect (the store, influxd, the broker, the seed's
 * first steps): the schedule itself must bring the alarm this much sooner.
 */
const STARTUP_ALLOWANCE_S = 15;

function info(id: string): ElevatorInfo {
  const e = fleet.elevators.find((x) => x.id === id)!;
  return {
    id,
    estateId: 'demo',
    buildingId: 'demo',
    name: id,
    floors: e.floors,
    floorHeightM: e.floor_height_m,
    ratedSpeedMps: e.rated_speed_mps,
    ratedLoadKg: e.rated_load_kg,
    thresholds: {},
  };
}

describe('demo live schedule', () => {
  it('the first trapped passenger is injected right after the devices connect, stuck between landings', () => {
    const first = demoLiveInjections(1).find((i) => 'fault' in i && i.fault === 'passenger_trapped');
    expect(first).toMatchObject({ inside_door_zone: false });
    expect(first!.at_s).toBe(FIRST_TRAPPED_S);
    expect(first!.at_s).toBeLessThanOrEqual(10);
  });

  it('its alarm opens within the first minute of the demo', () => {
    const injections = demoLiveInjections(1).filter((i) => i.at_s < CONSOLE_ALIVE_S);
    const cars = [...new Set(injections.map((i) => i.elevator))];
    const startMs = Date.UTC(2026, 11, 2, 2, 0, 0);
    const scenario = {
      ...plainScenario({ fleet, mqttUrl: 'mqtt://unused', startMs, injections }, cars),
      duration_s: CONSOLE_ALIVE_S,
    };
    const run = new ScenarioRun(scenario, fleet);
    const detector = createDetector(cars.map(info));
    const findings: Finding[] = [];
    for (let t = startMs + 1000; t <= run.endMs; t += 1000) {
      for (const { elevatorId, output } of run.advanceTo(t)) {
        if (output.channel === 'link') continue;
        const message = { ...output, elevatorId, receivedAt: output.payload.ts } as DeviceMessage;
        findings.push(...detector.onMessage(message));
      }
      findings.push(...detector.onTick(t));
    }
    const alarm = findings.find((f) => f.kind === 'raise' && f.code === 'passenger_trapped');
    expect(alarm, 'a trapped-passenger alarm in the first minute').toBeDefined();
    const afterConnectS = (alarm!.kind === 'raise' ? alarm!.at - startMs : Number.NaN) / 1000;
    expect(afterConnectS).toBeLessThanOrEqual(CONSOLE_ALIVE_S - STARTUP_ALLOWANCE_S);
    // What the banner and the READMEs say.
    expect(Math.abs(afterConnectS - FIRST_ALARM_ABOUT_S)).toBeLessThanOrEqual(5);
  });
});
