/**
 * Runs a scenario on the models alone, in virtual time: builds one model per elevator of
 * the fleet subset, applies each injection when its model reaches it, and collects what
 * the devices publish. Used by the live runner (which publishes), the suite generator
 * (which reads the onsets for ground truth) and the tests.
 */
import type { FleetFile } from '../protocol/index.ts';
import type { ElevatorSpec } from './car.ts';
import { ElevatorModel, NO_NOISE, REALISTIC_NOISE, type SimOutput } from './elevator-model.ts';
import { FAULT_SCRIPTS } from './faults.ts';
import { unreportedInspection, visitScript } from './maintenance.ts';
import { deriveSeed } from './rng.ts';
import { type Injection, type Scenario, startMs } from './scenario.ts';

/**
 * The device time a replay advances at once. A model's sub-steps end at each chunk's end,
 * so its physics (and so its onsets) differ slightly between chunkings: the generator and
 * `runScenario` both advance by this, and a replay reproduces the ground truth exactly.
 */
export const REPLAY_CHUNK_MS = 300_000;

export interface ScenarioOutput {
  elevatorId: string;
  output: SimOutput;
}

interface Lane {
  model: ElevatorModel;
  pending: Injection[];
}

export function elevatorSpec(fleet: FleetFile, id: string): ElevatorSpec {
  const e = fleet.elevators.find((x) => x.id === id);
  if (!e) throw new Error(`elevator ${id} is not in the fleet`);
  return {
    id,
    floors: e.floors,
    floorHeightM: e.floor_height_m,
    ratedSpeedMps: e.rated_speed_mps,
    ratedLoadKg: e.rated_load_kg,
  };
}

export class ScenarioRun {
  readonly startMs: number;
  readonly endMs: number;
  private readonly lanes = new Map<string, Lane>();
  private nowMs: number;

  constructor(
    readonly scenario: Scenario,
    private readonly fleet: FleetFile,
  ) {
    this.startMs = startMs(scenario);
    this.endMs = this.startMs + scenario.duration_s * 1000;
    this.nowMs = this.startMs;
    const noise = scenario.noise === 'realistic' ? REALISTIC_NOISE : NO_NOISE;
    const byId = new Map(fleet.elevators.map((e) => [e.id, e]));
    for (const id of scenario.elevators) {
      const spec = elevatorSpec({ ...fleet, elevators: byId.has(id) ? [byId.get(id)!] : [] }, id);
      const seed = deriveSeed(scenario.seed, id);
      const model = new ElevatorModel({
        spec,
        seed,
        startMs: this.startMs,
        traffic: scenario.traffic ?? 1,
        noise,
      });
      const pending = scenario.injections.filter((i) => i.elevator === id).sort((a, b) => a.at_s - b.at_s);
      this.lanes.set(id, { model, pending });
    }
  }

  get now(): number {
    return this.nowMs;
  }

  get done(): boolean {
    return this.nowMs >= this.endMs;
  }

  models(): Map<string, ElevatorModel> {
    return new Map([...this.lanes].map(([id, lane]) => [id, lane.model]));
  }

  /** Advances every model to `deviceMs` (capped at the end) and returns their output in time order. */
  advanceTo(deviceMs: number): ScenarioOutput[] {
    const target = Math.min(deviceMs, this.endMs);
    const outputs: ScenarioOutput[] = [];
    for (const [elevatorId, lane] of this.lanes) {
      const { model, pending } = lane;
      while (pending.length > 0 && this.startMs + pending[0]!.at_s * 1000 <= target) {
        const injection = pending.shift()!;
        const atMs = this.startMs + injection.at_s * 1000;
        for (const output of model.step(atMs - model.now)) outputs.push({ elevatorId, output });
        this.inject(model, injection);
      }
      for (const output of model.step(target - model.now)) outputs.push({ elevatorId, output });
    }
    this.nowMs = target;
    return outputs.sort((a, b) => outputTs(a.output) - outputTs(b.output));
  }

  /** Onsets recorded by the models, seconds from start: the ground truth's anchor. */
  onsets(): { elevator: string; code: string; onset_s: number }[] {
    const all: { elevator: string; code: string; onset_s: number }[] = [];
    for (const [elevator, lane] of this.lanes)
      for (const o of lane.model.onsets)
        all.push({ elevator, code: o.code, onset_s: (o.ts - this.startMs) / 1000 });
    return all.sort((a, b) => a.onset_s - b.onset_s);
  }

  private inject(model: ElevatorModel, injection: Injection): void {
    if ('fault' in injection) {
      model.runScript(FAULT_SCRIPTS[injection.fault as keyof typeof FAULT_SCRIPTS](model, injection));
    } else if ('event' in injection) {
      model.markOnset(injection.event);
      model.emitEvent(injection.event, { source: 'controller' });
    } else if ('visit' in injection) {
      const v = injection.visit;
      model.runScript(
        visitScript(model, {
          ...v,
          company_id: v.company_id ?? this.companyOf(v.technician_id),
          location: v.location ?? this.estatePosition(injection.elevator),
        }),
      );
    } else {
      model.runScript(unreportedInspection(model, injection.unreported_inspection_min));
    }
  }

  private companyOf(technicianId: string): string {
    return this.fleet.technicians?.find((t) => t.id === technicianId)?.company_id ?? 'unknown';
  }

  private estatePosition(elevatorId: string): { lat: number; lon: number } | undefined {
    const building = this.fleet.elevators.find((e) => e.id === elevatorId)?.building_id;
    const estate = this.fleet.buildings.find((b) => b.id === building)?.estate_id;
    const e = this.fleet.estates.find((x) => x.id === estate);
    return e ? { lat: e.lat, lon: e.lon } : undefined;
  }
}

function outputTs(output: SimOutput): number {
  return output.channel === 'link' ? output.ts : output.payload.ts;
}
