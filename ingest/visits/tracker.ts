/**
 * The visit book (pure): follows each visit from check-in to check-out or timeout,
 * feeds it the telemetry of its window, judges it, and runs the across-visit checks:
 * overdue (TSG T5002, > 15 days since the last verified visit), impossible travel (the
 * Suzhou case) and inspection with nobody checked in (unreported maintenance).
 *
 * A boundary may arrive twice (QoS 1, the log redelivering, the API sending a phone's boundary
 * again after a failed send): a check-in of a visit already open changes nothing, and a
 * phone's check-in of a visit this car recently closed (`recentlyClosed`) or its check-out of a
 * visit not open changes nothing either, so a redelivered check-in cannot reopen a judged visit.
 */

import type { ElevatorInfo } from '../../fleet/types.ts';
import type { GeoPoint, MaintenanceMessage } from '../../protocol/index.ts';
import type { AlertFinding, Finding, RuleInput } from '../rules/types.ts';
import {
  accumulateEvent,
  accumulateTelemetry,
  EMPTY_EVIDENCE,
  type EvidenceAccumulator,
  summarize,
} from './evidence.ts';
import { judgeVisit } from './judge.ts';
import type { VisitLimits } from './limits.ts';
import { checkTravel, type Sighting } from './travel.ts';
import type { MaintenanceVisit } from './types.ts';

export interface OpenVisit {
  visit: MaintenanceVisit;
  acc: EvidenceAccumulator;
}

export interface ElevatorVisitState {
  open: Record<string, OpenVisit>;
  lastVerifiedAt: number | null;
  baselineAt: number | null;
  overdueRaised: boolean;
  inInspection: boolean;
  unreportedSince: number | null;
  unreportedRaised: boolean;
  /**
   * Ids of the visits this car closed last, newest last, at most RECENTLY_CLOSED_MAX: a boundary
   * of one of them delivered again is a duplicate. Optional: checkpoints written before it.
   */
  recentlyClosed?: readonly string[];
}

/** Visits per car remembered closed: a month of half-monthly visits and repairs, many times over. */
export const RECENTLY_CLOSED_MAX = 16;

function closedRecently(el: ElevatorVisitState, visitId: string): boolean {
  return el.recentlyClosed?.includes(visitId) ?? false;
}

/**
 * What one step of the book reads and writes: this elevator's visits, and the technician
 * sightings that are shared across the fleet (for impossible travel). Per-elevator state
 * is held by the caller, so a step costs the same for a fleet of 40 or 10,000.
 */
export interface VisitBookState {
  elevator: ElevatorVisitState;
  technicians: Record<string, Sighting>;
}

export interface VisitContext {
  elevator: ElevatorInfo;
  limits: VisitLimits;
  /** The estate's coordinates, for check-ins that carry no location. */
  estateLocation: GeoPoint | null;
}

/**
 * Shared by every car with no visit open and none closed yet (most of them): the book is
 * replaced, never written into, and an empty object or array of its own costs 32–56 B per car.
 */
const NO_OPEN_VISITS: Record<string, OpenVisit> = Object.freeze({}) as Record<string, OpenVisit>;
const NONE_CLOSED: readonly string[] = Object.freeze([]);

/** The open visits with each one's accumulator stepped; the shared empty book when none is open. */
function mapOpen(
  open: Record<string, OpenVisit>,
  step: (acc: EvidenceAccumulator) => EvidenceAccumulator,
): Record<string, OpenVisit> {
  if (open === NO_OPEN_VISITS) return open;
  const stepped = Object.entries(open).map(([vid, o]) => [vid, { ...o, acc: step(o.acc) }] as const);
  return stepped.length === 0 ? NO_OPEN_VISITS : Object.fromEntries(stepped);
}

export function initialElevatorVisits(lastVerifiedAt: number | null = null): ElevatorVisitState {
  return {
    open: NO_OPEN_VISITS,
    lastVerifiedAt,
    baselineAt: null,
    overdueRaised: false,
    inInspection: false,
    unreportedSince: null,
    unreportedRaised: false,
    recentlyClosed: NONE_CLOSED,
  };
}

