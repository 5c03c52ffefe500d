/**
 * The transition outbox (migration 0080): the only place that builds queries on
 * `transition_outbox`. Lifecycles add rows inside the alert's own transaction
 * (`AlertRepository.transaction`); relays read the pending ones in id order and stamp them
 * sent. Several relays may read the same pending rows: their appends carry the row's
 * `msg_id`, so JetStream stores each once, and `markSent` is idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { RegistryDb } from '../db.ts';

export interface OutboxTransition {
  id: number;
  msgId: string;
  topic: string;
  payload: string;
  createdAt: number;
}

/** What a lifecycle's transaction may do with the outbox: add the message it made. */
export interface TransitionOutboxWriter {
  add(topic: string, payload: string, at: number): Promise<void>;
}

export interface TransitionOutboxRepository extends TransitionOutboxWriter {
  /** Not yet sent, oldest first (commit order on SQLite; id order on PostgreSQL, see docs/scale-out.md). */
  pending(limit: number): Promise<OutboxTransition[]>;
  /** Stamps rows sent (a row already stamped by another relay keeps its time). */
  markSent(ids: readonly number[], at: number): Promise<void>;
  /** Deletes rows sent before `at`; returns how many. */
  prune(sentBefore: number): Promise<number>;
  counts(): Promise<{ pending: number; sent: number }>;
}

export function transitionOutboxRepository(db: RegistryDb): TransitionOutboxRepository {
  return {
    async add(topic, payload, at) {
      await db
        .insertInto('transition_outbox')
        .values({ msg_id: randomUUID(), topic, payload, created_at: at, sent_at: null })
        .execute();
    },

    async pending(limit) {
      const rows = await db
        .selectFrom('transition_outbox')
        .select(['id', 'msg_id', 'topic', 'payload', 'created_at'])
        .where('sent_at', 'is', null)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        msgId: r.msg_id,
        topic: r.topic,
        payload: r.payload,
        createdAt: r.created_at,
      }));
    },

    async markSent(ids, at) {
      if (ids.length === 0) return;
      await db
        .updateTable('transition_outbox')
        .set({ sent_at: at })
        .where('id', 'in', [...ids])
        .where('sent_at', 'is', null)
        .execute();
    },

    async prune(sentBefore) {
      const result = await db
        .deleteFrom('transition_outbox')
        .where('sent_at', 'is not', null)
        .where('sent_at', '<', sentBefore)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async counts() {
      const rows = await db
        .selectFrom('transition_outbox')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb('sent_at', 'is', null).as('pending')])
        .groupBy('pending')
        .execute();
      let pending = 0;
      let sent = 0;
      for (const r of rows) {
        if (r.pending) pending += Number(r.n);
        else sent += Number(r.n);
      }
      return { pending, sent };
    },
  };
}
