/**
 * The regulator's data sets (GB/T 24476, protocol/regulator.ts) built from what the API
 * already holds: the fleet directory (basic information), the elevator state source (running
 * status, the run counter), the ingest's health days in InfluxDB (run hours) and the store's
 * alerts and check-ins (fault records with their states and times). The pull routes and the
 * push adapter both build them here, so a platform gets the same items either way.
 */
import type { Directory, ElevatorEntry } from '../../fleet/directory.ts';
import { ALERT_CATALOGUE, type ServiceMode, type TelemetryReading } from '../../protocol/index.ts';
import {
  type BasicInfoItem,
  chinaTime,
  FAULT_RECORD_STATES,
  type FaultRecordItem,
  type RegulatorDataset,
  type RegulatorItems,
  type RunningStatusItem,
  type StatisticsItem,
} from '../../protocol/regulator.ts';
import type { FaultRecordRow, RegulatorRepository } from '../../store/repositories/regulator.ts';
import type { InfluxHealth } from '../data/health.ts';
import type { ElevatorState, ElevatorStateSource } from '../state-source.ts';

const SERVICE_MODE_CODE: Record<ServiceMode, number> = {
  out_of_service: 0,
  normal: 1,
  inspection: 2,
  fire_return: 3,
  firefighter: 4,
  emergency_power: 5,
  earthquake: 6,
  unknown: 7,
};

/** Alert codes the standard numbers 01–11 (faults), 41 (power lost) and 90 (alarm button). */
export const FAULT_RECORD_CODES = Object.entries(ALERT_CATALOGUE)
  .filter(([, entry]) => (entry as { gb?: string }).gb !== undefined)
  .map(([code]) => code);

const flag = (on: boolean) => (on ? 1 : 2) as 1 | 2;

export function runningStatusOf(
  elevator: ElevatorEntry,
  state: ElevatorState,
  t: TelemetryReading,
): RunningStatusItem {
  return {
    registration_code: elevator.registrationCode,
    ts: chinaTime(t.ts),
    online: state.online !== false,
    car_status: t.moving ? 1 : 0,
    car_direction: t.direction === 'up' ? 1 : t.direction === 'down' ? 2 : 0,
    door_zone: flag(t.door_zone),
    car_position: t.floor,
    door_status: flag(t.door_closed),
    passenger_status: flag(t.occupied),
    service_mode: SERVICE_MODE_CODE[t.mode],
    up_limit: flag(t.up_limit),
    down_limit: flag(t.down_limit),
    power_status: flag(t.power === 'mains'),
  };
}

/** An alert as a GB/T 24476 fault record: its state from what people and the detector did. Pure. */
export function faultRecordOf(row: FaultRecordRow, registrationCode: string): FaultRecordItem {
  const a = row.alert;
  const entry = ALERT_CATALOGUE[a.code as keyof typeof ALERT_CATALOGUE] as { gb?: string; zh: string };
  let status: FaultRecordItem['status'] = FAULT_RECORD_STATES.occurred;
  if (a.state === 'resolved')
    status = a.resolution === 'false_alarm' ? FAULT_RECORD_STATES.false_alarm : FAULT_RECORD_STATES.done;
  else if (row.arrivedAt !== null) status = FAULT_RECORD_STATES.on_site;
  else if (a.state === 'acknowledged') status = FAULT_RECORD_STATES.responded;
  const at = (ms: number | null) => (ms === null ? null : chinaTime(ms));
  return {
    record_id: a.id,
    registration_code: registrationCode,
    fault_code: entry.gb ?? '00',
    fault_name: entry.zh,
    occurred_at: chinaTime(a.opened_at),
    status,
    responded_at: at(a.acknowledged_at),
    arrived_at: at(row.arrivedAt),
    finished_at: at(a.resolved_at),
  };
}

export interface DatasetScope {
  /** Null: every estate. */
  estateIds: readonly string[] | null;
  /** Fault records touched at or after this (epoch ms). */
  since?: number;
  /** Fault records: this alert only. */
  alertId?: string;
}

