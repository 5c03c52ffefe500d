/**
 * Writes the scenario files: runs each plan on the models (pure, deterministic) and
 * derives the ground truth from the onsets the injected scripts recorded, so windows
 * are anchored to when a condition really began. `tsx simulators/scenarios/generate.ts`.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaultCode, FleetFile } from '../../protocol/index.ts';
import { generateFleet } from '../demo-fleet.ts';
import { FAULT_TRUTH, trappedThreshold } from '../faults.ts';
import { type ExpectedFinding, type ExpectedVisit, parseScenario, type Scenario } from '../scenario.ts';
import { REPLAY_CHUNK_MS, ScenarioRun } from '../scenario-runner.ts';
import { fullSuite } from './full-plan.ts';
import { type Plan, SHORT_SUITE } from './suite-plan.ts';

const OVERDUE_S = 15 * 86400;
const SLACK_S = 30;

export function buildScenario(plan: Plan, fleet: FleetFile): Scenario {
  const { impossible_travel, overdue, ...base } = plan;
  const draft = parseScenario(
    { ...base, ground_truth: { clean: true, findings: [], visits: [] } },
    plan.name,
  );
  const run = new ScenarioRun(draft, fleet);
  while (!run.done) run.advanceTo(run.now + REPLAY_CHUNK_MS);
  const onsets = run.onsets();
  const used = new Set<number>();
  const onsetOf = (elevator: string, code: string, after: number): number | undefined => {
    const i = onsets.findIndex(
      (o, k) => !used.has(k) && o.elevator === elevator && o.code === code && o.onset_s >= after,
    );
    if (i < 0) return undefined;
    used.add(i);
    return onsets[i]!.onset_s;
  };
  const findings: ExpectedFinding[] = [];
  const visits: ExpectedVisit[] = [];
  const add = (code: string, elevator: string, onset: number, from: number, to: number, optional = false) =>
    findings.push({
      code: code as ExpectedFinding['code'],
      elevator,
      onset_s: r(onset),
      earliest_s: r(onset + from),
      latest_s: r(Math.min(onset + to, plan.duration_s)),
      ...(optional ? { optional } : {}),
    });
  const lastGenuine = new Map<string, number>();
  for (const inj of plan.injections) {
    if ('fault' in inj) {
      const code = inj.fault as FaultCode;
      const onset = onsetOf(inj.elevator, code, inj.at_s);
      if (onset === undefined) throw new Error(`${plan.name}: ${code} on ${inj.elevator} never began`);
      const truth = FAULT_TRUTH[code];
      const threshold = code === 'passenger_trapped' ? trappedThreshold(inj) : truth.threshold_s;
      // Offline is judged on the wall clock: it must be seen while the device is silent.
      const to =
        code === 'device_offline' ? (inj.duration_s ?? 600) : (truth.window_s ?? threshold + SLACK_S);
      add(code, inj.elevator, onset, threshold * 0.8, to);
      const span = (inj.duration_s ?? 300) + 120;
      for (const also of truth.also ?? []) add(also, inj.elevator, onset, 0, span, true);
    } else if ('event' in inj) {
      const onset = onsetOf(inj.elevator, inj.event, inj.at_s)!;
      add(inj.event, inj.elevator, onset, 0, 10);
    } else if ('visit' in inj) {
      const v = inj.visit;
      const inAt = onsetOf(inj.elevator, `visit:${v.visit_id}`, inj.at_s);
      const outAt = onsetOf(inj.elevator, `visit-out:${v.visit_id}`, inj.at_s);
      if (inAt === undefined || outAt === undefined)
        throw new Error(`${plan.name}: visit ${v.visit_id} unfinished`);
      const traveller = impossible_travel?.find((t) => t.first === v.visit_id || t.second === v.visit_id);
      let verdict: ExpectedVisit['verdict'] = v.pattern === 'genuine' ? 'verified' : 'fake';
      if (v.pattern === 'short_inspection') verdict = ['suspect', 'fake'];
      if (traveller && v.pattern === 'genuine') verdict = ['verified', 'suspect'];
      visits.push({
        elevator: inj.elevator,
        visit_id: v.visit_id,
        kind: v.kind,
        verdict,
        check_in_s: r(inAt),
      });
      const judged = outAt - inAt + 1800;
      if (v.pattern === 'no_inspection' || v.pattern === 'passenger_service')
        add('maintenance_fake', inj.elevator, inAt, 0, judged);
      if (v.pattern === 'short_inspection') {
        add('maintenance_suspect', inj.elevator, inAt, 0, judged, true);
        add('maintenance_fake', inj.elevator, inAt, 0, judged, true);
      }
      if (traveller?.second === v.visit_id) add('impossible_travel', inj.elevator, inAt, 0, 60);
      if (traveller?.first === v.visit_id) add('maintenance_suspect', inj.elevator, inAt, 0, judged, true);
      if (v.pattern === 'genuine') lastGenuine.set(inj.elevator, inAt);
    } else {
      const onset = onsetOf(inj.elevator, 'unreported_maintenance', inj.at_s)!;
      add('unreported_maintenance', inj.elevator, onset, 0, inj.unreported_inspection_min * 60 + 600);
    }
  }
  for (const elevator of overdue ?? []) {
    const last = lastGenuine.get(elevator);
    if (last === undefined) throw new Error(`${plan.name}: overdue ${elevator} has no genuine visit`);
    add('maintenance_overdue', elevator, last, OVERDUE_S, OVERDUE_S + 3 * 3600);
  }
  findings.sort((a, b) => a.onset_s - b.onset_s);
  const required = findings.filter((f) => !f.optional).length;
  return { ...base, ground_truth: { clean: required === 0, findings, visits } };
}

const r = (s: number): number => Math.round(s * 10) / 10;

export const SCENARIO_DIR = dirname(fileURLToPath(import.meta.url));

export function allPlans(fleet: FleetFile): Plan[] {
  return [...SHORT_SUITE, ...fullSuite(fleet.elevators.map((e) => e.id))];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fleet = generateFleet();
  const only = process.argv[2];
  const written: string[] = [];
  for (const plan of allPlans(fleet)) {
    if (only && !plan.name.startsWith(only)) continue;
    const scenario = buildScenario(plan, fleet);
    const file = join(SCENARIO_DIR, `${plan.name}.json`);
    writeFileSync(file, `${JSON.stringify(scenario, null, 2)}\n`);
    written.push(file);
    console.log(
      `${plan.name}: ${scenario.ground_truth.findings.length} findings, ${scenario.ground_truth.visits.length} visits`,
    );
  }
  // Write in the repository's format, so `npm run check` stays green after a regeneration.
  const biome = join(SCENARIO_DIR, '../../node_modules/.bin/biome');
  spawnSync(biome, ['format', '--write', ...written], { stdio: 'inherit' });
}
