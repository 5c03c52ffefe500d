/**
 * Compiled runtime validators for the device protocol. Compiled once at load so the
 * ingest's hot path pays a function call per message, not a schema walk.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { DEVICE_SCHEMAS, type DevicePayloads } from './messages.ts';
import type { DeviceChannel } from './topics.ts';

const compiled = {
  telemetry: TypeCompiler.Compile(DEVICE_SCHEMAS.telemetry),
  event: TypeCompiler.Compile(DEVICE_SCHEMAS.event),
  maintenance: TypeCompiler.Compile(DEVICE_SCHEMAS.maintenance),
  status: TypeCompiler.Compile(DEVICE_SCHEMAS.status),
};

export type ValidationResult<C extends DeviceChannel> =
  | { ok: true; payload: DevicePayloads[C] }
  | { ok: false; reason: string };

/** Validates a decoded JSON value against its channel's schema; names the first few problems. */
export function validatePayload<C extends DeviceChannel>(channel: C, value: unknown): ValidationResult<C> {
  const check = compiled[channel];
  if (check.Check(value)) return { ok: true, payload: value as DevicePayloads[C] };
  const problems: string[] = [];
  for (const error of check.Errors(value)) {
    problems.push(`${error.path || '/'}: ${error.message}`);
    if (problems.length >= 3) break;
  }
  return { ok: false, reason: problems.join('; ') };
}