export interface DatasetSources {
  reads: RegulatorRepository;
  directory: Directory;
  stateSource: ElevatorStateSource;
  health: InfluxHealth | null;
  clock: () => number;
}

const FAULT_RECORD_LIMIT = 5000;

export class RegulatorDatasets {
  readonly #s: DatasetSources;

  constructor(sources: DatasetSources) {
    this.#s = sources;
  }

  #elevators(scope: DatasetScope): ElevatorEntry[] {
    const ids = scope.estateIds;
    return [...this.#s.directory.elevators()]
      .filter((e) => ids === null || ids.includes(e.estateId))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async build<D extends RegulatorDataset>(dataset: D, scope: DatasetScope): Promise<RegulatorItems[D][]> {
    switch (dataset) {
      case 'basic_info':
        return (await this.basicInfo(scope)) as RegulatorItems[D][];
      case 'running_status':
        return this.runningStatus(scope) as RegulatorItems[D][];
      case 'statistics':
        return (await this.statistics(scope)) as RegulatorItems[D][];
      case 'fault_records':
        return (await this.faultRecords(scope)) as RegulatorItems[D][];
      default:
        throw new Error(`unknown data set ${dataset satisfies never}`);
    }
  }

  async basicInfo(scope: DatasetScope): Promise<BasicInfoItem[]> {
    const ratings = await this.#s.reads.elevatorRatings(scope.estateIds);
    const out: BasicInfoItem[] = [];
    for (const e of this.#elevators(scope)) {
      const estate = this.#s.directory.estate(e.estateId);
      const spec = ratings.get(e.id);
      if (!estate || !spec) continue;
      out.push({
        registration_code: e.registrationCode,
        elevator_id: e.id,
        name: e.name,
        estate: estate.name,
        building: e.buildingName,
        user_unit: estate.firmName,
        maintenance_unit: estate.companyName,
        maintenance_phone: estate.companyPhone,
        emergency_phone: estate.emergencyPhone,
        floors: e.floors,
        rated_speed_mps: spec.ratedSpeedMps,
        rated_load_kg: spec.ratedLoadKg,
        ...(spec.manufacturer ? { manufacturer: spec.manufacturer } : {}),
        ...(spec.installDate ? { install_date: spec.installDate } : {}),
        ...(e.inspectionDue ? { next_inspection_date: e.inspectionDue } : {}),
      });
    }
    return out;
  }

  runningStatus(scope: DatasetScope): RunningStatusItem[] {
    const out: RunningStatusItem[] = [];
    for (const e of this.#elevators(scope)) {
      const state = this.#s.stateSource.get(e.id);
      // Nothing heard yet: no status to report rather than an invented one.
      if (state?.telemetry) out.push(runningStatusOf(e, state, state.telemetry));
    }
    return out;
  }

  async statistics(scope: DatasetScope): Promise<StatisticsItem[]> {
    const hours = this.#s.health ? await this.#s.health.runHours(scope.estateIds) : new Map<string, number>();
    const ts = chinaTime(this.#s.clock());
    return this.#elevators(scope).map((e) => ({
      registration_code: e.registrationCode,
      ts,
      run_count: this.#s.stateSource.get(e.id)?.telemetry?.run_count ?? null,
      total_run_hours: hours.has(e.id) ? Math.round(hours.get(e.id)! * 100) / 100 : null,
    }));
  }

  async faultRecords(scope: DatasetScope): Promise<FaultRecordItem[]> {
    const rows = await this.#s.reads.faultRecords({
      estateIds: scope.estateIds,
      codes: FAULT_RECORD_CODES,
      since: scope.since ?? 0,
      limit: FAULT_RECORD_LIMIT,
      ...(scope.alertId !== undefined ? { alertId: scope.alertId } : {}),
    });
    const out: FaultRecordItem[] = [];
    for (const row of rows) {
      const e = this.#s.directory.elevator(row.alert.elevator_id);
      if (e) out.push(faultRecordOf(row, e.registrationCode));
    }
    return out;
  }
}
