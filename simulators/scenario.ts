/**
 * The scenario file format: a fleet subset, a seed, a start (device epoch), a duration,
 * timed injections (faults, controller events, maintenance visits) and the ground truth
 * a detector is scored against. TypeBox is the source of the type and the validator;
 * `loadScenario` returns every problem at once.
 */
import { readFileSync } from 'node:fs';
import { type Static, type TLiteral, type TUnion, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FAULT_CODES, MAINTENANCE_CODES, VISIT_KINDS } from '../protocol/index.ts';
import { VISIT_PATTERNS } from './maintenance.ts';

const union = <const T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> =>
  Type.Union(values.map((v) => Type.Literal(v)));
const ElevatorRef = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
const Seconds = Type.Number({ minimum: 0 });

const FaultInjection = Type.Object(
  {
    at_s: Seconds,
    elevator: ElevatorRef,
    fault: union(Object.keys(FAULT_CODES) as (keyof typeof FAULT_CODES)[]),
    duration_s: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    inside_door_zone: Type.Optional(Type.Boolean()),
    variant: Type.Optional(Type.String()),
    report: Type.Optional(Type.Boolean({ description: 'Controller also reports the code as an event' })),
  },
  { additionalProperties: false },
);

const EventInjection = Type.Object(
  {
    at_s: Seconds,
    elevator: ElevatorRef,
    event: Type.String({ pattern: '^[a-z0-9_]+$', description: 'Controller-reported code' }),
  },
  { additionalProperties: false },
);

const VisitInjection = Type.Object(
  {
    at_s: Seconds,
    elevator: ElevatorRef,
    visit: Type.Object(
      {
        visit_id: Type.String({ minLength: 1 }),
        kind: union(VISIT_KINDS),
        pattern: union(VISIT_PATTERNS),
        technician_id: Type.String({ minLength: 1 }),
        company_id: Type.Optional(Type.String({ minLength: 1 })),
        method: union(['nfc', 'app', 'qr']),
        location: Type.Optional(Type.Object({ lat: Type.Number(), lon: Type.Number() })),
        inspection_min: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const UnreportedInjection = Type.Object(
  { at_s: Seconds, elevator: ElevatorRef, unreported_inspection_min: Type.Number({ exclusiveMinimum: 0 }) },
  { additionalProperties: false },
);

export const Injection = Type.Union([FaultInjection, EventInjection, VisitInjection, UnreportedInjection]);
export type Injection = Static<typeof Injection>;
export type FaultInjection = Static<typeof FaultInjection>;

const Verdict = union(['verified', 'suspect', 'fake']);

export const ExpectedFinding = Type.Object(
  {
    code: union([...Object.keys(FAULT_CODES), ...Object.keys(MAINTENANCE_CODES)]),
    elevator: ElevatorRef,
    /** When the condition began, seconds from start: detection delay is measured from here. */
    onset_s: Seconds,
    /** The window in which the finding should first be raised, seconds from start. */
    earliest_s: Seconds,
    latest_s: Seconds,
    /** May be raised by the same physical event; neither required nor a false alarm. */
    optional: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ExpectedFinding = Static<typeof ExpectedFinding>;

export const ExpectedVisit = Type.Object(
  {
    elevator: ElevatorRef,
    visit_id: Type.String(),
    kind: union(VISIT_KINDS),
    /** One verdict, or the set a fair judge may give (e.g. a short inspection: suspect or fake). */
    verdict: Type.Union([Verdict, Type.Array(Verdict, { minItems: 1 })]),
    check_in_s: Seconds,
  },
  { additionalProperties: false },
);
export type ExpectedVisit = Static<typeof ExpectedVisit>;

export const Scenario = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    description: Type.String(),
    suite: union(['short', 'full']),
    seed: Type.Integer({ minimum: 0 }),
    /** Device time at the start, ISO 8601 with offset. */
    start: Type.String({ pattern: '^\\d{4}-\\d\\d-\\d\\dT' }),
    duration_s: Type.Number({ exclusiveMinimum: 0 }),
    elevators: Type.Array(ElevatorRef, { minItems: 1 }),
    /** Passenger demand multiplier (1 = typical residential; 0 = heartbeats only). */
    traffic: Type.Optional(Type.Number({ minimum: 0 })),
    noise: Type.Optional(union(['none', 'realistic'])),
    injections: Type.Array(Injection),
    ground_truth: Type.Object(
      {
        /** True when nothing at all should be raised. */
        clean: Type.Boolean(),
        findings: Type.Array(ExpectedFinding),
        visits: Type.Array(ExpectedVisit),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'Scenario', additionalProperties: true },
);
export type Scenario = Static<typeof Scenario>;

const check = TypeCompiler.Compile(Scenario);

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid scenario ${source}: ${problems.join('; ')}`);
  }
}

/** Validates the shape, then the cross-field rules the schema cannot express. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const problems = [...check.Errors(value)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) throw new ScenarioError(source, problems);
  const scenario = value as Scenario;
  if (Number.isNaN(Date.parse(scenario.start))) problems.push(`/start: not a date: ${scenario.start}`);
  const known = new Set(scenario.elevators);
  scenario.injections.forEach((inj, i) => {
    if (!known.has(inj.elevator))
      problems.push(`/injections/${i}/elevator: ${inj.elevator} not in elevators`);
    if (inj.at_s > scenario.duration_s) problems.push(`/injections/${i}/at_s: after the end`);
  });
  scenario.ground_truth.findings.forEach((f, i) => {
    if (f.earliest_s > f.latest_s) problems.push(`/ground_truth/findings/${i}: earliest after latest`);
  });
  if (problems.length > 0) throw new ScenarioError(source, problems);
  return scenario;
}

export function loadScenario(path: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(path, 'utf8')), path);
}

export function startMs(scenario: Scenario): number {
  return Date.parse(scenario.start);
}

/** Ground-truth findings with absolute device times (epoch ms), for scorers. */
export function absoluteFindings(scenario: Scenario) {
  const t0 = startMs(scenario);
  return scenario.ground_truth.findings.map((f) => ({
    ...f,
    onsetMs: t0 + f.onset_s * 1000,
    earliestMs: t0 + f.earliest_s * 1000,
    latestMs: t0 + f.latest_s * 1000,
  }));
}
