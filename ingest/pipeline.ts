/**
 * The ingest pipeline: decode → validate → dedup → record → [detect] → write, each a small
 * named function in a list (as Aedes chains its publish steps). A step returns nothing to
 * pass the message on, a rejection (dead-lettered by the caller) or DUPLICATE. A step that
 * throws is a rejection too, at its own stage: one message must never stop the flow
 * (issue 12: a stack overflow in `write` once stopped the ingest for good). Everything here
 * is synchronous: one message costs function calls, no awaits and no I/O.
 */
import {
  type DeviceMessage,
  type DeviceTopic,
  decodePayload,
  parseDeviceTopic,
  validatePayload,
} from '../protocol/index.ts';
import { DEFAULT_KEYFRAME_MS, type ElevatorState } from './elevator-state.ts';
import { assertNever, telemetryPointLine, toLine } from './points.ts';
import { observeSequence } from './sequence.ts';

export type Stage = 'decode' | 'validate' | 'dedup' | 'record' | 'detect' | 'write';

export interface Rejection {
  stage: Stage;
  reason: string;
}

export const DUPLICATE = Symbol('duplicate');
export type StepResult = undefined | Rejection | typeof DUPLICATE;

export interface PipelineContext {
  readonly topic: string;
  readonly raw: Buffer;
  readonly receivedAt: number;
  /** Acknowledged by the partition's earlier owner (log/consumer.ts): detection rebuilds state, raises nothing. */
  readonly replayed: boolean;
  device: DeviceTopic | null;
  value: unknown;
  message: DeviceMessage | null;
  elevator: ElevatorState | null;
}

/** A step is a function named for what it does, tagged with the stage its rejections carry. */
export type Step = ((ctx: PipelineContext) => StepResult) & { readonly stage: Stage };

function step(stage: Stage, run: (ctx: PipelineContext) => StepResult): Step {
  return Object.assign(run, { stage });
}

/** Counters the steps themselves move; the caller counts received, rejected and duplicates. */
export interface PipelineCounters {
  /** Net sequence numbers skipped and not (yet) arrived, over all devices. */
  gaps: number;
  detectErrors: number;
}

export interface PipelineDeps {
  elevators: ReadonlyMap<string, ElevatorState>;
  counters: PipelineCounters;
  /** Receives each accepted point as one line of line protocol. */
  writeLine(line: string): void;
  /** Telemetry keyframe interval, device time (INGEST_KEYFRAME_S); default 300 s. */
  keyframeMs?: number;
  /**
   * HOOK: detection. Called once per accepted, deduplicated message after the state is
   * recorded and before it is written. The rules (ingest/rules/) plug in here; a throw is
   * counted and logged, never stops persistence. `replayed`: the message's findings were
   * committed by an earlier owner of its partition; the rules take it, nothing is raised.
   */
  detect?: (message: DeviceMessage, elevator: ElevatorState, replayed: boolean) => void;
  onDetectError?: (error: unknown, message: DeviceMessage) => void;
}

export function newContext(
  topic: string,
  raw: Buffer,
  receivedAt: number,
  replayed = false,
): PipelineContext {
  return { topic, raw, receivedAt, replayed, device: null, value: undefined, message: null, elevator: null };
}

function reject(stage: Stage, reason: string): Rejection {
  return { stage, reason };
}

/** Topic → (elevator, channel), payload bytes → JSON; size and nesting refused before parsing. */
export const decode = step('decode', function decode(ctx) {
  const device = parseDeviceTopic(ctx.topic);
  if (!device) return reject('decode', 'not a device topic (elevators/{id}/{channel})');
  ctx.device = device;
  const decoded = decodePayload(ctx.raw);
  if (!decoded.ok) return reject('decode', decoded.reason);
  ctx.value = decoded.value;
  return undefined;
});

/** Schema of the channel, then the registry: a message from an unknown elevator has no tags to land under. */
export function createValidate(elevators: ReadonlyMap<string, ElevatorState>): Step {
  return step('validate', function validate(ctx) {
    const device = ctx.device!;
    const result = validatePayload(device.channel, ctx.value);
    if (!result.ok) return reject('validate', result.reason);
    const elevator = elevators.get(device.elevatorId);
    if (!elevator) return reject('validate', `unknown elevator ${device.elevatorId}`);
    ctx.elevator = elevator;
    ctx.message = {
      channel: device.channel,
      elevatorId: device.elevatorId,
      payload: result.payload,
      receivedAt: ctx.receivedAt,
    } as DeviceMessage;
    return undefined;
  });
}

