/**
 * The shapes every detection rule shares. A rule is a pure step function over device
 * time: (its own state, one input, the elevator) → (new state, findings). No clock, no
 * I/O; the detector in index.ts owns the per-elevator states.
 */

import type { ElevatorInfo } from '../../fleet/types.ts';
import type { AlertCode, DeviceMessage, Evidence, RuleFinding } from '../../protocol/index.ts';
import type { Thresholds } from './thresholds.ts';

export type { AlertFinding, Evidence, Finding, RuleFinding, VisitFinding } from '../../protocol/index.ts';

/**
 * Device time passing without a message: the detector estimates device time from the
 * last message and the wall clock, so "longer than T" rules fire between sparse samples.
 */
export interface TickInput {
  channel: 'tick';
  elevatorId: string;
  ts: number;
}

export type RuleInput = DeviceMessage | TickInput;

/** What a rule may read besides its input: the car, its thresholds, whether a visit is open. */
export interface RuleContext {
  elevator: ElevatorInfo;
  limits: Thresholds;
  /** A technician is checked in: maintenance explains inspection, open doors, out of service. */
  visitOpen: boolean;
}

export interface RuleResult<S> {
  state: S;
  findings: RuleFinding[];
}

export interface Rule<S = unknown> {
  id: string;
  /** The codes this rule can raise, for the docs and the coverage test. */
  codes: readonly AlertCode[];
  initial(): S;
  evaluate(state: S, input: RuleInput, context: RuleContext): RuleResult<S>;
}

/**
 * The answer of most steps: shared, and frozen so that a push into it fails loudly
 * instead of leaking findings between elevators.
 */
export const NO_FINDINGS: RuleFinding[] = Object.freeze([]) as unknown as RuleFinding[];

export function raise(code: AlertCode, at: number, evidence: Evidence): RuleFinding {
  return { code, kind: 'raise', at, evidence };
}

export function clear(code: AlertCode, at: number, evidence: Evidence = {}): RuleFinding {
  return { code, kind: 'clear', at, evidence };
}
