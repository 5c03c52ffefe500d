/**
 * The fleet-changed service message on `fleet/changed`: a process that changed the fleet
 * in the store (a fleet file reloaded, an elevator added) says so, and every other
 * process's directory (fleet/directory.ts) re-reads the store. The message names what
 * changed for the logs; the store stays the truth, so a lost or repeated message costs at
 * most one refresh (each directory also refreshes on a timer, FLEET_REFRESH_S).
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * At most this many ids per list: the lists are for the logs (every receiver re-reads the
 * store anyway), and the message must stay far below the broker's packet limit
 * (MQTT_MAX_PACKET_BYTES, 64 KiB by default) however large the reload.
 */
export const FLEET_CHANGED_MAX_IDS = 500;
const ElevatorIds = Type.Array(Type.String({ maxLength: 64 }), { maxItems: FLEET_CHANGED_MAX_IDS });

export const FLEET_CHANGE_REASONS = ['fleet_file', 'admin'] as const;

export const FleetChangedMessage = Type.Object(
  {
    /** Which process announced it, so it can ignore its own echo. */
    origin: Type.String({ minLength: 1, maxLength: 128 }),
    /** Wall clock, epoch ms. */
    at: Type.Integer({ minimum: 0 }),
    reason: Type.Union(FLEET_CHANGE_REASONS.map((r) => Type.Literal(r))),
    added: ElevatorIds,
    changed: ElevatorIds,
    removed: ElevatorIds,
    /** True when a list was cut at FLEET_CHANGED_MAX_IDS. */
    truncated: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, $id: 'FleetChangedMessage' },
);
export type FleetChangedMessage = Static<typeof FleetChangedMessage>;

const checkFleetChanged = TypeCompiler.Compile(FleetChangedMessage);

/** Parses and validates a `fleet/changed` payload; null (with the reason) when it is not one. */
export function parseFleetChanged(
  payload: Buffer | string,
): { ok: true; message: FleetChangedMessage } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!checkFleetChanged.Check(value)) {
    const first = checkFleetChanged.Errors(value).First();
    return { ok: false, reason: first ? `${first.path || '/'}: ${first.message}` : 'invalid' };
  }
  return { ok: true, message: value };
}
