/**
 * The technician's field visits and photos (migration 0040), and the open work on a set of
 * cars: the only queries on `field_visits` and `field_visit_photos`. A queued phone action is
 * applied once by the database: a check-in is one `INSERT … ON CONFLICT DO NOTHING` on its
 * idempotency key, a check-out one conditional update (only while none stands), a photo one
 * insert on its upload key; a replay reads back what the first one left, with `applied: false`.
 * Each boundary is stamped once it reached the broker for the ingest (`markSent`, migration
 * 0041), so a replay knows whether it still has to send it.
 */
import type { RegistryDb } from '../db.ts';
import type { AlertTable, FieldVisitPhotoTable, FieldVisitTable, ResidentReportTable } from '../schema.ts';

export type FieldVisitRow = FieldVisitTable;
export type FieldPhotoMeta = Omit<FieldVisitPhotoTable, 'content'>;

/** What a technician's work list reads for their cars: unresolved alerts and open resident reports. */
export interface OpenWork {
  alerts: AlertTable[];
  reports: ResidentReportTable[];
}

export interface FieldVisitRepository {
  /** Stores a check-in unless its key was seen; answers the row the key holds. */
  checkIn(row: FieldVisitRow): Promise<{ row: FieldVisitRow; applied: boolean }>;
  byId(id: string): Promise<FieldVisitRow | undefined>;
  /** The technician's visits without a check-out, newest first. */
  openOf(technician: string): Promise<FieldVisitRow[]>;
  /** Replaces the ticked items while the visit is open; undefined when it is closed or missing. */
  setItems(id: string, items: readonly number[]): Promise<FieldVisitRow | undefined>;
  /** Checks out once: the first key wins, a later call reads the standing check-out. */
  checkOut(input: {
    id: string;
    key: string;
    at: number;
  }): Promise<{ row: FieldVisitRow; applied: boolean } | undefined>;
  /** Stamps a boundary handed to the ingest; a stamp already there keeps its time. */
  markSent(id: string, boundary: 'check_in' | 'check_out', at: number): Promise<void>;
  /** Stores a photo unless its upload key was seen; answers the stored photo's description. */
  addPhoto(row: FieldVisitPhotoTable): Promise<{ photo: FieldPhotoMeta; applied: boolean }>;
  photos(visitId: string): Promise<FieldPhotoMeta[]>;
  photo(visitId: string, id: string): Promise<FieldVisitPhotoTable | undefined>;
  openWork(elevatorIds: readonly string[]): Promise<OpenWork>;
}

const PHOTO_META = ['id', 'visit_id', 'upload_key', 'item', 'media_type', 'size', 'taken_at'] as const;

export function fieldVisitRepository(db: RegistryDb): FieldVisitRepository {
  const byKey = (key: string) =>
    db.selectFrom('field_visits').selectAll().where('check_in_key', '=', key).executeTakeFirstOrThrow();
  const byId = (id: string) =>
    db.selectFrom('field_visits').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    async checkIn(row) {
      const result = await db
        .insertInto('field_visits')
        .values(row)
        .onConflict((oc) => oc.column('check_in_key').doNothing())
        .executeTakeFirst();
      const applied = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
      return { row: await byKey(row.check_in_key), applied };
    },
    byId,
    openOf(technician) {
      return db
        .selectFrom('field_visits')
        .selectAll()
        .where('technician', '=', technician)
        .where('check_out_at', 'is', null)
        .orderBy('check_in_at', 'desc')
        .execute();
    },
    async setItems(id, items) {
      const result = await db
        .updateTable('field_visits')
        .set({ items_json: JSON.stringify([...items]) })
        .where('id', '=', id)
        .where('check_out_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0 ? byId(id) : undefined;
    },
    async checkOut({ id, key, at }) {
      const result = await db
        .updateTable('field_visits')
        .set({ check_out_key: key, check_out_at: at })
        .where('id', '=', id)
        .where('check_out_at', 'is', null)
        .executeTakeFirst();
      const row = await byId(id);
      return row ? { row, applied: Number(result.numUpdatedRows) > 0 } : undefined;
    },
    async markSent(id, boundary, at) {
      const column = boundary === 'check_in' ? 'check_in_sent_at' : 'check_out_sent_at';
      await db
        .updateTable('field_visits')
        .set({ [column]: at })
        .where('id', '=', id)
        .where(column, 'is', null)
        .execute();
    },
    async addPhoto(row) {
      const result = await db
        .insertInto('field_visit_photos')
        .values(row)
        .onConflict((oc) => oc.column('upload_key').doNothing())
        .executeTakeFirst();
      const photo = await db
        .selectFrom('field_visit_photos')
        .select(PHOTO_META)
        .where('upload_key', '=', row.upload_key)
        .executeTakeFirstOrThrow();
      return { photo, applied: Number(result.numInsertedOrUpdatedRows ?? 0n) > 0 };
    },
    photos(visitId) {
      return db
        .selectFrom('field_visit_photos')
        .select(PHOTO_META)
        .where('visit_id', '=', visitId)
        .orderBy('taken_at')
        .execute();
    },
    photo(visitId, id) {
      return db
        .selectFrom('field_visit_photos')
        .selectAll()
        .where('visit_id', '=', visitId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async openWork(elevatorIds) {
      if (elevatorIds.length === 0) return { alerts: [], reports: [] };
      const [alerts, reports] = await Promise.all([
        db
          .selectFrom('alerts')
          .selectAll()
          .where('elevator_id', 'in', [...elevatorIds])
          .where('state', '!=', 'resolved')
          .orderBy('opened_at', 'desc')
          .limit(200)
          .execute(),
        db
          .selectFrom('resident_reports')
          .selectAll()
          .where('elevator_id', 'in', [...elevatorIds])
          .where('status', 'in', ['received', 'in_progress'])
          .orderBy('created_at', 'desc')
          .limit(200)
          .execute(),
      ]);
      return { alerts, reports };
    },
  };
}
