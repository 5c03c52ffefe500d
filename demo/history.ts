/**
 * Past incidents and visits for the demo: short episodes days ago (a trapped passenger, a
 * door fault, an overspeed, genuine and fake maintenance visits), each a simulator scenario
 * replayed through the ingest's own detection stage (ingest/detection.ts: the rules, the
 * visit judge, the alert lifecycle writing to the store) on the episode's device time, as
 * the eval harness replays its scenarios. The alerts and verdicts are the detector's; the
 * duty officer then acknowledges and resolves the faults through the same lifecycle.
 */
import type { FleetDirectory } from '../fleet/directory.ts';
import { createDetection } from '../ingest/detection.ts';
import type { Logger } from '../lib/logger.ts';
import type { DeviceMessage, FleetFile, PersonResolution } from '../protocol/index.ts';
import type { Injection, Scenario } from '../simulators/scenario.ts';
import { ScenarioRun } from '../simulators/scenario-runner.ts';
import type { Store } from '../store/store.ts';

const MINUTE = 60_000;

export interface Episode {
  name: string;
  /** Device time the episode starts, epoch ms. */
  startMs: number;
  durationS: number;
  elevators: string[];
  injections: Injection[];
  /** What the duty officer does with the alerts the episode leaves open. */
  review?: { code: string; elevator: string; by: string; resolution: PersonResolution; note: string }[];
}

export interface HistoryDeps {
  store: Store;
  directory: FleetDirectory;
  fleet: FleetFile;
  log: Logger;
  /** Alert and visit messages (the ingest's MQTT connection), so the API hears them as live ones. */
  publish: (topic: string, payload: string) => Promise<void>;
}

const TICK_MS = 1000;

/** Replays one episode through a detection stage of its own (its own clock, its own elevator state). */
export async function replayEpisode(episode: Episode, deps: HistoryDeps): Promise<void> {
  const scenario: Scenario = {
    name: episode.name,
    description: 'demo history',
    suite: 'short',
    seed: 40 + episode.name.length,
    start: new Date(episode.startMs).toISOString(),
    duration_s: episode.durationS,
    elevators: episode.elevators,
    traffic: 1,
    noise: 'realistic',
    injections: episode.injections,
    ground_truth: { clean: false, findings: [], visits: [] },
  };
  const run = new ScenarioRun(scenario, deps.fleet);
  let now = episode.startMs;
  const detection = await createDetection(
    { tickMs: 0, escalationCheckMs: 0 },
    {
      store: deps.store,
      log: deps.log,
      directory: deps.directory,
      publish: deps.publish,
      clock: () => now,
    },
  );
  const endMs = episode.startMs + episode.durationS * 1000;
  for (let t = episode.startMs + TICK_MS; t <= endMs; t += TICK_MS) {
    const outputs = run.advanceTo(t);
    for (const { elevatorId, output } of outputs) {
      if (output.channel === 'link') continue;
      now = Math.max(now, output.payload.ts);
      detection.onMessage({ ...output, elevatorId, receivedAt: output.payload.ts } as DeviceMessage);
    }
    now = t;
    detection.tick(t);
    // Findings are stored in order behind a promise chain: keep it short.
    if (t % MINUTE === 0) await detection.settled();
  }
  await detection.settled();
  let at = endMs;
  for (const r of episode.review ?? []) {
    const [alert] = await deps.store.alerts.list({
      estateIds: null,
      elevator: r.elevator,
      code: r.code,
      limit: 1,
      offset: 0,
    });
    if (!alert) {
      deps.log.warn({ episode: episode.name, ...r }, 'demo history: no alert to review');
      continue;
    }
    // A fault that cleared on its own (the overspeed: one fast run) is auto-resolved by the
    // lifecycle before the episode ends: nothing is left for the duty officer, as in life.
    if (alert.state === 'resolved') continue;
    now = at += 4 * MINUTE;
    await detection.lifecycle.acknowledge(alert.id, r.by, '已联系维保单位');
    now = at += 21 * MINUTE;
    await detection.lifecycle.resolve(alert.id, r.by, r.resolution, r.note);
  }
  await detection.stop();
}

