/**
 * The ingest pipeline: decode → validate → dedup → record → [detect] → write, each a small
 * named function in a list (as Aedes chains its publish steps). A step returns nothing to
 * pass the message on, a rejection (dead-lettered by the caller) or DUPLICATE. Everything
 * here is synchronous: one message costs function calls, no awaits and no I/O.
 */
import {
  type DeviceMessage,
  type DeviceTopic,
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
  device: DeviceTopic | null;
  value: unknown;
  message: DeviceMessage | null;
  elevator: ElevatorState | null;
}

export type Step = (ctx: PipelineContext) => StepResult;

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
   * counted and logged, never stops persistence.
   */
  detect?: (message: DeviceMessage, elevator: ElevatorState) => void;
  onDetectError?: (error: unknown, message: DeviceMessage) => void;
}

export function newContext(topic: string, raw: Buffer, receivedAt: number): PipelineContext {
  return { topic, raw, receivedAt, device: null, value: undefined, message: null, elevator: null };
}

function reject(stage: Stage, reason: string): Rejection {
  return { stage, reason };
}

/** Topic → (elevator, channel), payload bytes → JSON. */
export function decode(ctx: PipelineContext): StepResult {
  const device = parseDeviceTopic(ctx.topic);
  if (!device) return reject('decode', 'not a device topic (elevators/{id}/{channel})');
  ctx.device = device;
  if (ctx.raw.length === 0) return reject('decode', 'empty payload');
  try {
    ctx.value = JSON.parse(ctx.raw.toString('utf8'));
  } catch (error) {
    return reject('decode', `invalid JSON: ${(error as Error).message}`);
  }
  return undefined;
}

/** Schema of the channel, then the registry: a message from an unknown elevator has no tags to land under. */
export function createValidate(elevators: ReadonlyMap<string, ElevatorState>): Step {
  return function validate(ctx) {
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
  };
}

/** (elevator, seq) seen before → a QoS 1 resend; skipped numbers counted as gaps. Status has no seq contract. */
export function createDedup(counters: PipelineCounters): Step {
  return function dedup(ctx) {
    const message = ctx.message!;
    if (message.channel === 'status') return undefined;
    const verdict = observeSequence(ctx.elevator!.sequence, message.payload.seq);
    if (verdict.duplicate) return DUPLICATE;
    counters.gaps += verdict.gapDelta;
    return undefined;
  };
}

/** Latest state per elevator; an older message (late or replayed) never overwrites a newer one. */
export function record(ctx: PipelineContext): StepResult {
  const message = ctx.message!;
  const state = ctx.elevator!;
  const ts = message.payload.ts;
  const newest = ts >= state.lastTs;
  if (newest) state.lastTs = ts;
  state.lastReceivedAt = ctx.receivedAt;
  switch (message.channel) {
    case 'telemetry':
      if (!state.telemetry || ts >= state.telemetry.ts) state.telemetry = message.payload;
      break;
    case 'event':
      if (!state.lastEvent || ts >= state.lastEvent.ts) state.lastEvent = message.payload;
      break;
    case 'maintenance':
      if (!state.maintenance || ts >= state.maintenance.ts) state.maintenance = message.payload;
      break;
    case 'status':
      if (newest) state.status = message.payload.state;
      break;
    default:
      assertNever(message);
  }
  return undefined;
}

export function createDetect(
  detect: NonNullable<PipelineDeps['detect']>,
  counters: PipelineCounters,
  onError: PipelineDeps['onDetectError'],
): Step {
  return function detectStep(ctx) {
    try {
      detect(ctx.message!, ctx.elevator!);
    } catch (error) {
      counters.detectErrors += 1;
      onError?.(error, ctx.message!);
    }
    return undefined;
  };
}

/** One point per message; telemetry by exception against the elevator's last written point. */
export function createWrite(writeLine: (line: string) => void, keyframeMs = DEFAULT_KEYFRAME_MS): Step {
  return function write(ctx) {
    const message = ctx.message!;
    const elevator = ctx.elevator!;
    writeLine(
      message.channel === 'telemetry'
        ? telemetryPointLine(message.payload, elevator.tags, elevator.telemetryWrite, keyframeMs)
        : toLine(message, elevator.tags),
    );
    return undefined;
  };
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

export function runSteps(steps: readonly Step[], ctx: PipelineContext): StepResult {
  for (let i = 0; i < steps.length; i++) {
    const result = steps[i]!(ctx);
    if (result !== undefined) return result;
  }
  return undefined;
}
