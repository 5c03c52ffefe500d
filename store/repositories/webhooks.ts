/**
 * Estate webhooks and their delivery log. A webhook is deleted softly (its log stays);
 * looked up within its estate, so another estate's webhook id is simply not found.
 * `enabled` is an integer column in both dialects; it is a boolean above this file.
 */
import type { RegistryDb } from '../db.ts';
import type { EstateWebhookTable, WebhookDeliveryTable, WebhookEvent, WebhookFormat } from '../schema.ts';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['alert.transition', 'visit.verdict'];

export interface Webhook extends Omit<EstateWebhookTable, 'enabled'> {
  enabled: boolean;
}

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

export interface WebhookChange {
  name?: string;
  url?: string;
  enabled?: boolean;
  events?: WebhookEvent[];
}

export interface WebhookRepository {
  create(webhook: NewWebhook): Promise<Webhook>;
  /** The estate's webhooks not deleted, oldest first. */
  list(estateId: string): Promise<Webhook[]>;
  /** Within the estate; undefined for another estate's or a deleted webhook. */
  get(estateId: string, id: string): Promise<Webhook | undefined>;
  update(id: string, change: WebhookChange): Promise<void>;
  /** Soft: disabled and marked deleted, its delivery log kept. */
  remove(id: string, now: number): Promise<void>;
  /** The estate's enabled webhooks subscribed to `event`. */
  subscribedTo(estateId: string, event: WebhookEvent): Promise<Webhook[]>;

  insertDelivery(row: WebhookDeliveryTable): Promise<void>;
  updateDelivery(id: string, patch: Partial<Omit<WebhookDeliveryTable, 'id'>>): Promise<void>;
  /** Newest first. */
  deliveries(webhookId: string, limit: number, offset: number): Promise<WebhookDeliveryTable[]>;
}

const webhookOf = (row: EstateWebhookTable): Webhook => ({ ...row, enabled: row.enabled === 1 });

export function webhookRepository(db: RegistryDb): WebhookRepository {
  const live = (estateId: string) =>
    db
      .selectFrom('estate_webhooks')
      .selectAll()
      .where('estate_id', '=', estateId)
      .where('deleted_at', 'is', null);
  return {
    async create(w) {
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
      return webhookOf(row);
    },
    async list(estateId) {
      return (await live(estateId).orderBy('created_at').execute()).map(webhookOf);
    },
    async get(estateId, id) {
      const row = await live(estateId).where('id', '=', id).executeTakeFirst();
      return row && webhookOf(row);
    },
    async update(id, change) {
      const patch = {
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.url !== undefined ? { url: change.url } : {}),
        ...(change.enabled !== undefined ? { enabled: change.enabled ? 1 : 0 } : {}),
        ...(change.events !== undefined ? { events_json: JSON.stringify(change.events) } : {}),
      };
      if (Object.keys(patch).length === 0) return;
      await db.updateTable('estate_webhooks').set(patch).where('id', '=', id).execute();
    },
    async remove(id, now) {
      await db
        .updateTable('estate_webhooks')
        .set({ deleted_at: now, enabled: 0 })
        .where('id', '=', id)
        .execute();
    },
    async subscribedTo(estateId, event) {
      const rows = await live(estateId).where('enabled', '=', 1).execute();
      return rows.filter((r) => (JSON.parse(r.events_json) as string[]).includes(event)).map(webhookOf);
    },

    async insertDelivery(row) {
      await db.insertInto('webhook_deliveries').values(row).execute();
    },
    async updateDelivery(id, patch) {
      await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
    },
    deliveries: (webhookId, limit, offset) =>
      db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
  };
}
