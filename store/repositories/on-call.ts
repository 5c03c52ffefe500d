/**
 * On-call rosters, escalation windows and escalation steps (migration 0012): the only
 * queries on `estate_on_call`, `estate_escalation_policies` and `alert_escalation_steps`.
 * A step is taken once by the database: `take` is one `INSERT … ON CONFLICT DO NOTHING` on
 * the (alert, step) key, so of any number of checkers exactly one gets the row; `claim` is
 * one conditional update pending → sending, so of any number of senders exactly one sends.
 * Roster entries are looked up within their estate, so another estate's id is not found.
 */
import type { RegistryDb } from '../db.ts';
import type {
  AlertEscalationStepTable,
  EstateEscalationPolicyTable,
  EstateOnCallTable,
  OnCallTier,
} from '../schema.ts';

export type OnCallEntry = EstateOnCallTable;
export type EscalationStepRow = AlertEscalationStepTable;

/** What the escalation check reads per estate: its windows (null: defaults) and its roster in order. */
export interface EscalationPlanRows {
  policy: EstateEscalationPolicyTable | null;
  roster: OnCallEntry[];
}

export interface OnCallRepository {
  /** The estate's roster: duty tier then manager tier, each by position. */
  roster(estateId: string): Promise<OnCallEntry[]>;
  entry(estateId: string, id: string): Promise<OnCallEntry | undefined>;
  /** Adds an entry at the end of its tier (or at `position`, moving the others down). */
  add(entry: Omit<OnCallEntry, 'position'> & { position?: number }): Promise<OnCallEntry>;
  /** Removes an entry; the later ones of its tier move up. False when not in this estate. */
  remove(estateId: string, id: string): Promise<boolean>;
  policy(estateId: string): Promise<EstateEscalationPolicyTable | null>;
  setPolicy(row: EstateEscalationPolicyTable): Promise<void>;
  plan(estateId: string): Promise<EscalationPlanRows>;

  /** Records a step; true only for the one caller whose insert made the row. */
  take(
    row: Omit<EscalationStepRow, 'status' | 'attempts' | 'claimed_at' | 'finished_at' | 'error'> & {
      status?: EscalationStepRow['status'];
      error?: string | null;
    },
  ): Promise<boolean>;
  /** Steps waiting for a sender, oldest first. */
  pending(limit: number): Promise<EscalationStepRow[]>;
  /** pending → sending; undefined when another sender claimed it first. */
  claim(alertId: string, step: string, at: number): Promise<EscalationStepRow | undefined>;
  finish(
    alertId: string,
    step: string,
    patch: Pick<EscalationStepRow, 'status' | 'attempts' | 'finished_at' | 'error'>,
  ): Promise<void>;
  /** The steps of these alerts, in the order they were decided. */
  stepsOf(alertIds: readonly string[]): Promise<EscalationStepRow[]>;
  /** Steps by status (the operators' metrics). */
  countsByStatus(): Promise<Array<{ status: string; n: number }>>;
}

const TIERS: readonly OnCallTier[] = ['duty', 'manager'];

export function onCallRepository(db: RegistryDb): OnCallRepository {
  const ofEstate = (estateId: string) =>
    db.selectFrom('estate_on_call').selectAll().where('estate_id', '=', estateId);
  const roster = async (estateId: string) =>
    (await ofEstate(estateId).orderBy('position').orderBy('created_at').execute()).sort(
      (a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier),
    );
  const policy = async (estateId: string) =>
    (await db
      .selectFrom('estate_escalation_policies')
      .selectAll()
      .where('estate_id', '=', estateId)
      .executeTakeFirst()) ?? null;

  return {
    roster,
    entry: (estateId, id) => ofEstate(estateId).where('id', '=', id).executeTakeFirst(),
    async add(entry) {
      return db.transaction().execute(async (trx) => {
        const last = await trx
          .selectFrom('estate_on_call')
          .select((eb) => eb.fn.max('position').as('max'))
          .where('estate_id', '=', entry.estate_id)
          .where('tier', '=', entry.tier)
          .executeTakeFirst();
        const end = Number(last?.max ?? 0) + 1;
        const position = entry.position !== undefined ? Math.min(Math.max(1, entry.position), end) : end;
        if (position < end)
          await trx
            .updateTable('estate_on_call')
            .set((eb) => ({ position: eb('position', '+', 1) }))
            .where('estate_id', '=', entry.estate_id)
            .where('tier', '=', entry.tier)
            .where('position', '>=', position)
            .execute();
        const row: OnCallEntry = { ...entry, position };
        await trx.insertInto('estate_on_call').values(row).execute();
        return row;
      });
    },
    async remove(estateId, id) {
      return db.transaction().execute(async (trx) => {
        const gone = await trx
          .deleteFrom('estate_on_call')
          .where('estate_id', '=', estateId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!gone) return false;
        await trx
          .updateTable('estate_on_call')
          .set((eb) => ({ position: eb('position', '-', 1) }))
          .where('estate_id', '=', estateId)
          .where('tier', '=', gone.tier)
          .where('position', '>', gone.position)
          .execute();
        return true;
      });
    },
    policy,
    async setPolicy(row) {
      const { estate_id: _key, ...values } = row;
      await db
        .insertInto('estate_escalation_policies')
        .values(row)
        .onConflict((oc) => oc.column('estate_id').doUpdateSet(values))
        .execute();
    },
    async plan(estateId) {
      return { policy: await policy(estateId), roster: await roster(estateId) };
    },

    async take(row) {
      const made = await db
        .insertInto('alert_escalation_steps')
        .values({
          ...row,
          status: row.status ?? 'pending',
          attempts: 0,
          claimed_at: null,
          finished_at: null,
          error: row.error ?? null,
        })
        .onConflict((oc) => oc.columns(['alert_id', 'step']).doNothing())
        .returning('alert_id')
        .executeTakeFirst();
      return made !== undefined;
    },
    pending: (limit) =>
      db
        .selectFrom('alert_escalation_steps')
        .selectAll()
        .where('status', '=', 'pending')
        .orderBy('decided_at')
        .limit(limit)
        .execute(),
    claim: (alertId, step, at) =>
      db
        .updateTable('alert_escalation_steps')
        .set({ status: 'sending', claimed_at: at })
        .where('alert_id', '=', alertId)
        .where('step', '=', step)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst(),
    async finish(alertId, step, patch) {
      await db
        .updateTable('alert_escalation_steps')
        .set(patch)
        .where('alert_id', '=', alertId)
        .where('step', '=', step)
        .execute();
    },
    async stepsOf(alertIds) {
      if (alertIds.length === 0) return [];
      return db
        .selectFrom('alert_escalation_steps')
        .selectAll()
        .where('alert_id', 'in', [...alertIds])
        .orderBy('decided_at')
        .orderBy('step')
        .execute();
    },
    async countsByStatus() {
      const rows = await db
        .selectFrom('alert_escalation_steps')
        .select((eb) => ['status', eb.fn.countAll().as('n')])
        .groupBy('status')
        .execute();
      return rows.map((r) => ({ status: String(r.status), n: Number(r.n) }));
    },
  };
}
