/**
 * Migration 0080_transition_outbox (issue 14): the transactional outbox of alert and visit
 * transitions. A lifecycle writes the transition's message here in the same transaction as
 * the alert or visit row it describes; a relay (log/outbox-relay.ts) appends pending rows to
 * the log (stream `LW_SVC`) in `id` order, with `msg_id` as JetStream's message id, and
 * stamps `sent_at`. So a writer that dies between its commit and the append leaves the row
 * pending, and whichever relay runs next appends it.
 *
 * Also `alerts.lease_epoch`: the partition-lease epoch of the ingest worker whose detection last
 * opened, bumped or cleared the alert (null for people's, residents' and escalations' steps and
 * for rows older than this), so a fenced worker's late write can be told from the new owner's
 * (docs/scale-out.md, "The epoch carried by writes").
 */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('transition_outbox')
      .addColumn('id', t.integer, t.identity)
      .addColumn('msg_id', 'text', (c) => c.notNull().unique())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('sent_at', t.integer)
      .execute();
    await db.schema.alterTable('alerts').addColumn('lease_epoch', t.integer).execute();
    // The relay's read: pending rows (sent_at null) in id order; pruning: sent before a time.
    await db.schema
      .createIndex('transition_outbox_sent')
      .on('transition_outbox')
      .columns(['sent_at', 'id'])
      .execute();
  },
};
