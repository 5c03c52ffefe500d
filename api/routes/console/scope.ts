/**
 * Tenancy checks shared by the console routes. An id the principal may not see and an
 * id that does not exist take the same branch and give the same 404.
 */
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../../../fleet/directory.ts';
import { canSeeEstate, estateFilter, notFound, type Principal } from '../../data/tenancy.ts';
import type { ElevatorStateSource } from '../../state-source.ts';

export interface ScopeQuery {
  estate?: string;
  building?: string;
  elevator?: string;
}

/** Validates the filter ids against the principal's estates; returns the SQL estate filter. */
export function scopedFilter(directory: Directory, principal: Principal, q: ScopeQuery): string[] | null {
  if (q.estate !== undefined && (!directory.estate(q.estate) || !canSeeEstate(principal, q.estate)))
    throw notFound('Estate');
  if (q.building !== undefined) {
    const building = directory.building(q.building);
    if (!building || !canSeeEstate(principal, building.estateId)) throw notFound('Building');
  }
  if (q.elevator !== undefined) {
    const elevator = directory.elevator(q.elevator);
    if (!elevator || !canSeeEstate(principal, elevator.estateId)) throw notFound('Elevator');
  }
  return estateFilter(principal);
}

export function paged<T>(rows: T[], limit: number, offset: number) {
  const more = rows.length > limit;
  return { items: more ? rows.slice(0, limit) : rows, next_offset: more ? offset + limit : null };
}

export function stateView(app: FastifyInstance, source: ElevatorStateSource, elevatorId: string) {
  const state = source.get(elevatorId);
  return {
    condition: source.conditionOf(elevatorId, app.clock()),
    online: state?.online ?? null,
    last_heard_at: state?.lastHeardAt ?? null,
    telemetry: state?.telemetry ?? null,
    open_alerts: state
      ? [...state.openAlerts.values()].map((a) => ({
          id: a.id,
          code: a.code,
          severity: a.severity,
          state: a.state,
        }))
      : [],
    open_visit: state?.openVisit ? { id: state.openVisit.id, kind: state.openVisit.kind } : null,
  };
}
