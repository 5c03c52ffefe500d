/**
 * The store as the parts receive it: one repository per aggregate, and nothing else. The
 * query builder lives here and in the repositories (store/repositories/), the only places
 * that build SQL; a part calls named operations (`store.users.userBySession(hash)`) and
 * never sees a table. `openStore` opens either dialect (db.ts) and migrates; `close()`
 * ends the pool or the file.
 *
 * tests/unit/architecture.test.ts fails on any file outside store/ and tests/ that builds a
 * query.
 */
import { sql } from 'kysely';
import { openRegistry, type RegistryDb, type RegistryTarget } from './db.ts';
import { type DialectName, dialectOf } from './dialect.ts';
import { type AlertRepository, createAlertRepository } from './repositories/alerts.ts';
import { type AuditRepository, auditRepository } from './repositories/audit.ts';
import { type CredentialRepository, credentialRepository } from './repositories/credentials.ts';
import { type DeadLetterRepository, deadLetterRepository } from './repositories/dead-letters.ts';
import { type DemoSeedRepository, demoSeedRepository } from './repositories/demo-seed.ts';
import { type FieldVisitRepository, fieldVisitRepository } from './repositories/field-visits.ts';
import { createFleetRepository, type FleetRepository } from './repositories/fleet.ts';
import { type LedgerRepository, ledgerRepository } from './repositories/ledger.ts';
import { type OnCallRepository, onCallRepository } from './repositories/on-call.ts';
import { type PartitionEpochRepository, partitionEpochRepository } from './repositories/partition-epochs.ts';
import { type PeopleRepository, peopleRepository } from './repositories/people.ts';
import { type RegulatorRepository, regulatorRepository } from './repositories/regulator.ts';
import { type ReportRepository, reportRepository } from './repositories/reports.ts';
import { type ResidentCardRepository, residentCardRepository } from './repositories/resident-card.ts';
import { type SlaRepository, slaRepository } from './repositories/sla.ts';
import {
  type TransitionOutboxRepository,
  transitionOutboxRepository,
} from './repositories/transition-outbox.ts';
import { type UserRepository, userRepository } from './repositories/users.ts';
import { createVisitRecords, type VisitRecords } from './repositories/visit-records.ts';
import { type VisitRepository, visitRepository } from './repositories/visits.ts';
import { type WebhookRepository, webhookRepository } from './repositories/webhooks.ts';

export interface Store {
  readonly dialect: DialectName;
  readonly alerts: AlertRepository;
  readonly credentials: CredentialRepository;
  /** Estates, buildings, elevators: the directory's snapshot and the fleet file's upsert. */
  readonly fleet: FleetRepository;
  /** The detector's read of stored visit verdicts. */
  readonly visitRecords: VisitRecords;
  readonly users: UserRepository;
  readonly reports: ReportRepository;
  readonly visits: VisitRepository;
  /** A car's QR page beyond its live state: recent visits and incidents. */
  readonly residentCard: ResidentCardRepository;
  readonly deadLetters: DeadLetterRepository;
  readonly audit: AuditRepository;
  readonly webhooks: WebhookRepository;
  /** On-call rosters, escalation windows and the escalation steps taken (migration 0012). */
  readonly onCall: OnCallRepository;
  /** Display names behind usernames and technician ids. */
  readonly people: PeopleRepository;
  /** What the regulator's GB/T 24476 data sets read: fault records with arrival, ratings. */
  readonly regulator: RegulatorRepository;
  readonly ledger: LedgerRepository;
  /** The monthly SLA report's reads: a month's critical alerts and resident reports. */
  readonly sla: SlaRepository;
  /** The demo seed's progress (demo/seed.ts). */
  readonly demoSeed: DemoSeedRepository;
  /** Technicians' check-ins, checklists and photos from the phone (migration 0040). */
  readonly fieldVisits: FieldVisitRepository;
  /** Alert and visit transitions waiting for their append to the log (migration 0080). */
  readonly transitionOutbox: TransitionOutboxRepository;
  /** Each log partition's owner epoch, the fence on leased workers' transitions (migration 0090). */
  readonly partitionEpochs: PartitionEpochRepository;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  /** Ends the connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

const stores = new WeakMap<RegistryDb, Store>();

/**
 * The store over an open query builder. One store per builder, so every holder of the same
 * database shares the same repositories (and the ledger's change announcements).
 */
export function storeOver(db: RegistryDb): Store {
  const known = stores.get(db);
  if (known) return known;
  const store: Store = {
    dialect: dialectOf(db),
    alerts: createAlertRepository(db),
    credentials: credentialRepository(db),
    fleet: createFleetRepository(db),
    visitRecords: createVisitRecords(db),
    users: userRepository(db),
    reports: reportRepository(db),
    visits: visitRepository(db),
    residentCard: residentCardRepository(db),
    deadLetters: deadLetterRepository(db),
    audit: auditRepository(db),
    webhooks: webhookRepository(db),
    onCall: onCallRepository(db),
    people: peopleRepository(db),
    regulator: regulatorRepository(db),
    ledger: ledgerRepository(db),
    sla: slaRepository(db),
    demoSeed: demoSeedRepository(db),
    fieldVisits: fieldVisitRepository(db),
    transitionOutbox: transitionOutboxRepository(db),
    partitionEpochs: partitionEpochRepository(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
  stores.set(db, store);
  return store;
}

/** Opens (and migrates) the store a file path or the configuration names; see db.ts. */
export async function openStore(target: string | RegistryTarget): Promise<Store> {
  return storeOver(await openRegistry(target));
}
