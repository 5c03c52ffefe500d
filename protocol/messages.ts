/**
 * Device protocol v1: the message schemas. These TypeBox schemas are the single source
 * of the TypeScript types, the runtime validators (validate.ts), the API's response
 * schemas and the published JSON Schemas (docs/schemas). Unknown fields are allowed and
 * kept: a newer device must not be rejected by an older ingest. What is kept is bounded
 * (nesting, keys, sizes) and every number is held to its physical range (bounds.ts).
 */
import {
  type Static,
  type TLiteral,
  type TObject,
  type TProperties,
  type TSchema,
  type TUnion,
  Type,
} from '@sinclair/typebox';
import {
  CONDITION_MEASURE_MAX,
  COUNTER_MAX,
  FLOOR_MAX,
  FLOOR_MIN,
  KEPT_ARRAY_MAX_ITEMS,
  KEPT_KEY_PATTERN,
  KEPT_MAX_DEPTH,
  KEPT_OBJECT_MAX_KEYS,
  KEPT_STRING_MAX_CHARS,
  LOAD_KG_MAX,
  MAINTENANCE_ITEMS_MAX,
  POSITION_M_MAX,
  POSITION_M_MIN,
  SPEED_MPS_MAX,
  TS_MAX,
  TS_MIN,
  UNKNOWN_FIELDS_MAX,
  VIBRATION_MG_MAX,
} from './bounds.ts';

export const PROTOCOL_VERSION = 1;

/** Marks the schema of a kept value, so a validation error can say which bounds it broke. */
export const KEPT_VALUE_DESCRIPTION = `JSON kept as sent: at most ${KEPT_MAX_DEPTH} levels of objects and arrays, ${KEPT_OBJECT_MAX_KEYS} keys per object (names of 1-64 characters, not __proto__, constructor or prototype), ${KEPT_ARRAY_MAX_ITEMS} items per array, strings of at most ${KEPT_STRING_MAX_CHARS} characters, finite numbers`;

/**
 * JSON values with at most `n` levels of objects and arrays, one schema per level, each
 * referring to the level below: the validator's work (and any reader's recursion) stops at
 * the bound, and the published schemas stay small. `KEPT_VALUES[n]` has `$id` `KeptValue{n}`.
 */
export const KEPT_VALUES: TSchema[] = [];
const keptValueId = (levels: number) => `KeptValue${levels}`;
for (let n = 0; n <= KEPT_MAX_DEPTH; n++) {
  const scalars: TSchema[] = [
    Type.String({ maxLength: KEPT_STRING_MAX_CHARS }),
    Type.Number(),
    Type.Boolean(),
    Type.Null(),
  ];
  const containers =
    n === 0
      ? []
      : [Type.Array(Type.Ref(keptValueId(n - 1)), { maxItems: KEPT_ARRAY_MAX_ITEMS }), keptObject(n - 1)];
  KEPT_VALUES.push(
    Type.Union([...scalars, ...containers], { $id: keptValueId(n), description: KEPT_VALUE_DESCRIPTION }),
  );
}

/** An object whose members have at most `levels` levels, within the kept-value bounds on keys. */
function keptObject(levels: number, options: { description?: string } = {}) {
  return Type.Record(Type.String({ pattern: KEPT_KEY_PATTERN }), Type.Ref(keptValueId(levels)), {
    additionalProperties: false,
    maxProperties: KEPT_OBJECT_MAX_KEYS,
    ...options,
  });
}

/**
 * A channel's message: its own fields, plus unknown fields kept within bounds. TypeBox's
 * compiler has no `propertyNames`; validate.ts applies that keyword to unknown fields itself.
 */
function deviceMessage<T extends TProperties>(
  properties: T,
  options: { $id: string; title: string },
): TObject<T> {
  return Type.Object(properties, {
    ...options,
    additionalProperties: Type.Ref(keptValueId(KEPT_MAX_DEPTH)),
    maxProperties: Object.keys(properties).length + UNKNOWN_FIELDS_MAX,
    propertyNames: { pattern: KEPT_KEY_PATTERN },
  });
}

const Envelope = {
  v: Type.Literal(1, { description: 'Protocol version' }),
  ts: Type.Integer({
    minimum: TS_MIN,
    maximum: TS_MAX,
    description: 'Device time, epoch milliseconds (2000-01-01 .. 2100-01-01 UTC)',
  }),
  seq: Type.Integer({
    minimum: 0,
    maximum: COUNTER_MAX,
    description: 'Per-device counter, +1 on every message of any channel; used for dedup and gap detection',
  }),
};

