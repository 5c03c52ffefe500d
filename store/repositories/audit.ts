/** The audit log: one row per write through the API (who, what, when, from where). Append-only. */
import type { AuditAction } from '../../protocol/words.ts';
import type { RegistryDb } from '../db.ts';
import type { AuditLogTable } from '../schema.ts';

export interface AuditEntry {
  actor: string;
  role: string | null;
  /** A code with words in protocol/words.ts (AUDIT_ACTION_WORDS): one without does not compile. */
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  estateId: string | null;
  ip: string | null;
  detail?: Record<string, unknown>;
}

export type AuditRow = Omit<AuditLogTable, 'id'> & { id: number };

export interface AuditFilter {
  /** Null: every estate (admin). */
  estateIds: string[] | null;
  actor?: string;
  limit: number;
  offset: number;
}

export interface AuditRepository {
  record(at: number, entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditRow[]>;
}

export function auditRepository(db: RegistryDb): AuditRepository {
  return {
    async record(at, entry) {
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
    },
    list(filter) {
      let q = db.selectFrom('audit_log').selectAll();
      if (filter.estateIds) q = q.where('estate_id', 'in', filter.estateIds.length ? filter.estateIds : ['']);
      if (filter.actor) q = q.where('actor', '=', filter.actor);
      return q.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
    },
  };
}
