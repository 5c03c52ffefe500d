/** The audit log: one row per write through the API (who, what, when, from where). */
import type { RegistryDb } from '../../store/db.ts';

export interface AuditEntry {
  actor: string;
  role: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  estateId: string | null;
  ip: string | null;
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: RegistryDb, at: number, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      estate_id: entry.estateId,
      ip: entry.ip,
      detail_json: entry.detail ? JSON.stringify(entry.detail) : null,
    })
    .execute();
}

export async function listAudit(
  db: RegistryDb,
  filter: { estateIds: string[] | null; limit: number; offset: number; actor?: string },
) {
  let q = db.selectFrom('audit_log').selectAll();
  if (filter.estateIds) q = q.where('estate_id', 'in', filter.estateIds.length ? filter.estateIds : ['']);
  if (filter.actor) q = q.where('actor', '=', filter.actor);
  return q.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
}
