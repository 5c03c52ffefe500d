/**
 * Resident reports (居民点单): filed anonymously from the QR page, queued for the estate's
 * property firm, followed by residents through a receipt number bound to the elevator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { RegistryDb } from '../db.ts';
import type { ResidentReportStatus, ResidentReportTable } from '../schema.ts';

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
  byId(id: string): Promise<ResidentReportTable | undefined>;
  /** Newest first; one row more than `limit` when more follow. */
  list(filter: ReportFilter): Promise<ResidentReportTable[]>;
  updateStatus(input: {
    id: string;
    status: ResidentReportStatus;
    reply?: string;
    by: string;
    now: number;
  }): Promise<ResidentReportTable | undefined>;
}

export function reportRepository(db: RegistryDb): ReportRepository {
  const byId = (id: string) =>
    db.selectFrom('resident_reports').selectAll().where('id', '=', id).executeTakeFirst();
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
    list(f) {
      let q = db.selectFrom('resident_reports as r').selectAll('r');
      if (f.estateIds) q = q.where('r.estate_id', 'in', f.estateIds.length ? f.estateIds : ['']);
      if (f.estate) q = q.where('r.estate_id', '=', f.estate);
      if (f.elevator) q = q.where('r.elevator_id', '=', f.elevator);
      if (f.building)
        q = q.where(
          'r.elevator_id',
          'in',
          db.selectFrom('elevators').select('id').where('building_id', '=', f.building),
        );
      if (f.status) q = q.where('r.status', '=', f.status as ResidentReportStatus);
      if (f.from !== undefined) q = q.where('r.created_at', '>=', f.from);
      if (f.to !== undefined) q = q.where('r.created_at', '<', f.to);
      return q
        .orderBy('r.created_at', 'desc')
        .orderBy('r.id')
        .limit(f.limit + 1)
        .offset(f.offset)
        .execute();
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
  };
}
