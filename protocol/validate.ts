/**
 * Compiled runtime validators for the device protocol. Compiled once at load so the
 * ingest's hot path pays a function call per message, not a schema walk.
 */
import type { TObject } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { KEPT_KEY_PATTERN, UNKNOWN_FIELDS_MAX } from './bounds.ts';
import { DEVICE_SCHEMAS, type DevicePayloads, KEPT_VALUE_DESCRIPTION, KEPT_VALUES } from './messages.ts';
import type { DeviceChannel } from './topics.ts';

// A copy each: the compiler adds the compiled schema to the references it is given.
const compiled = {
  telemetry: TypeCompiler.Compile(DEVICE_SCHEMAS.telemetry, [...KEPT_VALUES]),
  event: TypeCompiler.Compile(DEVICE_SCHEMAS.event, [...KEPT_VALUES]),
  maintenance: TypeCompiler.Compile(DEVICE_SCHEMAS.maintenance, [...KEPT_VALUES]),
  status: TypeCompiler.Compile(DEVICE_SCHEMAS.status, [...KEPT_VALUES]),
};

const KEPT_KEY = new RegExp(KEPT_KEY_PATTERN);
const knownKeys = (schema: TObject) => new Set(Object.keys(schema.properties));
const KNOWN_KEYS: Record<DeviceChannel, ReadonlySet<string>> = {
  telemetry: knownKeys(DEVICE_SCHEMAS.telemetry),
  event: knownKeys(DEVICE_SCHEMAS.event),
  maintenance: knownKeys(DEVICE_SCHEMAS.maintenance),
  status: knownKeys(DEVICE_SCHEMAS.status),
};

export type ValidationResult<C extends DeviceChannel> =
  | { ok: true; payload: DevicePayloads[C] }
  | { ok: false; reason: string };

/** Validates a decoded JSON value against its channel's schema; names the first few problems. */
export function validatePayload<C extends DeviceChannel>(channel: C, value: unknown): ValidationResult<C> {
  const check = compiled[channel];
  if (check.Check(value)) {
    const badName = unknownFieldsProblem(channel, value as Record<string, unknown>);
    if (badName === null) return { ok: true, payload: value as DevicePayloads[C] };
    return { ok: false, reason: badName };
  }
  const problems: string[] = [];
  for (const error of check.Errors(value)) {
    // A kept value's schema nests unions; "Expected union value" would not say which bound broke.
    const message =
      error.schema.description === KEPT_VALUE_DESCRIPTION
        ? `not within the bounds of a kept value (${KEPT_VALUE_DESCRIPTION})`
        : error.message;
    problems.push(`${error.path || '/'}: ${message}`);
    if (problems.length >= 3) break;
  }
  return { ok: false, reason: problems.join('; ') };
}

/**
 * What the compiled schema cannot say about the message's own level: the `propertyNames`
 * keyword (TypeBox's compiler does not apply it), so an unknown field's name is a plain
 * key, and the count of unknown fields (the schema's `maxProperties` counts the known ones
 * too, present or not). The keys are already bounded in number by that `maxProperties`.
 */
function unknownFieldsProblem(channel: DeviceChannel, value: Record<string, unknown>): string | null {
  const known = KNOWN_KEYS[channel];
  let unknown = 0;
  for (const key of Object.keys(value)) {
    if (known.has(key)) continue;
    if (!KEPT_KEY.test(key))
      return `/${key.slice(0, 64)}: unknown field name not allowed (1-64 characters, no control characters, not __proto__, constructor or prototype)`;
    unknown += 1;
  }
  if (unknown > UNKNOWN_FIELDS_MAX)
    return `/: ${unknown} unknown fields, more than the ${UNKNOWN_FIELDS_MAX} properties kept`;
  return null;
}
