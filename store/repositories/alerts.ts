/**
 * The alerts repository: the only place that builds queries on `alerts` (and stores the
 * visit findings the lifecycle records with them). alerts/lifecycle.ts, the API's routes
 * and its state seeding call these named operations; the invariants sit in the database:
 * one open alert per (elevator, code) by the unique partial index and one insert-or-bump
 * statement, and every other transition as one conditional `UPDATE … RETURNING`, so any
 * number of processes may write and a writer that loses a race gets no row (and reads
 * the winner's).
 */
import { sql } from 'kysely';
import { ESCALATION_REASONS, type EscalationReason, type PersonResolution } from '../../protocol/index.ts';
import type { RegistryDb } from '../db.ts';
import type { AlertState, AlertTable, MaintenanceVisitTable } from '../schema.ts';
import { type OnCallRepository, onCallRepository } from './on-call.ts';
import { type LeaseFence, partitionEpochRepository } from './partition-epochs.ts';
import { type TransitionOutboxWriter, transitionOutboxRepository } from './transition-outbox.ts';

export interface AlertFilter {
  /** The principal's estates; null: every estate (admin). */
  estateIds: string[] | null;
  estate?: string;
  building?: string;
  elevator?: string;
  code?: string;
  severity?: string;
  state?: AlertState;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface AlertRepository {
  byId(id: string): Promise<AlertTable | undefined>;
  /**
   * One page of alerts, newest first, one row more than `limit` when more follow. In two
   * steps, both on indexes (migration 0006): the page's ids from the narrow (estate,
   * [state,] opened_at, id) index entries, then those rows by primary key. No COUNT.
   */
  list(filter: AlertFilter): Promise<AlertTable[]>;
  /** Every not-resolved alert (the API's state at start). */
  unresolved(): Promise<AlertTable[]>;
  /** Not-resolved alerts of these codes (the escalation check). */
  unresolvedWithCodes(codes: readonly string[]): Promise<AlertTable[]>;
  /** The estate an elevator's alerts belong to; null for an elevator the registry does not know. */
  estateOfElevator(elevatorId: string): Promise<string | null>;
  /**
   * One statement: insert the alert, or, when the unique open index (elevator, code)
   * already holds one, bump its count and last sighting. `opened` is true only when the
   * row returned is the one given (the insert won).
   */
  openOrBump(row: AlertTable): Promise<{ row: AlertTable; opened: boolean }>;
  /**
   * Every not-resolved alert of (elevator, code) → resolved by 'auto' as 'auto_cleared',
   * stamped with the clearing worker's lease epoch (null: none).
   */
  autoResolve(
    elevatorId: string,
    code: string,
    at: number,
    leaseEpoch?: number | null,
  ): Promise<AlertTable[]>;
  /** open → acknowledged; undefined when the alert was not open (or does not exist). */
  acknowledge(input: {
    id: string;
    by: string;
    at: number;
    note: string | null;
  }): Promise<AlertTable | undefined>;
  /** open | acknowledged → resolved; undefined when already resolved (or missing). */
  resolve(input: {
    id: string;
    by: string;
    at: number;
    note: string | null;
    resolution: PersonResolution;
  }): Promise<AlertTable | undefined>;
  /**
   * Someone is on site ("到场"): stamps a not-resolved alert that has no arrival yet.
   * Undefined when it was already stamped or resolved (or does not exist).
   */
  arrive(input: { id: string; by: string; at: number; note: string | null }): Promise<AlertTable | undefined>;
  /**
   * Adds a source to an alert another source opened (the resident's report joins the
   * detector's alert, or the reverse), with the evidence merged: applied only while the
   * row still has `expected` sources (compare-and-set), undefined otherwise (read again).
   */
  joinSource(input: {
    id: string;
    expected: string;
    sources: string;
    evidenceJson: string;
  }): Promise<AlertTable | undefined>;
  /**
   * Marks a not-resolved alert escalated, unless it already is for this reason: "not
   * acknowledged" only while open and never escalated, "not resolved" once. Undefined
   * when another checker got there first or the alert moved on.
   */
  escalate(id: string, at: number, reason: EscalationReason): Promise<AlertTable | undefined>;
  /** Stores a visit finding (check-in, then its verdict), keyed by the visit's id. */
  recordVisit(row: MaintenanceVisitTable): Promise<void>;
  /**
   * Imports alerts as they are (history from another system, a benchmark's year of alerts),
   * 500 rows a statement; the unique open index still refuses two open ones per (elevator, code).
   */
  importMany(rows: readonly AlertTable[]): Promise<void>;
  /**
   * The escalation steps' side of the alert (migration 0012): the estate's windows and roster,
   * and the step records (`take` is once per (alert, step)). Here so the lifecycle, which
   * receives this repository wherever it runs (the ingest, the all-in-one process), can
   * decide the steps without another dependency.
   */
  readonly escalations: Pick<OnCallRepository, 'plan' | 'take'>;
  /**
   * Runs `work` in one write transaction, with this repository over it and the transition
   * outbox (migration 0080): a transition and the outbox row announcing it commit together
   * or not at all. Inside `work`, use only `tx` (SQLite has one connection).
   */
  transaction<T>(work: (tx: AlertRepository, outbox: TransitionOutboxWriter) => Promise<T>): Promise<T>;
  /**
   * The lease fence (migration 0090, store/repositories/partition-epochs.ts): call first inside
   * `transaction` for a leased worker's transition; throws LEASE_LOST when the partition has
   * been claimed at another epoch since, so the transaction, outbox row included, rolls back.
   */
  fence(lease: LeaseFence): Promise<void>;
}

export function createAlertRepository(db: RegistryDb): AlertRepository {
  const byId = (id: string) => db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    byId,
    escalations: onCallRepository(db),
    fence: (lease) => partitionEpochRepository(db).fence(lease),

    transaction: (work) =>
      db.transaction().execute((trx) => work(createAlertRepository(trx), transitionOutboxRepository(trx))),

    async list(f) {
      // The tenancy filter stays in every query; a pinned estate (the route has checked it
      // is visible) narrows it to one value, which the index then reads in order.
      let estates = f.estateIds;
      if (f.estate !== undefined) {
        if (estates && !estates.includes(f.estate)) return [];
        estates = [f.estate];
      }
      let q = db.selectFrom('alerts as a').select('a.id');
      if (estates)
        q =
          estates.length === 1
            ? q.where('a.estate_id', '=', estates[0]!)
            : q.where('a.estate_id', 'in', estates.length ? estates : ['']);
      if (f.elevator) q = q.where('a.elevator_id', '=', f.elevator);
      if (f.building)
        q = q.where(
          'a.elevator_id',
          'in',
          db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
        );
      if (f.code) q = q.where('a.code', '=', f.code);
      if (f.severity) q = q.where('a.severity', '=', f.severity);
      if (f.state) q = q.where('a.state', '=', f.state);
      if (f.from !== undefined) q = q.where('a.opened_at', '>=', f.from);
      if (f.to !== undefined) q = q.where('a.opened_at', '<', f.to);
      const pageIds = q
        .orderBy('a.opened_at', 'desc')
        .orderBy('a.id')
        .limit(f.limit + 1)
        .offset(f.offset);
      return db
        .selectFrom('alerts')
        .selectAll()
        .where('id', 'in', pageIds)
        .orderBy('opened_at', 'desc')
        .orderBy('id')
        .execute();
    },

    unresolved: () => db.selectFrom('alerts').selectAll().where('state', '!=', 'resolved').execute(),

    async unresolvedWithCodes(codes) {
      if (codes.length === 0) return [];
      return db
        .selectFrom('alerts')
        .selectAll()
        .where('state', '!=', 'resolved')
        .where('code', 'in', [...codes])
        .execute();
    },

    async estateOfElevator(elevatorId) {
      const row = await db
        .selectFrom('elevators')
        .select('estate_id')
        .where('id', '=', elevatorId)
        .executeTakeFirst();
      return row?.estate_id ?? null;
    },

    async openOrBump(row) {
      const stored = await db
        .insertInto('alerts')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['elevator_id', 'code'])
            // The partial index's own predicate, as a literal: both dialects match the
            // conflict target against the index by its text, which a bound parameter is not.
            .where(sql<boolean>`state != 'resolved'`)
            .doUpdateSet((eb) => ({
              count: eb('alerts.count', '+', 1),
              last_seen_at: eb
                .case()
                .when('excluded.last_seen_at', '>', eb.ref('alerts.last_seen_at'))
                .then(eb.ref('excluded.last_seen_at'))
                .else(eb.ref('alerts.last_seen_at'))
                .end(),
              // A bump by a leased worker records its epoch; a resident's join keeps the row's.
              lease_epoch: eb.fn.coalesce('excluded.lease_epoch', 'alerts.lease_epoch'),
            })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return { row: stored, opened: stored.id === row.id };
    },

    autoResolve: (elevatorId, code, at, leaseEpoch = null) =>
      db
        .updateTable('alerts')
        .set({
          state: 'resolved',
          resolved_by: 'auto',
          resolved_at: at,
          resolution: 'auto_cleared',
          ...(leaseEpoch !== null ? { lease_epoch: leaseEpoch } : {}),
        })
        .where('elevator_id', '=', elevatorId)
        .where('code', '=', code)
        .where('state', '!=', 'resolved')
        .returningAll()
        .execute(),

    acknowledge: (input) =>
      db
        .updateTable('alerts')
        .set({
          state: 'acknowledged',
          acknowledged_by: input.by,
          acknowledged_at: input.at,
          ack_note: input.note,
        })
        .where('id', '=', input.id)
        .where('state', '=', 'open')
        .returningAll()
        .executeTakeFirst(),

    resolve: (input) =>
      db
        .updateTable('alerts')
        .set({
          state: 'resolved',
          resolved_by: input.by,
          resolved_at: input.at,
          resolve_note: input.note,
          resolution: input.resolution,
        })
        .where('id', '=', input.id)
        .where('state', '!=', 'resolved')
        .returningAll()
        .executeTakeFirst(),

    arrive: (input) =>
      db
        .updateTable('alerts')
        .set({ arrived_at: input.at, arrived_by: input.by, arrive_note: input.note })
        .where('id', '=', input.id)
        .where('state', '!=', 'resolved')
        .where('arrived_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),

    joinSource: (input) =>
      db
        .updateTable('alerts')
        .set({ sources: input.sources, evidence_json: input.evidenceJson })
        .where('id', '=', input.id)
        .where('sources', '=', input.expected)
        .returningAll()
        .executeTakeFirst(),

    escalate(id, at, reason) {
      let q = db
        .updateTable('alerts')
        .set({ escalated_at: at, escalation_reason: reason })
        .where('id', '=', id)
        .where('state', '!=', 'resolved');
      q =
        reason === ESCALATION_REASONS.notResolved
          ? q.where((eb) =>
              eb.or([eb('escalation_reason', 'is', null), eb('escalation_reason', '!=', reason)]),
            )
          : q.where('state', '=', 'open').where('escalation_reason', 'is', null);
      return q.returningAll().executeTakeFirst();
    },

    async recordVisit(row) {
      const { id: _key, ...values } = row;
      await db
        .insertInto('maintenance_visits')
        .values(row)
        .onConflict((oc) => {
          const update = oc.column('id').doUpdateSet(values);
          // A visit's opening never overwrites its close: a check-in delivered again after the
          // visit closed (a worker that lost its state, a redelivered message) cannot reopen it.
          return row.status === 'open' ? update.where('maintenance_visits.status', '=', 'open') : update;
        })
        .execute();
    },

    async importMany(rows) {
      for (let i = 0; i < rows.length; i += 500)
        await db
          .insertInto('alerts')
          .values(rows.slice(i, i + 500))
          .execute();
    },
  };
}
