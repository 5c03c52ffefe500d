/**
 * The fault and event catalogue: canonical codes, their GB/T 24476 numbers where the
 * standard has one, severity and bilingual labels. Detection rules, the event channel,
 * alerts and the resident page all speak these codes.
 */

export type Severity = 'critical' | 'major' | 'minor' | 'info';

export interface CatalogueEntry {
  /** GB/T 24476-2017 fault or event number, where the standard lists one. */
  gb?: string;
  severity: Severity;
  /**
   * While open, the car is not carrying passengers: the QR page reads 故障停梯. Severity does
   * not say it (a maintenance finding is major and the car runs; an alarm press is major and
   * the car may be fine), so each code says it itself.
   */
  stopsCar: boolean;
  zh: string;
  en: string;
}

export const FAULT_CODES = {
  safety_circuit_open_running: {
    gb: '01',
    severity: 'critical',
    stopsCar: true,
    zh: '运行时安全回路断路',
    en: 'Safety circuit opened while running',
  },
  door_close_fault: { gb: '02', severity: 'major', stopsCar: true, zh: '关门故障', en: 'Door close fault' },
  door_open_fault: { gb: '03', severity: 'major', stopsCar: true, zh: '开门故障', en: 'Door open fault' },
  stop_outside_door_zone: {
    gb: '04',
    severity: 'major',
    stopsCar: true,
    zh: '轿厢在开锁区域外停止',
    en: 'Car stopped outside the door zone',
  },
  unintended_car_movement: {
    gb: '05',
    severity: 'critical',
    stopsCar: true,
    zh: '轿厢意外移动',
    en: 'Unintended car movement',
  },
  motor_runtime_limiter: {
    gb: '06',
    severity: 'major',
    stopsCar: true,
    zh: '电动机运转时间限制器动作',
    en: 'Motor runtime limiter tripped',
  },
  floor_position_lost: {
    gb: '07',
    severity: 'major',
    stopsCar: true,
    zh: '楼层位置丢失',
    en: 'Floor position lost',
  },
  rerun_prevention: {
    gb: '08',
    severity: 'major',
    stopsCar: true,
    zh: '防止电梯再运行故障',
    en: 'Restart prevented after a safety trip',
  },
  top_overtravel: { gb: '09', severity: 'critical', stopsCar: true, zh: '冲顶', en: 'Top overtravel' },
  bottom_overtravel: { gb: '10', severity: 'critical', stopsCar: true, zh: '蹲底', en: 'Bottom overtravel' },
  passenger_trapped: { gb: '11', severity: 'critical', stopsCar: true, zh: '困人', en: 'Passenger trapped' },
  door_open_while_moving: {
    severity: 'critical',
    stopsCar: true,
    zh: '运行中开门',
    en: 'Door open while moving',
  },
  overspeed: { severity: 'critical', stopsCar: true, zh: '超速', en: 'Overspeed' },
  long_door_open: { severity: 'minor', stopsCar: false, zh: '长时间不关门', en: 'Door held open too long' },
  lock_circuit_fault: {
    severity: 'critical',
    stopsCar: true,
    zh: '门锁回路断路',
    en: 'Door lock circuit fault',
  },
  power_lost: { gb: '41', severity: 'major', stopsCar: true, zh: '停电', en: 'Mains power lost' },
  device_offline: { severity: 'major', stopsCar: false, zh: '设备离线', en: 'Monitoring device offline' },
  alarm_button: {
    gb: '90',
    severity: 'major',
    stopsCar: false,
    zh: '轿厢报警按钮',
    en: 'Alarm button pressed',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type FaultCode = keyof typeof FAULT_CODES;

/** Maintenance findings raised from visit verdicts and across-visit checks. */
export const MAINTENANCE_CODES = {
  maintenance_suspect: {
    severity: 'major',
    stopsCar: false,
    zh: '维保存疑',
    en: 'Maintenance visit suspect',
  },
  maintenance_fake: {
    severity: 'major',
    stopsCar: false,
    zh: '疑似虚假维保',
    en: 'Maintenance visit likely fake',
  },
  maintenance_overdue: {
    severity: 'major',
    stopsCar: false,
    zh: '维保超期',
    en: 'Maintenance overdue (more than 15 days)',
  },
  impossible_travel: {
    severity: 'major',
    stopsCar: false,
    zh: '维保人员行程不可能',
    en: 'Technician travel impossible',
  },
  unreported_maintenance: {
    severity: 'minor',
    stopsCar: false,
    zh: '未登记的检修操作',
    en: 'Inspection mode without check-in',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type MaintenanceCode = keyof typeof MAINTENANCE_CODES;

/** Status events a controller reports on the event channel (GB/T 24476 events 40–47, 90). */
export const STATUS_EVENT_CODES = {
  normal_restored: {
    gb: '40',
    severity: 'info',
    stopsCar: false,
    zh: '恢复正常',
    en: 'Normal service restored',
  },
  out_of_service: { gb: '42', severity: 'info', stopsCar: false, zh: '停止服务', en: 'Out of service' },
  inspection_entered: {
    gb: '43',
    severity: 'info',
    stopsCar: false,
    zh: '进入检修',
    en: 'Inspection mode entered',
  },
  inspection_left: { severity: 'info', stopsCar: false, zh: '退出检修', en: 'Inspection mode left' },
  fire_return: { gb: '44', severity: 'info', stopsCar: false, zh: '消防返回', en: 'Fire return' },
  firefighter: { gb: '45', severity: 'info', stopsCar: false, zh: '消防员运行', en: 'Firefighter operation' },
  emergency_power: {
    gb: '46',
    severity: 'info',
    stopsCar: false,
    zh: '应急电源运行',
    en: 'Emergency power operation',
  },
  earthquake: { gb: '47', severity: 'info', stopsCar: false, zh: '地震运行', en: 'Earthquake operation' },
  power_restored: { severity: 'info', stopsCar: false, zh: '恢复供电', en: 'Mains power restored' },
  stop_switch_pit: {
    severity: 'info',
    stopsCar: false,
    zh: '底坑急停开关动作',
    en: 'Pit stop switch operated',
  },
  stop_switch_car_top: {
    severity: 'info',
    stopsCar: false,
    zh: '轿顶急停开关动作',
    en: 'Car-top stop switch operated',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type StatusEventCode = keyof typeof STATUS_EVENT_CODES;

export const EVENT_CATALOGUE: Record<string, CatalogueEntry> = {
  ...FAULT_CODES,
  ...STATUS_EVENT_CODES,
};

export const ALERT_CATALOGUE: Record<string, CatalogueEntry> = { ...FAULT_CODES, ...MAINTENANCE_CODES };

export type AlertCode = FaultCode | MaintenanceCode;

/** Whether an open alert of this code means the car is not carrying passengers; unknown codes do not. */
export function stopsCar(code: string): boolean {
  return Object.hasOwn(ALERT_CATALOGUE, code) && ALERT_CATALOGUE[code]!.stopsCar;
}

export function isFaultCode(code: string): code is FaultCode {
  return Object.hasOwn(FAULT_CODES, code);
}
