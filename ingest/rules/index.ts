/**
 * The detector: every rule, run per elevator on each message, with the per-elevator rule
 * states and the visit book held in memory. Pure apart from that state: device time drives
 * every rule; onTick(now) only estimates device time between messages and checks the one
 * wall-clock rule, device_offline. Wire: `lifecycle.apply(detector.onMessage(message))`.
 */

import type { ElevatorInfo } from '../../fleet/types.ts';
import type { DeviceMessage, GeoPoint } from '../../protocol/index.ts';
import { DEFAULT_VISIT_LIMITS, type VisitLimits, visitLimitsFor } from '../visits/limits.ts';
import {
  type ElevatorVisitState,
  initialElevatorVisits,
  isVisitOpen,
  stepVisits,
  type VisitBookState,
  visitsAtRest,
} from '../visits/tracker.ts';
import { controllerEvents } from './controller-events.ts';
import { isDeviceOffline } from './device-offline.ts';
import { doorCloseFault, doorOpenFault } from './door-faults.ts';
import { doorOpenWhileMoving, lockCircuitFault, unintendedCarMovement } from './door-motion.ts';
import { bottomOvertravel, motorRuntimeLimiter, overspeed, topOvertravel } from './motion-limits.ts';
import { passengerTrapped } from './passenger-trapped.ts';
import { floorPositionLost } from './position-faults.ts';
import { rerunPrevention } from './rerun-prevention.ts';
import { safetyCircuitOpenRunning } from './safety-circuit.ts';
import { longDoorOpen, powerLost, stopOutsideDoorZone } from './state-conditions.ts';
import { DEFAULT_THRESHOLDS, type Thresholds, thresholdsFor } from './thresholds.ts';
import type { Finding, Rule, RuleContext, RuleInput, TickInput } from './types.ts';

export type { AlertFinding, Finding, RuleFinding, VisitFinding } from './types.ts';

/** Every fault rule, in the order findings are reported. */
export const RULES: readonly Rule<never>[] = [
  safetyCircuitOpenRunning,
  doorCloseFault,
  doorOpenFault,
  stopOutsideDoorZone,
  unintendedCarMovement,
  motorRuntimeLimiter,
  floorPositionLost,
  rerunPrevention,
  topOvertravel,
  bottomOvertravel,
  passengerTrapped,
  doorOpenWhileMoving,
  overspeed,
  longDoorOpen,
  lockCircuitFault,
  powerLost,
  controllerEvents,
] as unknown as Rule<never>[];

const NO_VISIT_FINDINGS: readonly Finding[] = Object.freeze([]);

/**
 * Each rule's initial state, built once and frozen, shared by every slot: rules are pure (they
 * return a new state, never change the one given), so a car that has not moved a rule yet
 * needs no copy of its own (~800 B a car in the ingest, which keeps a slot per registered
 * elevator; bench/worker-memory.ts). Frozen, a rule that wrote into its state would throw.
 */
const INITIAL_RULE_STATES: readonly unknown[] = Object.freeze(
  RULES.map((rule) => deepFreeze(rule.initial())),
);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export interface DetectorOptions {
  /** Estate coordinates, for travel checks on check-ins without a location. */
  estates?: Record<string, GeoPoint>;
  /** The same, read live (the fleet directory): wins over `estates`. */
  estateLocation?: (estateId: string) => GeoPoint | null;
  /** Device time of each elevator's last verified visit, as stored, so overdue survives a restart. */
  lastVerifiedAt?: Record<string, number>;
  /** Fleet-wide overrides of the visit limits (per-elevator thresholds still win). */
  visitLimits?: Partial<VisitLimits>;
  /** Fleet-wide silence before device_offline (DEVICE_OFFLINE_AFTER_S); per-elevator thresholds still win. */
  deviceOfflineS?: number;
}

export interface Detector {
  onMessage(message: DeviceMessage): Finding[];
  onTick(nowMs: number): Finding[];
  /**
   * The fleet changed: a slot for each new elevator, new ratings and thresholds for a changed
   * one (its rule states kept: a car that was trapped stays trapped), removed ones forgotten.
   */
  updateElevators(elevators: readonly ElevatorInfo[]): void;
  /**
   * Starts these elevators over from nothing (rule states, visits, last seen): another worker
   * took their log partition over, and if it comes back here it is replayed from the log.
   */
  forget(elevatorIds: Iterable<string>): void;
  /** An elevator's state as plain JSON (a partition checkpoint, log/checkpoints.ts); null if unknown. */
  exportState(elevatorId: string): unknown;
  /** Puts back what `exportState` gave (another worker's, on takeover). */
  importState(elevatorId: string, state: unknown): void;
}

