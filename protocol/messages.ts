/**
 * Device protocol v1: the message schemas. These TypeBox schemas are the single source
 * of the TypeScript types, the runtime validators (validate.ts), the API's response
 * schemas and the published JSON Schemas (docs/schemas). Unknown fields are allowed and
 * kept: a newer device must not be rejected by an older ingest.
 */
import { type Static, type TLiteral, type TUnion, Type } from '@sinclair/typebox';

export const PROTOCOL_VERSION = 1;

const Envelope = {
  v: Type.Literal(1, { description: 'Protocol version' }),
  ts: Type.Integer({ minimum: 0, description: 'Device time, epoch milliseconds' }),
  seq: Type.Integer({
    minimum: 0,
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

/** GB/T 24476 running-status items (clause 9), one sample of the car. */
export const Telemetry = Type.Object(
  {
    ...Envelope,
    mode: literalUnion(SERVICE_MODES, 'Service mode (GB/T 24476 service_mode)'),
    moving: Type.Boolean({ description: 'Car running (car_status)' }),
    direction: literalUnion(['up', 'down', 'none'] as const, 'Travel direction'),
    floor: Type.Integer({ description: 'Landing number of the car position' }),
    position_m: Type.Number({ description: 'Car height above the lowest landing, metres' }),
    speed_mps: Type.Number({ minimum: 0, description: 'Car speed, m/s' }),
    door_zone: Type.Boolean({ description: 'Car inside the unlocking (door) zone' }),
    door_closed: Type.Boolean({ description: 'Doors closed and locked in place (关门到位)' }),
    occupied: Type.Boolean({ description: 'Passenger present in the car' }),
    safety_circuit: Type.Boolean({ description: 'Safety circuit closed (true = healthy)' }),
    door_lock: Type.Boolean({ description: 'Door lock circuit closed' }),
    up_limit: Type.Boolean({ description: 'Up limit switch operated' }),
    down_limit: Type.Boolean({ description: 'Down limit switch operated' }),
    power: literalUnion(['mains', 'battery', 'off'] as const, 'Power supply'),
    run_count: Type.Integer({ minimum: 0, description: 'Lifetime run counter' }),
    load_kg: Type.Optional(Type.Number({ minimum: 0 })),
    vibration_mg: Type.Optional(Type.Number({ minimum: 0 })),
    // Condition measurements (issue 16), sent by controllers that measure them. No range in the
    // schema on purpose: an out-of-range value is dead-lettered alone by the health stage
    // (ingest/health/), the sample is kept.
    door_close_ms: Type.Optional(
      Type.Number({
        description:
          'On the sample where the doors reach closed in place: time from the close command to 关门到位, ms',
      }),
    ),
    stop_error_mm: Type.Optional(
      Type.Number({
        description:
          'On the sample where a run ends: stopping accuracy, car sill minus landing sill, mm (+ above the landing)',
      }),
    ),
    stop_distance_mm: Type.Optional(
      Type.Number({
        description: 'On the sample where a run ends: car travel from brake application to standstill, mm',
      }),
    ),
  },
  { $id: 'Telemetry', title: 'elevators/{id}/telemetry' },
);
export type Telemetry = Static<typeof Telemetry>;

/** What the controller itself reports: faults, status events, the alarm button. */
export const DeviceEvent = Type.Object(
  {
    ...Envelope,
    code: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z0-9_]+$',
      description: 'Event or fault code from the catalogue',
    }),
    detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
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
export const MaintenanceMessage = Type.Object(
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
        description: 'TSG T5002 item numbers done (on check_out)',
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
export const DeviceStatus = Type.Object(
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
