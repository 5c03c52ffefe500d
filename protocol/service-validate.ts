/**
 * Compiled validators for the service messages (alerts.ts), compiled once at load like the
 * device validators. Every consumer of `alerts/{id}` and `visits/{id}` decodes through
 * `decodeServiceMessage`: a message that is not JSON, does not match its schema, or names
 * another elevator than its topic is refused with a code, for the consumer to count and
 * log; it never throws.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { SERVICE_SCHEMAS, type ServiceKind, type ServiceMessages } from './alerts.ts';
import { excessNesting } from './json-scan.ts';
import { parseServiceTopic } from './topics.ts';

/**
 * Services are trusted further than devices (a service credential wrote the message), but a
 * bug or a stale version must not reach the parser unbounded either. An alert's evidence may
 * carry a device event's kept detail, so the bounds are wider than a device payload's.
 */
export const SERVICE_MESSAGE_MAX_BYTES = 256 * 1024;
export const SERVICE_MESSAGE_MAX_DEPTH = 16;

/** Why a service message was refused; the consumer counts each and logs it with the code. */
export const SERVICE_REFUSALS = [
  'SERVICE_TOPIC_UNKNOWN',
  'SERVICE_MESSAGE_UNREADABLE',
  'SERVICE_MESSAGE_INVALID',
  'SERVICE_MESSAGE_WRONG_ELEVATOR',
] as const;
export type ServiceRefusal = (typeof SERVICE_REFUSALS)[number];

const compiled = {
  alert: TypeCompiler.Compile(SERVICE_SCHEMAS.alert),
  visit: TypeCompiler.Compile(SERVICE_SCHEMAS.visit),
};

export type ServiceValidation<K extends ServiceKind> =
  | { ok: true; message: ServiceMessages[K] }
  | { ok: false; code: ServiceRefusal; reason: string };

/** Validates a decoded value against its kind's schema; names the first few problems. */
export function validateServiceMessage<K extends ServiceKind>(kind: K, value: unknown): ServiceValidation<K> {
  const check = compiled[kind];
  if (check.Check(value)) return { ok: true, message: value as ServiceMessages[K] };
  const problems: string[] = [];
  for (const error of check.Errors(value)) {
    problems.push(`${error.path || '/'}: ${error.message}`);
    if (problems.length >= 3) break;
  }
  return { ok: false, code: 'SERVICE_MESSAGE_INVALID', reason: problems.join('; ') };
}

export type DecodedServiceMessage =
  | { ok: true; kind: 'alert'; elevatorId: string; message: ServiceMessages['alert'] }
  | { ok: true; kind: 'visit'; elevatorId: string; message: ServiceMessages['visit'] }
  | { ok: false; code: ServiceRefusal; reason: string };

/** Topic and payload bytes → a validated service message, or the coded reason it was refused. */
export function decodeServiceMessage(topic: string, payload: Uint8Array): DecodedServiceMessage {
  const parsed = parseServiceTopic(topic);
  if (!parsed) return { ok: false, code: 'SERVICE_TOPIC_UNKNOWN', reason: `not a service topic: ${topic}` };
  const value = readJson(payload);
  if (!value.ok) return { ok: false, code: 'SERVICE_MESSAGE_UNREADABLE', reason: value.reason };
  const { kind, elevatorId } = parsed;
  const result =
    kind === 'alert'
      ? validateServiceMessage('alert', value.value)
      : validateServiceMessage('visit', value.value);
  if (!result.ok) return result;
  // The topic is what the broker's ACL checked; a body naming another elevator is not trusted.
  if (result.message.elevator_id !== elevatorId)
    return {
      ok: false,
      code: 'SERVICE_MESSAGE_WRONG_ELEVATOR',
      reason: `body names elevator ${result.message.elevator_id.slice(0, 64)}, topic ${elevatorId}`,
    };
  return kind === 'alert'
    ? { ok: true, kind, elevatorId, message: result.message as ServiceMessages['alert'] }
    : { ok: true, kind, elevatorId, message: result.message as ServiceMessages['visit'] };
}

function readJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'empty payload' };
  if (bytes.length > SERVICE_MESSAGE_MAX_BYTES)
    return { ok: false, reason: `payload of ${bytes.length} bytes exceeds ${SERVICE_MESSAGE_MAX_BYTES}` };
  const nesting = excessNesting(bytes, SERVICE_MESSAGE_MAX_DEPTH);
  if (nesting !== null) return { ok: false, reason: `payload ${nesting}` };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
}
