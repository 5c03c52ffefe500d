/**
 * The health contract (issue 16): what the ingest's health stage writes to InfluxDB as one
 * `health_daily` point per lift and device day, and what the API and Grafana read back.
 * The ingest owns the computation (ingest/health/); the names and the shape of the `detail`
 * field live here so the readers never reach into the ingest.
 */
import { HEALTH_POLICY, influxSeries, MEASUREMENTS } from './influx.ts';

/** InfluxDB measurement (in HEALTH_POLICY, the long-kept one; tags estate, building, elevator). */
export const HEALTH_MEASUREMENT = MEASUREMENTS.healthDaily;
export { HEALTH_POLICY };

/** `"database"."aggregates"."health_daily"`: every reader names the policy, never the default one. */
export function healthSeries(database: string): string {
  return influxSeries(database, HEALTH_POLICY, HEALTH_MEASUREMENT);
}

/** The signals judged against each lift's own baseline, in the ingest's ring order. */
export const JUDGED = [
  'door_close_ms',
  'door_dwell_s',
  'reopens_per_close',
  'relevels_per_100_stops',
  'outside_zone_per_1000_stops',
  'stop_error_mm',
  'stop_distance_mm',
  'minor_faults_per_1000_trips',
  'top_speed_ratio',
  'vibration_mg',
] as const;
export type JudgedSignal = (typeof JUDGED)[number];

/** Usage figures of the day, written beside the judged signals. */
export const USAGE_FIELDS = ['trips', 'run_hours', 'door_cycles', 'run_counter_ratio'] as const;

/**
 * Field suffixes of a signal's baseline band as of the day: `<signal>_median` (the lift's
 * usual level) and `<signal>_floor` (how far it may depart before it costs points).
 */
export const BAND_SUFFIX = { median: '_median', floor: '_floor' } as const;

export type Component = 'door_operator' | 'levelling' | 'brake' | 'drive' | 'controller';

export const COMPONENT_LABEL: Record<Component, { zh: string; en: string }> = {
  door_operator: { zh: '门机系统', en: 'door operator' },
  levelling: { zh: '平层装置', en: 'levelling' },
  brake: { zh: '制动器', en: 'brake' },
  drive: { zh: '曳引驱动', en: 'drive and guides' },
  controller: { zh: '控制柜计数', en: 'controller run counter' },
};

/** Each signal's name and unit, in the reader's language. */
export const SIGNAL_LABEL: Record<JudgedSignal, { zh: string; en: string; unit: string }> = {
  door_close_ms: { zh: '关门时间', en: 'Door closing time', unit: 'ms' },
  door_dwell_s: { zh: '开门停留', en: 'Door dwell', unit: 's' },
  reopens_per_close: { zh: '关门重开比例', en: 'Reopens per close', unit: '' },
  relevels_per_100_stops: { zh: '每百次停站再平层', en: 'Re-levels per 100 stops', unit: '' },
  outside_zone_per_1000_stops: { zh: '每千次停站门区外停梯', en: 'Stops outside zone per 1,000', unit: '' },
  stop_error_mm: { zh: '平层误差', en: 'Stopping error', unit: 'mm' },
  stop_distance_mm: { zh: '制动距离', en: 'Braking distance', unit: 'mm' },
  minor_faults_per_1000_trips: { zh: '每千次运行小故障', en: 'Minor faults per 1,000 trips', unit: '' },
  top_speed_ratio: { zh: '最高速度/额定速度', en: 'Top speed / rated', unit: '' },
  vibration_mg: { zh: '运行振动', en: 'Vibration', unit: 'mg' },
};

/** A health state: `ok` has a score; `insufficient` means "not enough data yet", never a score. */
export type HealthStatus = 'ok' | 'insufficient';

/** The `detail` string field of a `health_daily` point (JSON): reasons and advice in both languages. */
export interface HealthDetail {
  reasons: { signal: string; component: string; points: number; zh: string; en: string }[];
  advice: { zh: string; en: string }[];
  stretched: boolean;
}
