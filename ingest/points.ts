/**
 * InfluxDB 1.x line protocol for device messages, built by hand: one string per message,
 * tags precomputed per elevator, so the hot path allocates one string and no objects
 * (the `influx` package builds a point object and walks it per field; see README for the
 * measurement). Field types are fixed per field, because InfluxDB refuses a field whose type
 * changes within a shard: integers carry the `i` suffix, floats never do. Telemetry is
 * written by exception (keyframes, then only what changed): see telemetryPointLine.
 */
import type {
  DeviceEvent,
  DeviceMessage,
  DeviceStatus,
  MaintenanceMessage,
  Telemetry,
} from '../protocol/index.ts';

/**
 * One measurement per channel, named in protocol/influx.ts (MEASUREMENTS, RAW_FIELDS), which
 * the API's history and Grafana read by. The lines below spell them in their templates, the
 * hot path's one string per message; tests/unit/protocol-influx.test.ts checks they agree.
 */

export interface PointTags {
  estate: string;
  building: string;
  elevator: string;
}

const TAG_SPECIALS = /[,= \\\n]/;
const TAG_SPECIALS_GLOBAL = /([,= \\])/g;
const STRING_SPECIALS = /["\\\n\r]/;

/** Tag values: commas, equals signs, spaces and backslashes are escaped; newlines cannot be written. */
export function escapeTag(value: string): string {
  if (!TAG_SPECIALS.test(value)) return value;
  return value.replace(/\n/g, ' ').replace(TAG_SPECIALS_GLOBAL, '\\$1');
}

/** String field values are double-quoted; quotes and backslashes escaped, line breaks made visible. */
export function quoteString(value: string): string {
  if (!STRING_SPECIALS.test(value)) return `"${value}"`;
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/\r?\n|\r/g, '\\n')}"`;
}

/** `,estate=…,building=…,elevator=…`: computed once per elevator and appended to the measurement. */
export function tagSuffix(tags: PointTags): string {
  return `,estate=${escapeTag(tags.estate)},building=${escapeTag(tags.building)},elevator=${escapeTag(tags.elevator)}`;
}

/** Schema-checked integers (TypeBox `Integer`): the `i` suffix keeps them integers in InfluxDB. */
function int(value: number): string {
  return `${value}i`;
}

/** A float field must never look like an integer with an `i`; JS number text is already a valid float. */
function float(value: number): string {
  return `${value}`;
}

/** Booleans as `T`/`F`: InfluxDB accepts both spellings and the short one is a third of the bytes. */
function bool(value: boolean): string {
  return value ? 'T' : 'F';
}

/**
 * Enumerated strings (mode, direction, power) are schema-checked literals with nothing to
 * escape, so they are quoted without the scan. Every field: a keyframe, or a late point.
 */
export function telemetryLine(p: Telemetry, tags: string, marks = ''): string {
  let line = `telemetry${tags} seq=${p.seq}i,mode="${p.mode}",moving=${bool(p.moving)},direction="${p.direction}",floor=${p.floor}i,position_m=${p.position_m},speed_mps=${p.speed_mps},door_zone=${bool(p.door_zone)},door_closed=${bool(p.door_closed)},occupied=${bool(p.occupied)},safety_circuit=${bool(p.safety_circuit)},door_lock=${bool(p.door_lock)},up_limit=${bool(p.up_limit)},down_limit=${bool(p.down_limit)},power="${p.power}",run_count=${p.run_count}i`;
  if (p.load_kg !== undefined) line += `,load_kg=${float(p.load_kg)}`;
  if (p.vibration_mg !== undefined) line += `,vibration_mg=${float(p.vibration_mg)}`;
  return `${line}${marks} ${p.ts}`;
}

/**
 * Report by exception: `seq` plus the fields whose value differs from `prev`, the point
 * written just before this one for the same elevator. InfluxDB's cost grows with the field
 * values written (README), and most of a car's 17 readings hold still between samples.
 * An optional field that disappears cannot be written as absent (line protocol has no
 * null), so readers keep carrying its last value, as they would have before.
 */
