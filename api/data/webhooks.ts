/** Estate webhooks and their delivery log in the registry. Deleted webhooks keep their log. */
import type { RegistryDb } from '../../store/db.ts';
import type {
  EstateWebhookTable,
  WebhookDeliveryTable,
  WebhookEvent,
  WebhookFormat,
} from '../../store/schema.ts';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['alert.transition', 'visit.verdict'];

export interface NewWebhook {
  id: string;
  estateId: string;
  name: string;
  format: WebhookFormat;
  url: string;
  secret: string;
  events: WebhookEvent[];
  createdBy: string;
  now: number;
}

export async function createWebhook(db: RegistryDb, w: NewWebhook): Promise<EstateWebhookTable> {
  const row: EstateWebhookTable = {
    id: w.id,
    estate_id: w.estateId,
    name: w.name,
    format: w.format,
    url: w.url,
    secret: w.secret,
    events_json: JSON.stringify(w.events),
    enabled: 1,
    created_at: w.now,
    created_by: w.createdBy,
    deleted_at: null,
  };
  await db.insertInto('estate_webhooks').values(row).execute();
  return row;
}

export function listWebhooks(db: RegistryDb, estateId: string): Promise<EstateWebhookTable[]> {
  return db
    .selectFrom('estate_webhooks')
    .selectAll()
    .where('estate_id', '=', estateId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

/** Looked up within the estate, so another estate's webhook id is simply not found. */
export function webhookOf(db: RegistryDb, estateId: string, id: string) {
  return db
    .selectFrom('estate_webhooks')
    .selectAll()
    .where('id', '=', id)
    .where('estate_id', '=', estateId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function updateWebhook(
  db: RegistryDb,
  id: string,
  patch: Partial<Pick<EstateWebhookTable, 'name' | 'url' | 'enabled' | 'events_json'>>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('estate_webhooks').set(patch).where('id', '=', id).execute();
}

export async function deleteWebhook(db: RegistryDb, id: string, now: number): Promise<void> {
  await db.updateTable('estate_webhooks').set({ deleted_at: now, enabled: 0 }).where('id', '=', id).execute();
}

export async function webhooksFor(
  db: RegistryDb,
  estateId: string,
  event: WebhookEvent,
): Promise<EstateWebhookTable[]> {
  const rows = await db
    .selectFrom('estate_webhooks')
    .selectAll()
    .where('estate_id', '=', estateId)
    .where('enabled', '=', 1)
    .where('deleted_at', 'is', null)
    .execute();
  return rows.filter((r) => (JSON.parse(r.events_json) as string[]).includes(event));
}

export async function insertDelivery(db: RegistryDb, row: WebhookDeliveryTable): Promise<void> {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

export async function updateDelivery(
  db: RegistryDb,
  id: string,
  patch: Partial<Omit<WebhookDeliveryTable, 'id'>>,
): Promise<void> {
  await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
}

export function listDeliveries(db: RegistryDb, webhookId: string, limit: number, offset: number) {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}
