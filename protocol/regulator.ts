/**
 * The regulator's data sets (GB/T 24476-2017 clauses 8–11, the items platforms still exchange
 * under the 2023 edition): basic information, real-time running status, statistics and fault
 * records with the standard's states. One schema per item and one envelope per pushed
 * document; the API serves the same items for a government platform to pull, and the
 * adapter (api/regulator/push.ts) pushes the envelopes. Codes follow docs DOMAIN.md §1.1:
 * car_status 0 stopped / 1 running; car_direction 0 none / 1 up / 2 down; door_zone 1 in /
 * 2 out; door_status 1 closed in place / 2 not; passenger_status 1 occupied / 2 empty;
 * service_mode 0–7; limit and power flags 1 yes / 2 no.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Nullable } from './schema-kit.ts';

export const REGULATOR_DATASETS = ['basic_info', 'running_status', 'statistics', 'fault_records'] as const;
export type RegulatorDataset = (typeof REGULATOR_DATASETS)[number];

/** ISO 8601 with the China Standard Time offset, e.g. 2025-05-20T12:00:00+08:00. */
const LocalTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+08:00$',
  description: 'ISO 8601, China Standard Time (+08:00)',
});
const Flag = (description: string) => Type.Union([Type.Literal(1), Type.Literal(2)], { description });
const RegistrationCode = Type.String({
  minLength: 1,
  maxLength: 64,
  description: '注册代码 registration code',
});

export const BasicInfoItem = Type.Object(
  {
    registration_code: RegistrationCode,
    elevator_id: Type.String({ description: 'Lift Watch id' }),
    name: Type.String(),
    estate: Type.String({ description: '使用地点 the estate' }),
    building: Type.String(),
    user_unit: Type.String({ description: '使用单位 the property firm' }),
    maintenance_unit: Type.String({ description: '维保单位' }),
    maintenance_phone: Type.String(),
    emergency_phone: Type.String({ description: '应急电话' }),
    floors: Type.Integer({ minimum: 1, description: '层站数' }),
    rated_speed_mps: Type.Number({ exclusiveMinimum: 0 }),
    rated_load_kg: Type.Number({ exclusiveMinimum: 0 }),
    manufacturer: Type.Optional(
      Type.String({ minLength: 1, description: '制造单位 (when the fleet file names it)' }),
    ),
    install_date: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: '安装日期 YYYY-MM-DD (when the fleet file names it)',
      }),
    ),
    next_inspection_date: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description:
          '下次检验日期 YYYY-MM-DD, from the inspection certificate (when the fleet file names it)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type BasicInfoItem = Static<typeof BasicInfoItem>;

export const RunningStatusItem = Type.Object(
  {
    registration_code: RegistrationCode,
    ts: LocalTime,
    online: Type.Boolean({ description: 'The device is connected' }),
    car_status: Type.Union([Type.Literal(0), Type.Literal(1)]),
    car_direction: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
    door_zone: Flag('1 in the door zone, 2 outside'),
    car_position: Type.Integer({ description: 'Floor' }),
    door_status: Flag('1 closed in place (关门到位), 2 not closed'),
    passenger_status: Flag('1 occupied, 2 empty'),
    service_mode: Type.Integer({
      minimum: 0,
      maximum: 7,
      description:
        '0 out of service, 1 normal, 2 inspection, 3 fire return, 4 firefighter, 5 emergency power, 6 earthquake, 7 unknown',
    }),
    up_limit: Flag('1 up limit switch operated, 2 not'),
    down_limit: Flag('1 down limit switch operated, 2 not'),
    power_status: Flag('1 mains, 2 battery or off'),
  },
  { additionalProperties: false },
);
export type RunningStatusItem = Static<typeof RunningStatusItem>;

export const StatisticsItem = Type.Object(
  {
    registration_code: RegistrationCode,
    ts: LocalTime,
    run_count: Nullable(
      Type.Integer({ minimum: 0, description: '运行次数: the controller’s lifetime counter' }),
    ),
    total_run_hours: Nullable(
      Type.Number({
        minimum: 0,
        description: '累计运行时间 (h) since monitoring began (days the ingest closed)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StatisticsItem = Static<typeof StatisticsItem>;

/** GB/T 24476 fault-record states. */
export const FAULT_RECORD_STATES = {
  done: '00',
  occurred: '01',
  responded: '02',
  on_site: '04',
  false_alarm: '05',
} as const;

export const FaultRecordItem = Type.Object(
  {
    record_id: Type.String({ minLength: 1 }),
    registration_code: RegistrationCode,
    fault_code: Type.String({ pattern: '^\\d{2}$', description: 'GB/T 24476 fault or event number' }),
    fault_name: Type.String(),
    occurred_at: LocalTime,
    status: Type.Union(
      Object.values(FAULT_RECORD_STATES).map((s) => Type.Literal(s)),
      { description: '00 done, 01 occurred, 02 responded, 04 on site, 05 false alarm' },
    ),
    responded_at: Nullable(LocalTime),
    arrived_at: Nullable(LocalTime),
    finished_at: Nullable(LocalTime),
  },
  { additionalProperties: false },
);
export type FaultRecordItem = Static<typeof FaultRecordItem>;

export const REGULATOR_ITEMS = {
  basic_info: BasicInfoItem,
  running_status: RunningStatusItem,
  statistics: StatisticsItem,
  fault_records: FaultRecordItem,
} as const satisfies Record<RegulatorDataset, TSchema>;

export interface RegulatorItems {
  basic_info: BasicInfoItem;
  running_status: RunningStatusItem;
  statistics: StatisticsItem;
  fault_records: FaultRecordItem;
}

const envelope = <D extends RegulatorDataset>(dataset: D) =>
  Type.Object(
    {
      dataset: Type.Literal(dataset),
      document_id: Type.String({
        minLength: 8,
        maxLength: 64,
        description: 'Unique; a resent document keeps it',
      }),
      platform_id: Type.String({ minLength: 1, description: 'The sending enterprise platform' }),
      created_at: LocalTime,
      items: Type.Array(REGULATOR_ITEMS[dataset]),
    },
    { additionalProperties: false },
  );

/** One pushed document: a data set's items, with an id the receiver deduplicates by. */
export const RegulatorDocument = Type.Union(
  REGULATOR_DATASETS.map((d) => envelope(d)),
  {
    $id: 'RegulatorDocument',
    title: 'GB/T 24476 data set document (push)',
  },
);
export type RegulatorDocument = {
  [D in RegulatorDataset]: {
    dataset: D;
    document_id: string;
    platform_id: string;
    created_at: string;
    items: RegulatorItems[D][];
  };
}[RegulatorDataset];

/** Epoch ms → `YYYY-MM-DDTHH:mm:ss+08:00`. */
export function chinaTime(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** Headers of a signed push: `X-LiftWatch-Signature: sha256=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))`. */
export const PUSH_HEADERS = {
  timestamp: 'x-liftwatch-timestamp',
  signature: 'x-liftwatch-signature',
  dataset: 'x-liftwatch-dataset',
  documentId: 'x-liftwatch-document-id',
} as const;