/** What of a slot a checkpoint carries: everything the messages built, nothing the fleet gives. */
interface SlotState {
  ruleStates: unknown[];
  lastDeviceTs: number | null;
  lastTelemetryTs: number | null;
  lastReceivedAt: number | null;
  offline: boolean;
  visits: ElevatorVisitState;
  visitOpen: boolean;
  /**
   * The newest sample, written once: the rules that keep it (`last`) share one object, and a
   * checkpoint carries every car of a partition every few seconds, so it is written here and
   * `last: null` in the states of `sharedBy` (their indexes), put back on import.
   */
  sample?: unknown;
  sharedBy?: number[];
}

/** The states with the newest sample they share taken out (see SlotState.sample). */
function withoutSharedSample(ruleStates: unknown[]): Pick<SlotState, 'ruleStates' | 'sample' | 'sharedBy'> {
  let sample: object | null = null;
  const sharedBy: number[] = [];
  const states = ruleStates.map((state, i) => {
    const last = (state as { last?: unknown } | null)?.last;
    if (last === null || typeof last !== 'object') return state;
    sample ??= last;
    if (last !== sample) return state;
    sharedBy.push(i);
    return { ...(state as object), last: null };
  });
  return sharedBy.length < 2 ? { ruleStates } : { ruleStates: states, sample, sharedBy };
}

/**
 * One per registered car. The slot is also the rules' context (the car, its thresholds, whether
 * a visit is open: rules only read it), so a car costs one object here, not two.
 */
interface ElevatorSlot extends RuleContext {
  visitLimits: VisitLimits;
  ruleStates: unknown[];
  lastDeviceTs: number | null;
  lastTelemetryTs: number | null;
  lastReceivedAt: number | null;
  offline: boolean;
  visits: ElevatorVisitState;
}

