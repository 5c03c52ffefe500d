/**
 * What the controller reports itself on the event channel: a fault code from the
 * catalogue (by name or by its GB/T 24476 number, e.g. "11") raises the same alert a
 * detected fault would, and the lifecycle folds the two into one. GB/T 24476 event 90
 * is the car alarm button. `power_restored` clears a mains loss; `detail.cleared: true`
 * is the controller telling us one of its faults is over (fault record status 00).
 */
import { FAULT_CODES, type FaultCode, isFaultCode } from '../../protocol/index.ts';
import { clear, NO_FINDINGS, type Rule, raise } from './types.ts';

const BY_GB_NUMBER: Record<string, FaultCode> = Object.fromEntries(
  Object.entries(FAULT_CODES).flatMap(([code, entry]) =>
    'gb' in entry ? [[entry.gb, code as FaultCode]] : [],
  ),
);

/** Codes only the ingest can know; a device may not claim them. */
const NOT_FROM_DEVICE = new Set<FaultCode>(['device_offline']);

export function faultCodeOf(eventCode: string): FaultCode | null {
  const code = isFaultCode(eventCode) ? eventCode : (BY_GB_NUMBER[eventCode] ?? null);
  return code && !NOT_FROM_DEVICE.has(code) ? code : null;
}

export const controllerEvents: Rule<null> = {
  id: 'controller_events',
  codes: Object.keys(FAULT_CODES).filter((c) => !NOT_FROM_DEVICE.has(c as FaultCode)) as FaultCode[],
  initial: () => null,
  evaluate(state, input) {
    if (input.channel !== 'event') return { state, findings: NO_FINDINGS };
    const event = input.payload;
    if (event.code === 'power_restored') {
      return {
        state,
        findings: [clear('power_lost', event.ts, { source: 'controller', event: event.code })],
      };
    }
    const code = faultCodeOf(event.code);
    if (!code) return { state, findings: NO_FINDINGS };
    const evidence = {
      source: 'controller',
      event: event.code,
      ...(event.detail ? { detail: event.detail } : {}),
    };
    const finding =
      event.detail?.cleared === true ? clear(code, event.ts, evidence) : raise(code, event.ts, evidence);
    return { state, findings: [finding] };
  },
};