export function telemetryChangeLine(p: Telemetry, prev: Telemetry, tags: string, marks = ''): string {
  let line = `telemetry${tags} seq=${p.seq}i`;
  if (p.mode !== prev.mode) line += `,mode="${p.mode}"`;
  if (p.moving !== prev.moving) line += `,moving=${bool(p.moving)}`;
  if (p.direction !== prev.direction) line += `,direction="${p.direction}"`;
  if (p.floor !== prev.floor) line += `,floor=${p.floor}i`;
  if (p.position_m !== prev.position_m) line += `,position_m=${p.position_m}`;
  if (p.speed_mps !== prev.speed_mps) line += `,speed_mps=${p.speed_mps}`;
  if (p.door_zone !== prev.door_zone) line += `,door_zone=${bool(p.door_zone)}`;
  if (p.door_closed !== prev.door_closed) line += `,door_closed=${bool(p.door_closed)}`;
  if (p.occupied !== prev.occupied) line += `,occupied=${bool(p.occupied)}`;
  if (p.safety_circuit !== prev.safety_circuit) line += `,safety_circuit=${bool(p.safety_circuit)}`;
  if (p.door_lock !== prev.door_lock) line += `,door_lock=${bool(p.door_lock)}`;
  if (p.up_limit !== prev.up_limit) line += `,up_limit=${bool(p.up_limit)}`;
  if (p.down_limit !== prev.down_limit) line += `,down_limit=${bool(p.down_limit)}`;
  if (p.power !== prev.power) line += `,power="${p.power}"`;
  if (p.run_count !== prev.run_count) line += `,run_count=${p.run_count}i`;
  if (p.load_kg !== undefined && p.load_kg !== prev.load_kg) line += `,load_kg=${float(p.load_kg)}`;
  if (p.vibration_mg !== undefined && p.vibration_mg !== prev.vibration_mg)
    line += `,vibration_mg=${float(p.vibration_mg)}`;
  return `${line}${marks} ${p.ts}`;
}

/**
 * Derived fields, not readings: `door_opens=1i` on the point where the doors opened (closed
 * in the previous in-order point, open in this one). A door count cannot be read back from
 * `door_closed`, which keyframes and late points repeat; the continuous query sums this one
 * per minute (influx-schema.ts) and the history API counts door cycles with it.
 */
export function telemetryMarks(p: Telemetry, prev: Telemetry | null): string {
  return prev?.door_closed === true && !p.door_closed ? ',door_opens=1i' : '';
}

/**
 * What the writer remembers per elevator to write telemetry by exception. `written` is the
 * newest point in device time, as readers carrying values forward now see it.
 */
export interface TelemetryWriteState {
  written: Telemetry | null;
  /** Device time at or after which the next point is a keyframe. */
  keyframeDueTs: number;
  /** The stored series may disagree with `written` (a late point landed before it, a point was refused). */
  keyframeForced: boolean;
  /** Spreads the fleet's keyframes over the interval, ms in [0, interval): the first interval is cut by it. */
  readonly keyframeOffsetMs: number;
}

/** A stable spread per elevator (FNV-1a of its id), so 10,000 cars do not keyframe in the same second. */
export function keyframeOffset(elevatorId: string, keyframeMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < elevatorId.length; i++) hash = Math.imul(hash ^ elevatorId.charCodeAt(i), 0x01000193);
  return keyframeMs > 0 ? (hash >>> 0) % keyframeMs : 0;
}

/**
 * The line for one telemetry message, updating `w`. Keyframe (every field): the elevator's
 * first point since the ingest started, the first after `keyframeMs` of device time, or
 * after anything that may have left the stored series out of step. A late message
 * (ts ≤ the newest written) is not the successor of `written`, so it carries every field,
 * and the next in-order point is a keyframe: the late point may now be what readers carry
 * forward in between. Retries resend the same line, so writes stay idempotent.
 */