export function createDetector(elevators: readonly ElevatorInfo[], options: DetectorOptions = {}): Detector {
  const slots = new Map<string, ElevatorSlot>();
  let technicians: VisitBookState['technicians'] = {};
  const base: Thresholds =
    options.deviceOfflineS === undefined
      ? DEFAULT_THRESHOLDS
      : Object.freeze({ ...DEFAULT_THRESHOLDS, deviceOfflineS: options.deviceOfflineS });
  function newSlot(info: ElevatorInfo): ElevatorSlot {
    return {
      elevator: info,
      limits: thresholdsFor(info, base),
      visitOpen: false,
      visitLimits: visitLimitsFor(info, options.visitLimits ?? DEFAULT_VISIT_LIMITS),
      ruleStates: INITIAL_RULE_STATES.slice(),
      lastDeviceTs: null,
      lastTelemetryTs: null,
      lastReceivedAt: null,
      offline: false,
      visits: initialElevatorVisits(options.lastVerifiedAt?.[info.id] ?? null),
    };
  }
  for (const info of elevators) slots.set(info.id, newSlot(info));

  function runVisits(slot: ElevatorSlot, input: RuleInput): readonly Finding[] {
    // Most messages: no visit open, no inspection, nothing due. The book would only copy itself.
    if (visitsAtRest(slot.visits, input, slot.visitLimits)) return NO_VISIT_FINDINGS;
    const estateLocation = options.estateLocation
      ? options.estateLocation(slot.elevator.estateId)
      : (options.estates?.[slot.elevator.estateId] ?? null);
    const step = stepVisits({ elevator: slot.visits, technicians }, input, {
      elevator: slot.elevator,
      limits: slot.visitLimits,
      estateLocation,
    });
    slot.visits = step.state.elevator;
    technicians = step.state.technicians;
    return step.findings;
  }

  /** Appends the rules' findings to `findings`. */
  function runRules(slot: ElevatorSlot, input: RuleInput, findings: Finding[]): void {
    slot.visitOpen = isVisitOpen(slot.visits);
    const states = slot.ruleStates;
    for (let i = 0; i < RULES.length; i++) {
      const result = RULES[i]!.evaluate(states[i] as never, input, slot);
      states[i] = result.state;
      const found = result.findings;
      for (let j = 0; j < found.length; j++) findings.push({ ...found[j]!, elevatorId: slot.elevator.id });
    }
  }

  function pushAll(findings: Finding[], more: readonly Finding[]): void {
    for (let i = 0; i < more.length; i++) findings.push(more[i]!);
  }

  return {
    exportState(id) {
      const slot = slots.get(id);
      if (!slot) return null;
      const state: SlotState = {
        ...withoutSharedSample(slot.ruleStates),
        lastDeviceTs: slot.lastDeviceTs,
        lastTelemetryTs: slot.lastTelemetryTs,
        lastReceivedAt: slot.lastReceivedAt,
        offline: slot.offline,
        visits: slot.visits,
        visitOpen: slot.visitOpen,
      };
      return state;
    },

    importState(id, value) {
      const slot = slots.get(id);
      const state = value as SlotState | null;
      if (!slot || !state || !Array.isArray(state.ruleStates) || state.ruleStates.length !== RULES.length)
        return;
      // A checkpoint that wrote the shared sample once: each state that had it gets it back.
      if (state.sample !== undefined && Array.isArray(state.sharedBy))
        for (const i of state.sharedBy) {
          const ruleState = state.ruleStates[i] as { last?: unknown } | null;
          if (ruleState && typeof ruleState === 'object') ruleState.last = state.sample;
        }
      slot.ruleStates = state.ruleStates;
      slot.lastDeviceTs = state.lastDeviceTs;
      slot.lastTelemetryTs = state.lastTelemetryTs;
      slot.lastReceivedAt = state.lastReceivedAt;
      slot.offline = state.offline;
      slot.visits = state.visits;
      slot.visitOpen = state.visitOpen;
    },

    forget(ids) {
      for (const id of ids) {
        const slot = slots.get(id);
        if (slot) slots.set(id, newSlot(slot.elevator));
      }
    },

    updateElevators(list) {
      const keep = new Set<string>();
      for (const info of list) {
        keep.add(info.id);
        const slot = slots.get(info.id);
        if (!slot) {
          slots.set(info.id, newSlot(info));
        } else if (slot.elevator !== info) {
          const fresh = newSlot(info);
          slot.elevator = info;
          slot.limits = fresh.limits;
          slot.visitLimits = fresh.visitLimits;
        }
      }
      for (const id of slots.keys()) if (!keep.has(id)) slots.delete(id);
    },

    onMessage(message) {
      const slot = slots.get(message.elevatorId);
      if (!slot) return [];
      const findings: Finding[] = [];
      slot.lastReceivedAt = message.receivedAt;
      if (slot.offline) {
        slot.offline = false;
        findings.push({
          elevatorId: slot.elevator.id,
          kind: 'clear',
          code: 'device_offline',
          at: message.payload.ts,
          evidence: {},
        });
      }
      if (message.channel === 'status') return findings;
      // Rules need monotonic device time: a late sample is recorded elsewhere, not judged.
      if (message.channel === 'telemetry') {
        if (slot.lastTelemetryTs !== null && message.payload.ts <= slot.lastTelemetryTs) return findings;
        slot.lastTelemetryTs = message.payload.ts;
      }
      slot.lastDeviceTs = Math.max(slot.lastDeviceTs ?? 0, message.payload.ts);
      pushAll(findings, runVisits(slot, message));
      runRules(slot, message, findings);
      return findings;
    },

    onTick(nowMs) {
      const findings: Finding[] = [];
      for (const slot of slots.values()) {
        if (slot.lastReceivedAt === null || slot.lastDeviceTs === null) continue;
        if (!slot.offline && isDeviceOffline(slot.lastReceivedAt, nowMs, slot.limits)) {
          slot.offline = true;
          const silentS = Math.round((nowMs - slot.lastReceivedAt) / 1000);
          findings.push({
            elevatorId: slot.elevator.id,
            kind: 'raise',
            code: 'device_offline',
            at: slot.lastDeviceTs + (nowMs - slot.lastReceivedAt),
            evidence: { silentS, thresholdS: slot.limits.deviceOfflineS },
          });
        }
        const estimated = slot.lastDeviceTs + Math.max(0, nowMs - slot.lastReceivedAt);
        pushAll(findings, runVisits(slot, tick(slot, estimated)));
        // Conditions are only extrapolated a little past the last sample: a silent device proves nothing.
        const horizon = (slot.lastTelemetryTs ?? slot.lastDeviceTs) + slot.limits.tickHorizonS * 1000;
        runRules(slot, tick(slot, Math.min(estimated, horizon)), findings);
      }
      return findings;
    },
  };
}

function tick(slot: ElevatorSlot, ts: number): TickInput {
  return { channel: 'tick', elevatorId: slot.elevator.id, ts };
}
