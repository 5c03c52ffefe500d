/**
 * Schema migrations, in order, one file each (the same for SQLite and PostgreSQL). Kysely
 * records which ran in `kysely_migration`, so opening the store is idempotent. To change the
 * schema add a file `NNNN_what.ts` exporting `migration` and list it below; never edit one
 * that shipped. Kysely runs them in the order of their names.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { migration as m0001 } from './0001_registry.ts';
import { migration as m0002 } from './0002_alerts_visits.ts';
import { migration as m0003 } from './0003_api.ts';
import { migration as m0004 } from './0004_ledger.ts';
import { migration as m0005 } from './0005_webhooks.ts';
import { migration as m0006 } from './0006_alert_review_indexes.ts';
import { migration as m0007 } from './0007_alert_resolution.ts';
import { migration as m0011 } from './0011_people_alarm.ts';
import { migration as m0012 } from './0012_on_call_escalation.ts';
import { migration as m0013 } from './0013_demo_seed.ts';
import { migration as m0014 } from './0014_demo_elevator_identity.ts';
import { migration as m0040 } from './0040_field_visits.ts';
import { migration as m0041 } from './0041_field_visit_claims.ts';
import { migration as m0080 } from './0080_transition_outbox.ts';
import { migration as m0085 } from './0085_elevator_inspection.ts';
import { migration as m0090 } from './0090_partition_epochs.ts';

const migrations: Record<string, Migration> = {
  '0001_registry': m0001,
  '0002_alerts_visits': m0002,
  '0003_api': m0003,
  '0004_ledger': m0004,
  '0005_webhooks': m0005,
  '0006_alert_review_indexes': m0006,
  '0007_alert_resolution': m0007,
  '0011_people_alarm': m0011,
  '0012_on_call_escalation': m0012,
  '0013_demo_seed': m0013,
  '0014_demo_elevator_identity': m0014,
  '0040_field_visits': m0040,
  '0041_field_visit_claims': m0041,
  '0080_transition_outbox': m0080,
  '0085_elevator_inspection': m0085,
  '0090_partition_epochs': m0090,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