export const SERVICE_MODES = [
  'normal',
  'inspection',
  'out_of_service',
  'fire_return',
  'firefighter',
  'emergency_power',
  'earthquake',
  'unknown',
] as const;
export type ServiceMode = (typeof SERVICE_MODES)[number];

function literalUnion<const T extends readonly string[]>(
  values: T,
  description: string,
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    { description },
  );
}

/** GB/T 24476 running-status items (clause 9), one sample of the car: the fields the protocol knows. */
export const TELEMETRY_FIELDS = {
  ...Envelope,
  mode: literalUnion(SERVICE_MODES, 'Service mode (GB/T 24476 service_mode)'),
  moving: Type.Boolean({ description: 'Car running (car_status)' }),
  direction: literalUnion(['up', 'down', 'none'] as const, 'Travel direction'),
  floor: Type.Integer({
    minimum: FLOOR_MIN,
    maximum: FLOOR_MAX,
    description: 'Landing number of the car position',
  }),
  position_m: Type.Number({
    minimum: POSITION_M_MIN,
    maximum: POSITION_M_MAX,
    description: 'Car height above the lowest landing, metres',
  }),
  speed_mps: Type.Number({ minimum: 0, maximum: SPEED_MPS_MAX, description: 'Car speed, m/s' }),
  door_zone: Type.Boolean({ description: 'Car inside the unlocking (door) zone' }),
  door_closed: Type.Boolean({ description: 'Doors closed and locked in place (关门到位)' }),
  door_closing: Type.Optional(
    Type.Boolean({
      description:
        'The controller is driving the doors closed (关门指令), retries after a reopen included; ' +
        'false while the doors are held open (door-open button, hold switch, dwell). Optional: ' +
        'without it a close fault is seen only as reopen cycles or the controller’s own event',
    }),
  ),
  occupied: Type.Boolean({ description: 'Passenger present in the car' }),
  safety_circuit: Type.Boolean({ description: 'Safety circuit closed (true = healthy)' }),
  door_lock: Type.Boolean({ description: 'Door lock circuit closed' }),
  up_limit: Type.Boolean({ description: 'Up limit switch operated' }),
  down_limit: Type.Boolean({ description: 'Down limit switch operated' }),
  power: literalUnion(['mains', 'battery', 'off'] as const, 'Power supply'),
  run_count: Type.Integer({ minimum: 0, maximum: COUNTER_MAX, description: 'Lifetime run counter' }),
  load_kg: Type.Optional(Type.Number({ minimum: 0, maximum: LOAD_KG_MAX, description: 'Car load, kg' })),
  vibration_mg: Type.Optional(
    Type.Number({ minimum: 0, maximum: VIBRATION_MG_MAX, description: 'Vibration, milli-g' }),
  ),
  // Condition measurements (issue 16), sent by controllers that measure them. The schema keeps
  // them representable only: a value outside its physical range is dead-lettered alone by the
  // health stage (ingest/health/), and the sample is kept.
  door_close_ms: Type.Optional(
    Type.Number({
      minimum: -CONDITION_MEASURE_MAX,
      maximum: CONDITION_MEASURE_MAX,
      description:
        'On the sample where the doors reach closed in place: time from the close command to 关门到位, ms',
    }),
  ),
  stop_error_mm: Type.Optional(
    Type.Number({
      minimum: -CONDITION_MEASURE_MAX,
      maximum: CONDITION_MEASURE_MAX,
      description:
        'On the sample where a run ends: stopping accuracy, car sill minus landing sill, mm (+ above the landing)',
    }),
  ),
  stop_distance_mm: Type.Optional(
    Type.Number({
      minimum: -CONDITION_MEASURE_MAX,
      maximum: CONDITION_MEASURE_MAX,
      description: 'On the sample where a run ends: car travel from brake application to standstill, mm',
    }),
  ),
};

export const Telemetry = deviceMessage(TELEMETRY_FIELDS, {
  $id: 'Telemetry',
  title: 'elevators/{id}/telemetry',
});
export type Telemetry = Static<typeof Telemetry>;

/**
 * The known fields of a telemetry sample, nothing else: what a service shows of a device's
 * telemetry (the API's elevator state). Unknown fields stay with the raw message.
 */