/**
 * The demo's past: `dayMs(n)` is local 10:00 n days ago. Elevators are the demo fleet's:
 * lianhua and xiangmi are maintained by huaxia-lift (tech-wang, tech-li), longgang by
 * pengcheng-lift (tech-zhao).
 */
export function demoEpisodes(daysAgo: (days: number, hour: number) => number): Episode[] {
  const visit = (
    at_s: number,
    elevator: string,
    visit_id: string,
    pattern: 'genuine' | 'no_inspection' | 'passenger_service',
    technician_id: string,
    kind: 'half_monthly' | 'quarterly' = 'half_monthly',
  ): Injection => ({ at_s, elevator, visit: { visit_id, kind, pattern, technician_id, method: 'app' } });
  return [
    {
      name: 'demo-trapped',
      startMs: daysAgo(12, 19),
      durationS: 1200,
      elevators: ['lianhua-b3-e1'],
      injections: [
        {
          at_s: 120,
          elevator: 'lianhua-b3-e1',
          fault: 'passenger_trapped',
          inside_door_zone: false,
          duration_s: 3600,
        },
      ],
      review: [
        {
          code: 'passenger_trapped',
          elevator: 'lianhua-b3-e1',
          by: 'duty-anju',
          resolution: 'fault',
          note: '维保人员到场盘车放人，乘客无伤；曳引机制动器间隙偏大，已调整',
        },
      ],
    },
    {
      name: 'demo-door-fault',
      startMs: daysAgo(8, 8),
      durationS: 900,
      elevators: ['xiangmi-b1-e2'],
      injections: [
        { at_s: 90, elevator: 'xiangmi-b1-e2', fault: 'door_open_while_moving', duration_s: 3600 },
      ],
      review: [
        {
          code: 'door_open_while_moving',
          elevator: 'xiangmi-b1-e2',
          by: 'duty-hexin',
          resolution: 'fault',
          note: '门锁触点粘连，已更换',
        },
      ],
    },
    {
      name: 'demo-overspeed',
      startMs: daysAgo(5, 14),
      durationS: 900,
      elevators: ['longgang-b1-e3'],
      injections: [{ at_s: 60, elevator: 'longgang-b1-e3', fault: 'overspeed', duration_s: 3600 }],
      review: [
        {
          code: 'overspeed',
          elevator: 'longgang-b1-e3',
          by: 'duty-anju',
          resolution: 'false_alarm',
          note: '编码器信号干扰，现场检查速度正常',
        },
      ],
    },
    {
      name: 'demo-visits-lianhua',
      startMs: daysAgo(6, 9),
      durationS: 3 * 3600,
      elevators: ['lianhua-b1-e1', 'lianhua-b1-e2', 'lianhua-b2-e1'],
      injections: [
        visit(300, 'lianhua-b1-e1', 'demo-lh-b1e1', 'genuine', 'tech-wang'),
        visit(3900, 'lianhua-b1-e2', 'demo-lh-b1e2', 'genuine', 'tech-wang', 'quarterly'),
        // Signed, but the car carried passengers all along: 假维保.
        visit(600, 'lianhua-b2-e1', 'demo-lh-b2e1-fake', 'passenger_service', 'tech-li'),
      ],
    },
    {
      name: 'demo-visits-longgang',
      startMs: daysAgo(3, 10),
      durationS: 2 * 3600,
      elevators: ['longgang-b2-e1', 'longgang-b5-e1'],
      injections: [
        visit(300, 'longgang-b2-e1', 'demo-lg-b2e1', 'genuine', 'tech-zhao'),
        // Checked in and out without ever entering inspection mode.
        visit(1200, 'longgang-b5-e1', 'demo-lg-b5e1-fake', 'no_inspection', 'tech-zhao'),
      ],
    },
  ];
}
