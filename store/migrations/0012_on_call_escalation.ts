/**
 * Migration 0012_on_call_escalation (issue 15): who hears an alert that nobody takes.
 * - `estate_on_call`: an estate's roster, in order: the duty tier (told first, then the next
 *   one each time the acknowledge window passes) and the manager tier (told when nobody is on
 *   site in time); each entry a person and the channel that reaches them (one of the estate's
 *   webhooks, or the person's own WeCom/DingTalk robot).
 * - `estate_escalation_policies`: the estate's windows (absent: 5 min to acknowledge, 30 min
 *   to be on site).
 * - `alert_escalation_steps`: each step taken for an alert. The primary key (alert, step)
 *   is what makes a step happen once however many checkers run; `status` moves
 *   pending → sending → sent | failed by conditional updates, so one sender sends it.
 */
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../dialect.ts';

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('estate_on_call')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('position', t.integer, (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('webhook_id', 'text')
      .addColumn('robot_url', 'text')
      .addColumn('robot_secret', 'text')
      .addColumn('created_at', t.integer, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('estate_on_call_estate')
      .on('estate_on_call')
      .columns(['estate_id', 'tier', 'position'])
      .execute();
    await db.schema
      .createTable('estate_escalation_policies')
      .addColumn('estate_id', 'text', (c) => c.primaryKey().references('estates.id'))
      .addColumn('ack_within_s', t.integer, (c) => c.notNull())
      .addColumn('arrive_within_s', t.integer, (c) => c.notNull())
      .addColumn('updated_at', t.integer, (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('alert_escalation_steps')
      .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('estate_id', 'text', (c) => c.notNull())
      .addColumn('on_call_id', 'text')
      .addColumn('username', 'text')
      .addColumn('decided_at', t.integer, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', t.integer, (c) => c.notNull())
      .addColumn('claimed_at', t.integer)
      .addColumn('finished_at', t.integer)
      .addColumn('error', 'text')
      .addPrimaryKeyConstraint('alert_escalation_steps_pk', ['alert_id', 'step'])
      .execute();
    await db.schema
      .createIndex('alert_escalation_steps_status')
      .on('alert_escalation_steps')
      .columns(['status', 'decided_at'])
      .execute();
  },
};
