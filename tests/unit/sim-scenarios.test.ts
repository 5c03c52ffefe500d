import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../protocol/index.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { itemsFor } from '../../simulators/maintenance.ts';
import { loadScenario, parseScenario, ScenarioError } from '../../simulators/scenario.ts';
import { ScenarioRun } from '../../simulators/scenario-runner.ts';
import { buildScenario, SCENARIO_DIR } from '../../simulators/scenarios/generate.ts';
import { SHORT_SUITE } from '../../simulators/scenarios/suite-plan.ts';

const fleet = generateFleet();
const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json'));

describe('scenario files', () => {
  it.each(files)('%s validates and names demo-fleet elevators', (file) => {
    const s = loadScenario(join(SCENARIO_DIR, file));
    const ids = new Set(fleet.elevators.map((e) => e.id));
    for (const id of s.elevators) expect(ids.has(id)).toBe(true);
  });

  it('the short suite covers every fault code, each visit kind and each fake pattern', () => {
    const short = files.filter((f) => f.startsWith('short-')).map((f) => loadScenario(join(SCENARIO_DIR, f)));
    const codes = new Set(
      short.flatMap((s) => s.ground_truth.findings.filter((f) => !f.optional).map((f) => f.code)),
    );
    for (const code of [
      'passenger_trapped',
      'overspeed',
      'device_offline',
      'maintenance_overdue',
      'impossible_travel',
    ])
      expect(codes.has(code as never)).toBe(true);
    const kinds = new Set(short.flatMap((s) => s.ground_truth.visits.map((v) => v.kind)));
    expect([...kinds].sort()).toEqual(['half_monthly', 'half_yearly', 'quarterly', 'yearly']);
    expect(short.some((s) => s.ground_truth.clean && s.duration_s >= 86400 && s.noise === 'realistic')).toBe(
      true,
    );
  });

  it('ground truth in the short files matches a fresh run of the models (files are not stale)', () => {
    for (const plan of SHORT_SUITE.filter((p) => p.duration_s <= 86400)) {
      const onDisk = loadScenario(join(SCENARIO_DIR, `${plan.name}.json`));
      expect(buildScenario(plan, fleet).ground_truth).toEqual(onDisk.ground_truth);
    }
  });

  it('reports every problem at once', () => {
    try {
      parseScenario({ name: 'Bad Name', seed: -1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).problems.length).toBeGreaterThan(3);
    }
  });
});

describe('maintenance visits', () => {
  const run = (pattern: string, kind = 'half_monthly') => {
    const s = parseScenario({
      name: 'visit',
      description: '',
      suite: 'short',
      seed: 3,
      start: '2025-03-03T10:00:00+08:00',
      duration_s: 3 * 3600,
      elevators: ['lianhua-b3-e1'],
      injections: [
        {
          at_s: 60,
          elevator: 'lianhua-b3-e1',
          visit: { visit_id: 'v', kind, pattern, technician_id: 'tech-wang', method: 'nfc' },
        },
      ],
      ground_truth: { clean: true, findings: [], visits: [] },
    });
    const r = new ScenarioRun(s, fleet);
    return r.advanceTo(r.endMs).map((o) => o.output);
  };

  it('a genuine half-monthly visit: ≥ 30 min inspection, stop switches, whole shaft, no passenger trips', () => {
    const out = run('genuine');
    const msgs = out.flatMap((o) => (o.channel === 'link' ? [] : [o]));
    const checkIn = msgs.find((m) => m.channel === 'maintenance' && m.payload.action === 'check_in')!;
    const checkOut = msgs.find((m) => m.channel === 'maintenance' && m.payload.action === 'check_out')!;
    expect(checkOut.channel === 'maintenance' && checkOut.payload.items).toEqual(itemsFor('half_monthly'));
    for (const m of msgs) expect(validatePayload(m.channel, m.payload).ok).toBe(true);
    const window = msgs.filter(
      (m) => m.payload.ts >= checkIn.payload.ts && m.payload.ts <= checkOut.payload.ts,
    );
    const tel = window.flatMap((m) => (m.channel === 'telemetry' ? [m.payload] : []));
    const inspection = tel.filter((t) => t.mode === 'inspection');
    expect(inspection.at(-1)!.ts - inspection[0]!.ts).toBeGreaterThanOrEqual(30 * 60_000);
    expect(inspection.some((t) => !t.safety_circuit && !t.moving)).toBe(true);
    const codes = window.flatMap((m) => (m.channel === 'event' ? [m.payload.code] : []));
    expect(codes).toEqual(
      expect.arrayContaining(['inspection_entered', 'stop_switch_car_top', 'stop_switch_pit']),
    );
    const floors = new Set(inspection.map((t) => t.floor));
    expect(floors.size).toBeGreaterThanOrEqual(0.8 * 32);
    expect(Math.max(...inspection.map((t) => t.speed_mps))).toBeLessThanOrEqual(0.31);
    expect(tel.some((t) => t.occupied)).toBe(false);
    expect(tel.some((t) => t.mode === 'normal' && !t.safety_circuit)).toBe(false);
  });

  it('a paper visit keeps carrying passengers and never enters inspection', () => {
    const tel = run('passenger_service').flatMap((o) => (o.channel === 'telemetry' ? [o.payload] : []));
    expect(tel.some((t) => t.mode === 'inspection')).toBe(false);
    expect(tel.some((t) => t.occupied)).toBe(true);
  });
});