export const TelemetryReading = Type.Object(TELEMETRY_FIELDS, {
  additionalProperties: false,
  description: 'Latest telemetry sample: the protocol fields of Telemetry, without unknown fields',
});
export type TelemetryReading = Static<typeof TelemetryReading>;

const TELEMETRY_KEYS = Object.keys(TELEMETRY_FIELDS) as (keyof TelemetryReading)[];

/** A fresh copy holding only the protocol's telemetry fields (absent optional ones stay absent). */
export function telemetryReading(sample: Telemetry): TelemetryReading {
  const reading: Record<string, unknown> = {};
  for (const key of TELEMETRY_KEYS) {
    const value = sample[key];
    if (value !== undefined) reading[key] = value;
  }
  return reading as TelemetryReading;
}

/** What the controller itself reports: faults, status events, the alarm button. */
export const DeviceEvent = deviceMessage(
  {
    ...Envelope,
    code: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z0-9_]+$',
      description: 'Event or fault code from the catalogue',
    }),
    detail: Type.Optional(
      keptObject(KEPT_MAX_DEPTH - 1, {
        description: 'Details of the event, as the controller sends them',
      }),
    ),
  },
  { $id: 'DeviceEvent', title: 'elevators/{id}/event' },
);
export type DeviceEvent = Static<typeof DeviceEvent>;

export const VISIT_KINDS = ['half_monthly', 'quarterly', 'half_yearly', 'yearly', 'repair'] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];

export const GeoPoint = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
});
export type GeoPoint = Static<typeof GeoPoint>;

/** A technician's check-in or check-out at the car (NFC tag, app or QR). */
export const MaintenanceMessage = deviceMessage(
  {
    ...Envelope,
    action: literalUnion(['check_in', 'check_out'] as const, 'Visit boundary'),
    visit_id: Type.String({ minLength: 1, maxLength: 128 }),
    technician_id: Type.String({ minLength: 1, maxLength: 128 }),
    company_id: Type.String({ minLength: 1, maxLength: 128 }),
    kind: literalUnion(VISIT_KINDS, 'Maintenance class (TSG T5002) or repair'),
    method: literalUnion(['nfc', 'app', 'qr'] as const, 'How the technician checked in'),
    location: Type.Optional(GeoPoint),
    items: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 200 }), {
        maxItems: MAINTENANCE_ITEMS_MAX,
        description: 'TSG T5002 item numbers done (on check_out)',
      }),
    ),
    via: Type.Optional(
      Type.Literal('phone', {
        description:
          "Sent by the API for a technician's phone (check-in and check-out from the app): no device counter, so `seq` is 0 and takes no part in dedup; the API sends each boundary once",
      }),
    ),
  },
  { $id: 'MaintenanceMessage', title: 'elevators/{id}/maintenance' },
);
export type MaintenanceMessage = Static<typeof MaintenanceMessage>;

/**
 * Online/offline. Retained `online` on connect, `offline` as the Last Will. A Will is
 * fixed when the device connects, so `seq` is optional here and status messages take no
 * part in dedup or gap counting.
 */
export const DeviceStatus = deviceMessage(
  {
    v: Envelope.v,
    ts: Envelope.ts,
    seq: Type.Optional(Envelope.seq),
    state: literalUnion(['online', 'offline'] as const, 'Connection state'),
  },
  { $id: 'DeviceStatus', title: 'elevators/{id}/status' },
);
export type DeviceStatus = Static<typeof DeviceStatus>;

/** Topic channel → payload type, as zigbee2mqtt's api.ts maps its topics. */
export interface DevicePayloads {
  telemetry: Telemetry;
  event: DeviceEvent;
  maintenance: MaintenanceMessage;
  status: DeviceStatus;
}

export const DEVICE_SCHEMAS = {
  telemetry: Telemetry,
  event: DeviceEvent,
  maintenance: MaintenanceMessage,
  status: DeviceStatus,
} as const;

/** A decoded, validated device message as it flows through the ingest. */
export type DeviceMessage = {
  [C in keyof DevicePayloads]: {
    channel: C;
    elevatorId: string;
    payload: DevicePayloads[C];
    /** Broker receive time (wall clock, epoch ms), for latency and offline detection. */
    receivedAt: number;
  };
}[keyof DevicePayloads];