/** (elevator, seq) seen before → a QoS 1 resend; skipped numbers counted as gaps. Status has no seq contract. */
export function createDedup(counters: PipelineCounters): Step {
  return step('dedup', function dedup(ctx) {
    const message = ctx.message!;
    if (message.channel === 'status') return undefined;
    // A technician's phone has no device counter: the API sends each boundary once (its key in
    // the store), so its seq 0 must neither be taken for a resend nor count as a restart.
    if (message.channel === 'maintenance' && message.payload.via === 'phone') return undefined;
    const verdict = observeSequence(ctx.elevator!.sequence, message.payload.seq);
    if (verdict.duplicate) return DUPLICATE;
    counters.gaps += verdict.gapDelta;
    return undefined;
  });
}

/** Latest state per elevator; an older message (late or replayed) never overwrites a newer one. */
export const record = step('record', function record(ctx) {
  const message = ctx.message!;
  const state = ctx.elevator!;
  const ts = message.payload.ts;
  const newest = ts >= state.lastTs;
  if (newest) state.lastTs = ts;
  switch (message.channel) {
    case 'telemetry':
      if (!state.telemetry || ts >= state.telemetry.ts) state.telemetry = message.payload;
      break;
    case 'event':
    case 'maintenance':
      // Not kept: the rules and the visit book see them in the detect step (elevator-state.ts).
      break;
    case 'status':
      if (newest) state.status = message.payload.state;
      break;
    default:
      assertNever(message);
  }
  return undefined;
});

export function createDetect(
  detect: NonNullable<PipelineDeps['detect']>,
  counters: PipelineCounters,
  onError: PipelineDeps['onDetectError'],
): Step {
  return step('detect', function detectStep(ctx) {
    try {
      detect(ctx.message!, ctx.elevator!, ctx.replayed);
    } catch (error) {
      counters.detectErrors += 1;
      onError?.(error, ctx.message!);
    }
    return undefined;
  });
}

/** One point per message; telemetry by exception against the elevator's last written point. */
export function createWrite(writeLine: (line: string) => void, keyframeMs = DEFAULT_KEYFRAME_MS): Step {
  return step('write', function write(ctx) {
    const message = ctx.message!;
    const elevator = ctx.elevator!;
    writeLine(
      message.channel === 'telemetry'
        ? telemetryPointLine(message.payload, elevator.tags, elevator, keyframeMs)
        : toLine(message, elevator.tags),
    );
    return undefined;
  });
}

export function buildSteps(deps: PipelineDeps): Step[] {
  return [
    decode,
    createValidate(deps.elevators),
    createDedup(deps.counters),
    record,
    // HOOK: the `detect` step (ingest/rules/) goes here, after record, before write.
    ...(deps.detect ? [createDetect(deps.detect, deps.counters, deps.onDetectError)] : []),
    createWrite(deps.writeLine, deps.keyframeMs),
  ];
}

/**
 * Runs the steps in order until one rejects, finds a duplicate, or throws. A throw is a
 * rejection at that step's stage with the error as the reason, so the caller dead-letters
 * the message and acknowledges it like any other: it is never redelivered to throw again.
 * A step may have thrown halfway through the elevator's write state, so that elevator's
 * next telemetry point is a keyframe.
 */
export function runSteps(steps: readonly Step[], ctx: PipelineContext): StepResult {
  for (let i = 0; i < steps.length; i++) {
    const current = steps[i]!;
    let result: StepResult;
    try {
      result = current(ctx);
    } catch (error) {
      if (ctx.elevator) ctx.elevator.keyframeForced = true;
      return reject(current.stage, `${current.name} threw: ${describeError(error)}`);
    }
    if (result !== undefined) return result;
  }
  return undefined;
}

/** The error's name and message, bounded: a reason is a database column, not a dump. */
export function describeError(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`;
  } catch {
    // An object without a usable toString (Object.create(null)) must not throw a second time.
    text = `non-error thrown (${typeof error})`;
  }
  return text.length > REASON_MAX_CHARS ? `${text.slice(0, REASON_MAX_CHARS)}…` : text;
}

const REASON_MAX_CHARS = 500;