export function isVisitOpen(visits: ElevatorVisitState): boolean {
  for (const _ in visits.open) return true;
  return false;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * True when stepVisits would return this elevator's book unchanged and find nothing: no
 * visit open, not in inspection and not entering it, no maintenance message, no unreported
 * episode, and the overdue check already raised or not yet due. The detector skips the
 * step then (most messages), which would otherwise copy the book on every sample.
 */
export function visitsAtRest(el: ElevatorVisitState, input: RuleInput, limits: VisitLimits): boolean {
  if (input.channel === 'telemetry') {
    if (input.payload.mode === 'inspection') return false;
  } else if (input.channel !== 'tick') return false;
  if (el.inInspection || el.unreportedSince !== null || el.unreportedRaised || el.baselineAt === null)
    return false;
  if (isVisitOpen(el)) return false;
  if (el.overdueRaised) return true;
  const reference = el.lastVerifiedAt ?? el.baselineAt;
  return inputTs(input) - reference <= limits.overdueDays * DAY;
}

type Step = { book: VisitBookState; el: ElevatorVisitState; findings: Finding[] };

function alert(
  elevatorId: string,
  kind: 'raise' | 'clear',
  code: AlertFinding['code'],
  at: number,
  evidence = {},
): AlertFinding {
  return { elevatorId, kind, code, at, evidence };
}

function inputTs(input: RuleInput): number {
  return input.channel === 'tick' ? input.ts : input.payload.ts;
}

export function stepVisits(
  book: VisitBookState,
  input: RuleInput,
  ctx: VisitContext,
): { state: VisitBookState; findings: Finding[] } {
  const ts = inputTs(input);
  const el0 = book.elevator;
  let s: Step = { book, el: { ...el0, baselineAt: el0.baselineAt ?? ts }, findings: [] };
  switch (input.channel) {
    case 'telemetry': {
      const t = input.payload;
      const open = mapOpen(s.el.open, (acc) => accumulateTelemetry(acc, t, ctx.elevator));
      s.el = { ...s.el, open, inInspection: t.mode === 'inspection' };
      break;
    }
    case 'event': {
      const e = input.payload;
      const open = mapOpen(s.el.open, (acc) => accumulateEvent(acc, e));
      const inInspection =
        e.code === 'inspection_entered' ? true : e.code === 'inspection_left' ? false : s.el.inInspection;
      s.el = { ...s.el, open, inInspection };
      break;
    }
    case 'maintenance': {
      const m = input.payload;
      // A phone's check-out for a visit no longer open is a boundary delivered again (the API
      // sends the check-in first): judging it as paper maintenance would overwrite the verdict
      // the visit already has. A check-in of a visit this car closed is one delivered again too:
      // opening it would undo the close and judge the visit a second time.
      if (m.action === 'check_out' && m.via === 'phone' && !s.el.open[m.visit_id]) break;
      // (Phone visit ids are the API's UUIDs; a device's may come round again, so its check-in
      // of a known id still opens a visit.)
      if (m.action === 'check_in' && m.via === 'phone' && closedRecently(s.el, m.visit_id)) break;
      s = m.action === 'check_in' ? checkIn(s, m, ctx) : checkOut(s, m, ctx);
      break;
    }
    default:
      break;
  }
  s = closeTimedOut(s, ts, ctx);
  s = checkUnreported(s, ts, ctx);
  s = checkOverdue(s, ts, ctx);
  return { state: { elevator: s.el, technicians: s.book.technicians }, findings: s.findings };
}

function checkIn(s: Step, m: MaintenanceMessage, ctx: VisitContext): Step {
  const id = ctx.elevator.id;
  if (s.el.open[m.visit_id]) return s;
  const visit: MaintenanceVisit = {
    id: m.visit_id,
    elevatorId: id,
    technicianId: m.technician_id,
    companyId: m.company_id,
    kind: m.kind,
    method: m.method,
    checkInAt: m.ts,
    checkOutAt: null,
    status: 'open',
    location: m.location ?? null,
    items: m.items ?? null,
    evidenceScore: null,
    verdict: null,
    reasons: [],
    evidence: null,
  };
  const findings: Finding[] = [...s.findings, { kind: 'visit', elevatorId: id, at: m.ts, visit }];
  const where = m.location ?? ctx.estateLocation;
  const previous = s.book.technicians[m.technician_id];
  if (previous && previous.visitId !== m.visit_id) {
    const stale = previous.leftAt === null && m.ts - previous.at > ctx.limits.visitTimeoutH * 60 * MINUTE;
    const verdict = checkTravel(
      stale ? { ...previous, leftAt: previous.at } : previous,
      { at: m.ts, where },
      ctx.limits,
    );
    if (verdict) {
      findings.push(
        alert(id, 'raise', 'impossible_travel', m.ts, {
          technician_id: m.technician_id,
          visit_id: m.visit_id,
          ...verdict,
        }),
      );
    }
  }
  const sighting: Sighting = { visitId: m.visit_id, elevatorId: id, at: m.ts, leftAt: null, where };
  return {
    book: { ...s.book, technicians: { ...s.book.technicians, [m.technician_id]: sighting } },
    el: {
      ...s.el,
      open: { ...s.el.open, [m.visit_id]: { visit, acc: EMPTY_EVIDENCE } },
      unreportedSince: null,
    },
    findings,
  };
}

function checkOut(s: Step, m: MaintenanceMessage, ctx: VisitContext): Step {
  // A check-out with no check-in is paper maintenance: judged as a visit of zero length.
  const opened =
    s.el.open[m.visit_id] ??
    checkIn({ ...s, findings: [] }, { ...m, action: 'check_in' }, ctx).el.open[m.visit_id]!;
  const claimed = { ...opened, visit: { ...opened.visit, items: m.items ?? opened.visit.items } };
  let next = close(s, claimed, m.ts, 'closed', ctx);
  const sighting = next.book.technicians[m.technician_id];
  if (sighting?.visitId === m.visit_id) {
    const technicians = { ...next.book.technicians, [m.technician_id]: { ...sighting, leftAt: m.ts } };
    next = { ...next, book: { ...next.book, technicians } };
  }
  // Still in inspection at check-out: the grace period starts again from here.
  return { ...next, el: { ...next.el, unreportedSince: next.el.inInspection ? m.ts : null } };
}

function close(
  s: Step,
  o: OpenVisit,
  endAt: number,
  status: 'closed' | 'timed_out',
  ctx: VisitContext,
): Step {
  const id = ctx.elevator.id;
  const evidence = summarize(o.acc, { checkInAt: o.visit.checkInAt, endAt }, ctx.elevator);
  const checkOutAt = status === 'closed' ? endAt : null;
  const judgement = judgeVisit(
    { kind: o.visit.kind, checkOutAt, items: o.visit.items, floors: ctx.elevator.floors },
    evidence,
    ctx.limits,
  );
  const visit: MaintenanceVisit = {
    ...o.visit,
    checkOutAt,
    status,
    evidenceScore: judgement.score,
    verdict: judgement.verdict,
    reasons: judgement.reasons,
    evidence,
  };
  const { [o.visit.id]: _closed, ...rest } = s.el.open;
  const open = Object.keys(rest).length === 0 ? NO_OPEN_VISITS : rest;
  const recentlyClosed = [...(s.el.recentlyClosed ?? []), o.visit.id].slice(-RECENTLY_CLOSED_MAX);
  const findings: Finding[] = [...s.findings, { kind: 'visit', elevatorId: id, at: endAt, visit }];
  const summary = {
    visit_id: visit.id,
    technician_id: visit.technicianId,
    kind: visit.kind,
    score: judgement.score,
  };
  let el: ElevatorVisitState = { ...s.el, open, recentlyClosed };
  if (judgement.verdict === 'fake')
    findings.push(alert(id, 'raise', 'maintenance_fake', endAt, { ...summary, reasons: judgement.reasons }));
  if (judgement.verdict === 'suspect') {
    findings.push(
      alert(id, 'raise', 'maintenance_suspect', endAt, { ...summary, reasons: judgement.reasons }),
    );
  }
  if (judgement.verdict === 'verified' && visit.kind !== 'repair') {
    if (el.overdueRaised)
      findings.push(alert(id, 'clear', 'maintenance_overdue', endAt, { visit_id: visit.id }));
    el = { ...el, lastVerifiedAt: Math.max(el.lastVerifiedAt ?? 0, endAt), overdueRaised: false };
  }
  return { ...s, el, findings };
}

function closeTimedOut(s: Step, ts: number, ctx: VisitContext): Step {
  const timeoutMs = ctx.limits.visitTimeoutH * 60 * MINUTE;
  let next = s;
  for (const o of Object.values(s.el.open)) {
    if (ts - o.visit.checkInAt <= timeoutMs) continue;
    next = close(next, o, o.visit.checkInAt + timeoutMs, 'timed_out', ctx);
    const sighting = next.book.technicians[o.visit.technicianId];
    if (sighting?.visitId === o.visit.id) {
      const technicians = {
        ...next.book.technicians,
        [o.visit.technicianId]: { ...sighting, leftAt: sighting.at },
      };
      next = { ...next, book: { ...next.book, technicians } };
    }
  }
  return next;
}

function checkUnreported(s: Step, ts: number, ctx: VisitContext): Step {
  const el = s.el;
  if (!el.inInspection || Object.keys(el.open).length > 0) {
    return {
      ...s,
      el: { ...el, unreportedSince: null, unreportedRaised: el.inInspection && el.unreportedRaised },
    };
  }
  const since = el.unreportedSince ?? ts;
  const graceMs = ctx.limits.unreportedGraceMin * MINUTE;
  if (el.unreportedRaised || ts - since < graceMs) return { ...s, el: { ...el, unreportedSince: since } };
  const finding = alert(ctx.elevator.id, 'raise', 'unreported_maintenance', ts, {
    inspectionSince: since,
    minutes: Math.round((ts - since) / MINUTE),
    graceMin: ctx.limits.unreportedGraceMin,
  });
  return {
    ...s,
    el: { ...el, unreportedSince: since, unreportedRaised: true },
    findings: [...s.findings, finding],
  };
}

function checkOverdue(s: Step, ts: number, ctx: VisitContext): Step {
  const el = s.el;
  const reference = el.lastVerifiedAt ?? el.baselineAt ?? ts;
  if (el.overdueRaised || ts - reference <= ctx.limits.overdueDays * DAY) return s;
  const finding = alert(ctx.elevator.id, 'raise', 'maintenance_overdue', ts, {
    lastVerifiedAt: el.lastVerifiedAt,
    daysSince: Math.floor((ts - reference) / DAY),
    limitDays: ctx.limits.overdueDays,
  });
  return { ...s, el: { ...el, overdueRaised: true }, findings: [...s.findings, finding] };
}