export function telemetryPointLine(
  p: Telemetry,
  tags: string,
  w: TelemetryWriteState,
  keyframeMs: number,
): string {
  const prev = w.written;
  if (prev !== null && p.ts <= prev.ts) {
    // No marks: a late point's predecessor is unknown; the next in-order point compares with `written`.
    w.keyframeForced = true;
    return telemetryLine(p, tags);
  }
  w.written = p;
  const marks = telemetryMarks(p, prev);
  if (prev === null || w.keyframeForced || p.ts >= w.keyframeDueTs) {
    // The first keyframe is pulled forward by the elevator's offset, which spreads the rest.
    w.keyframeDueTs = p.ts + keyframeMs - (prev === null ? w.keyframeOffsetMs : 0);
    w.keyframeForced = false;
    return telemetryLine(p, tags, marks);
  }
  return telemetryChangeLine(p, prev, tags, marks);
}

export function eventLine(p: DeviceEvent, tags: string): string {
  let line = `event${tags} seq=${int(p.seq)},code=${quoteString(p.code)}`;
  if (p.detail !== undefined) line += `,detail=${quoteString(JSON.stringify(p.detail))}`;
  return `${line} ${p.ts}`;
}

export function maintenanceLine(p: MaintenanceMessage, tags: string): string {
  let line = `maintenance${tags} seq=${int(p.seq)},action=${quoteString(p.action)},visit_id=${quoteString(p.visit_id)},technician_id=${quoteString(p.technician_id)},company_id=${quoteString(p.company_id)},kind=${quoteString(p.kind)},method=${quoteString(p.method)}`;
  if (p.location) line += `,lat=${float(p.location.lat)},lon=${float(p.location.lon)}`;
  if (p.items) line += `,items=${quoteString(p.items.join(','))}`;
  return `${line} ${p.ts}`;
}

export function statusLine(p: DeviceStatus, tags: string): string {
  let line = `status${tags} state="${p.state}",online=${bool(p.state === 'online')}`;
  if (p.seq !== undefined) line += `,seq=${int(p.seq)}`;
  return `${line} ${p.ts}`;
}

/** The one routing switch for persistence: every channel has its line builder. */
export function toLine(message: DeviceMessage, tags: string): string {
  switch (message.channel) {
    case 'telemetry':
      return telemetryLine(message.payload, tags);
    case 'event':
      return eventLine(message.payload, tags);
    case 'maintenance':
      return maintenanceLine(message.payload, tags);
    case 'status':
      return statusLine(message.payload, tags);
    default:
      return assertNever(message);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled channel: ${JSON.stringify(value)}`);
}

/** The point's timestamp (last token of a line), for latency accounting and spill replay. */
export function lineTimestamp(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The value of one tag of a line we built, e.g. to name the elevator of a refused point. */
export function lineTag(line: string, tag: string): string | undefined {
  const head = line.slice(0, firstUnescaped(line, ' '));
  const marker = `,${tag}=`;
  const start = head.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  const end = firstUnescaped(head, ',', from);
  return head.slice(from, end).replace(/\\(.)/g, '$1');
}

export type FieldType = 'float' | 'integer' | 'string' | 'boolean';

/**
 * The type InfluxDB infers for `field` in `line`, or undefined if the line lacks it.
 * Walks the field set honouring quoted strings, so a string value that contains `,x=` cannot
 * be mistaken for a field.
 */
export function lineFieldType(line: string, field: string): FieldType | undefined {
  const start = firstUnescaped(line, ' ') + 1;
  const end = line.lastIndexOf(' ');
  let i = start;
  while (i < end) {
    const eq = line.indexOf('=', i);
    if (eq < 0 || eq > end) return undefined;
    const key = line.slice(i, eq);
    let valueEnd: number;
    if (line[eq + 1] === '"') {
      valueEnd = eq + 2;
      while (valueEnd < end && line[valueEnd] !== '"') valueEnd += line[valueEnd] === '\\' ? 2 : 1;
      valueEnd += 1;
    } else {
      valueEnd = line.indexOf(',', eq);
      if (valueEnd < 0 || valueEnd > end) valueEnd = end;
    }
    if (key === field) return valueType(line.slice(eq + 1, valueEnd));
    i = valueEnd + 1;
  }
  return undefined;
}

function valueType(text: string): FieldType {
  if (text.startsWith('"')) return 'string';
  if (/^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(text)) return 'boolean';
  if (text.endsWith('i')) return 'integer';
  return 'float';
}

function firstUnescaped(text: string, char: string, from = 0): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === char) return i;
    else i += 1;
  }
  return text.length;
}
