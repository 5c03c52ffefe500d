/**
 * Resident reports (居民点单): filed anonymously from the QR page, queued for the estate's
 * property firm, followed by residents through a receipt number bound to the elevator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ExpressionBuilder } from 'kysely';
import type { FollowedAlert } from '../../protocol/alert-steps.ts';
import {
  type AlertState,
  type AlertStep,
  alertStepOf,
  effectiveReportStatus,
  followsAlert,
} from '../../protocol/index.ts';
import type { RegistryDb } from '../db.ts';
import type { Database, ResidentReportStatus, ResidentReportTable } from '../schema.ts';

/**
 * A report as the console reads it: with its linked alert's step (已确认, 已到场, 已解决…),
 * read in the same statement, since a linked report is handled through its alert and its own
 * stored status stays where the resident filed it. `status` is the report's effective status
 * (protocol/alert-steps.ts `effectiveReportStatus`: a resolved alert closes it), the one the
 * list filters on; `follows_alert` says the alert, not the firm, moves it.
 */
export type ReportWithAlert = ResidentReportTable & {
  alert_step: AlertStep | null;
  follows_alert: boolean;
};

/** No 0/O or 1/I: people read receipts aloud over the phone. */
const RECEIPT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function newReceipt(): string {
  const bytes = randomBytes(10);
  let out = '';
  for (const b of bytes) out += RECEIPT_ALPHABET[b % 32];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

export interface ReportFilter {
  /** Null: every estate (admin). */
  estateIds: string[] | null;
  estate?: string;
  building?: string;
  elevator?: string;
  status?: string;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface NewReport {
  elevatorId: string;
  estateId: string;
  category: string;
  description: string;
  now: number;
}

export interface ReportRepository {
  file(input: NewReport): Promise<ResidentReportTable>;
  byReceipt(elevatorId: string, receipt: string): Promise<ResidentReportTable | undefined>;
  byId(id: string): Promise<ReportWithAlert | undefined>;
  /** Newest first; one row more than `limit` when more follow. */
  list(filter: ReportFilter): Promise<ReportWithAlert[]>;
  updateStatus(input: {
    id: string;
    status: ResidentReportStatus;
    reply?: string;
    by: string;
    now: number;
  }): Promise<ReportWithAlert | undefined>;
  /** Links a report to the alert it opened or joined (a "有人被困" report). */
  linkAlert(id: string, alertId: string): Promise<void>;
  /**
   * The resident's word after handling: 'fixed', or 'not_fixed', which reopens the report
   * (back to 'received', counted). Compare-and-set on `feedback_at`: applied only while it
   * is still `expectedFeedbackAt` (a double submit applies once); undefined otherwise.
   */
  feedback(input: {
    id: string;
    outcome: 'fixed' | 'not_fixed';
    rating: number;
    now: number;
    expectedFeedbackAt: number | null;
  }): Promise<ResidentReportTable | undefined>;
}

type Joined = ResidentReportTable & {
  alert_state: AlertState | null;
  alert_acknowledged_at: number | null;
  alert_arrived_at: number | null;
  alert_resolved_at: number | null;
};

/** The linked alert's columns a report's effective status reads, as `withAlert` joins them. */
export const FOLLOWED_ALERT_COLUMNS = [
  'a.state as alert_state',
  'a.acknowledged_at as alert_acknowledged_at',
  'a.arrived_at as alert_arrived_at',
  'a.resolved_at as alert_resolved_at',
] as const;

type FollowedAlertColumns = Pick<
  Joined,
  'alert_state' | 'alert_acknowledged_at' | 'alert_arrived_at' | 'alert_resolved_at'
>;

/**
 * Splits a report row joined with FOLLOWED_ALERT_COLUMNS into the report and its linked
 * alert (null without one): what `effectiveReportStatus` reads. The console's list and the
 * monthly SLA report (store/repositories/sla.ts) both read reports this way.
 */
export function splitFollowedAlert<R extends FollowedAlertColumns>(
  row: R,
): { report: Omit<R, keyof FollowedAlertColumns>; alert: FollowedAlert | null } {
  const { alert_state, alert_acknowledged_at, alert_arrived_at, alert_resolved_at, ...report } = row;
  const alert =
    alert_state === null
      ? null
      : {
          state: alert_state,
          acknowledged_at: alert_acknowledged_at,
          arrived_at: alert_arrived_at,
          resolved_at: alert_resolved_at,
        };
  return { report, alert };
}

function withAlertStep(row: Joined): ReportWithAlert {
  const { report, alert } = splitFollowedAlert(row);
  return {
    ...report,
    status: effectiveReportStatus(report, alert),
    alert_step: alert ? alertStepOf(alert) : null,
    follows_alert: followsAlert(report, alert),
  };
}

type Joining = ExpressionBuilder<
  Database & { r: Database['resident_reports'] } & { a: Database['alerts'] },
  'r' | 'a'
>;

/**
 * `effectiveReportStatus` in SQL, for the list's status filter (the count badge reads
 * `?status=received` and `in_progress`): the report's own status unless a followed alert is
 * further along. tests/integration/api-duty-officer.test.ts checks both say the same.
 */
function effectiveStatusSql(eb: Joining) {
  // Not reopened after the alert's resolution, spelled so no NULL reaches the answer (NOT of
  // an unknown is unknown, and would drop a followed report back to its stored status).
  const followed = eb.and([
    eb('a.id', 'is not', null),
    eb.or([
      eb('a.resolved_at', 'is', null),
      eb('r.feedback', 'is', null),
      eb('r.feedback', '<>', 'not_fixed'),
      eb('r.feedback_at', 'is', null),
      eb('r.feedback_at', '<', eb.ref('a.resolved_at')),
    ]),
  ]);
  return eb
    .case()
    .when(
      eb.and([followed, eb('a.state', '=', 'resolved'), eb('r.status', 'in', ['received', 'in_progress'])]),
    )
    .then('resolved')
    .when(
      eb.and([
        followed,
        eb.or([eb('a.acknowledged_at', 'is not', null), eb('a.arrived_at', 'is not', null)]),
        eb('r.status', '=', 'received'),
      ]),
    )
    .then('in_progress')
    .else(eb.ref('r.status'))
    .end();
}

export function reportRepository(db: RegistryDb): ReportRepository {
  /** Reports with their linked alert's state beside them (a left join: most have none). */
  const withAlert = () =>
    db
      .selectFrom('resident_reports as r')
      .leftJoin('alerts as a', 'a.id', 'r.alert_id')
      .selectAll('r')
      .select(FOLLOWED_ALERT_COLUMNS);
  const byId = async (id: string) => {
    const row = await withAlert().where('r.id', '=', id).executeTakeFirst();
    return row ? withAlertStep(row) : undefined;
  };
  return {
    async file(input) {
      const row: ResidentReportTable = {
        id: randomUUID(),
        receipt: newReceipt(),
        elevator_id: input.elevatorId,
        estate_id: input.estateId,
        category: input.category,
        description: input.description,
        status: 'received',
        created_at: input.now,
        updated_at: input.now,
        handled_by: null,
        reply: null,
        alert_id: null,
        feedback: null,
        feedback_at: null,
        rating: null,
        reopen_count: 0,
      };
      await db.insertInto('resident_reports').values(row).execute();
      return row;
    },
    byReceipt: (elevatorId, receipt) =>
      db
        .selectFrom('resident_reports')
        .selectAll()
        .where('receipt', '=', receipt.toUpperCase())
        .where('elevator_id', '=', elevatorId)
        .executeTakeFirst(),
    byId,
    async list(f) {
      let q = withAlert();
      if (f.estateIds) q = q.where('r.estate_id', 'in', f.estateIds.length ? f.estateIds : ['']);
      if (f.estate) q = q.where('r.estate_id', '=', f.estate);
      if (f.elevator) q = q.where('r.elevator_id', '=', f.elevator);
      if (f.building)
        q = q.where(
          'r.elevator_id',
          'in',
          db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
        );
      if (f.status) q = q.where((eb) => eb(effectiveStatusSql(eb), '=', f.status as ResidentReportStatus));
      if (f.from !== undefined) q = q.where('r.created_at', '>=', f.from);
      if (f.to !== undefined) q = q.where('r.created_at', '<', f.to);
      const rows = await q
        .orderBy('r.created_at', 'desc')
        .orderBy('r.id')
        .limit(f.limit + 1)
        .offset(f.offset)
        .execute();
      return rows.map(withAlertStep);
    },
    async updateStatus(input) {
      await db
        .updateTable('resident_reports')
        .set({
          status: input.status,
          updated_at: input.now,
          handled_by: input.by,
          ...(input.reply !== undefined ? { reply: input.reply } : {}),
        })
        .where('id', '=', input.id)
        .execute();
      return byId(input.id);
    },
    async linkAlert(id, alertId) {
      await db.updateTable('resident_reports').set({ alert_id: alertId }).where('id', '=', id).execute();
    },
    feedback(input) {
      let q = db
        .updateTable('resident_reports')
        .set((eb) => ({
          feedback: input.outcome,
          feedback_at: input.now,
          rating: input.rating,
          updated_at: input.now,
          ...(input.outcome === 'not_fixed'
            ? { status: 'received' as const, reopen_count: eb('reopen_count', '+', 1) }
            : {}),
        }))
        .where('id', '=', input.id);
      q =
        input.expectedFeedbackAt === null
          ? q.where('feedback_at', 'is', null)
          : q.where('feedback_at', '=', input.expectedFeedbackAt);
      return q.returningAll().executeTakeFirst();
    },
  };
}
