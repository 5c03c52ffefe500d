/**
 * The alert lifecycle against a real SQLite registry: dedup and count, auto-resolve
 * (auto_cleared), acknowledge/resolve with what it was (fault, false alarm), escalation by an injected clock, visit storage (a closed visit never reopened); every transition
 * captured from the injected publish function, and each one's domain-event log line captured
 * from the pino logger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlertLifecycle, createAlertLifecycle } from '../../alerts/lifecycle.ts';
import type { AlertFinding, Finding, MaintenanceVisit } from '../../protocol/index.ts';
import { type AlertMessage, decodeServiceMessage, type VisitMessage } from '../../protocol/index.ts';
import type { RegistryDb } from '../../store/db.ts';
import { createAlertRepository } from '../../store/repositories/alerts.ts';
import { partitionEpochRepository } from '../../store/repositories/partition-epochs.ts';
import { transitionOutboxRepository } from '../../store/repositories/transition-outbox.ts';
import { capturingLogger, registryWithFleet, smallFleet } from '../helpers/fixtures.ts';

const T0 = 1_700_000_000_000;

let db: RegistryDb;
let cleanup: () => Promise<void>;
let published: { topic: string; payload: AlertMessage | VisitMessage }[];
let now: number;
let lifecycle: AlertLifecycle;
let logged: Record<string, unknown>[];

beforeEach(async () => {
  ({ db, cleanup } = await registryWithFleet(smallFleet(2)));
  published = [];
  now = T0;
  const capture = capturingLogger('debug');
  logged = capture.lines;
  lifecycle = createAlertLifecycle({
    alerts: createAlertRepository(db),
    log: capture.log,
    clock: () => now,
    publish: (topic, payload) => {
      published.push({ topic, payload });
    },
  });
});
afterEach(async () => {
  // Whatever was published must pass the validators every consumer decodes with.
  for (const { topic, payload } of published) {
    expect(decodeServiceMessage(topic, Buffer.from(JSON.stringify(payload)))).toMatchObject({ ok: true });
  }
  await cleanup();
});

const finding = (over: Partial<AlertFinding> = {}): AlertFinding => ({
  elevatorId: 't-e1',
  code: 'passenger_trapped',
  kind: 'raise',
  at: T0,
  evidence: { floor: 3 },
  ...over,
});

const alerts = (): AlertMessage[] => published.map((p) => p.payload as AlertMessage);
/** The domain events logged so far: the message an operator searches for, and its level (pino numbers). */
const events = (message?: string) =>
  logged.filter((line) => line['module'] === 'alerts' && (message === undefined || line['msg'] === message));

describe('alert lifecycle', () => {
  it('keeps one open alert per (elevator, code) and counts repeats', async () => {
    await lifecycle.apply([finding(), finding({ at: T0 + 5000 }), finding({ elevatorId: 't-e2' })]);
    const rows = await db.selectFrom('alerts').selectAll().orderBy('elevator_id').execute();
    expect(rows.map((r) => [r.elevator_id, r.count, r.last_seen_at])).toEqual([
      ['t-e1', 2, T0 + 5000],
      ['t-e2', 1, T0],
    ]);
    expect(published.map((p) => [p.topic, (p.payload as AlertMessage).transition])).toEqual([
      ['alerts/t-e1', 'opened'],
      ['alerts/t-e1', 'repeated'],
      ['alerts/t-e2', 'opened'],
    ]);
    expect(events().map((line) => [line['msg'], line['level'], line['elevatorId']])).toEqual([
      ['alert opened', 30, 't-e1'],
      ['alert repeated', 20, 't-e1'],
      ['alert opened', 30, 't-e2'],
    ]);
    expect(events('alert opened')[0]).toMatchObject({
      alertId: alerts()[0]!.id,
      estateId: 'te',
      code: 'passenger_trapped',
      severity: 'critical',
    });
    expect(alerts()[0]).toMatchObject({
      code: 'passenger_trapped',
      severity: 'critical',
      state: 'open',
      estate_id: 'te',
      label_en: 'Passenger trapped',
      evidence: { floor: 3 },
    });
  });

  it('auto-resolves on a clear finding as auto_cleared and opens a new alert on the next raise', async () => {
    await lifecycle.apply([finding(), finding({ kind: 'clear', at: T0 + 9000 })]);
    const [row] = await db.selectFrom('alerts').selectAll().execute();
    expect(row).toMatchObject({
      state: 'resolved',
      resolved_by: 'auto',
      resolved_at: T0 + 9000,
      resolution: 'auto_cleared',
    });
    expect(alerts()[1]).toMatchObject({ transition: 'resolved', resolution: 'auto_cleared' });
    await lifecycle.apply([finding({ at: T0 + 20_000 })]);
    expect(await db.selectFrom('alerts').select('state').execute()).toHaveLength(2);
    expect(alerts().map((a) => [a.state, a.resolution])).toEqual([
      ['open', null],
      ['resolved', 'auto_cleared'],
      ['open', null],
    ]);
  });

  it('ignores a clear with nothing open', async () => {
    await lifecycle.apply([finding({ kind: 'clear' })]);
    expect(published).toEqual([]);
  });

  it('acknowledges and resolves with who, when and a note', async () => {
    await lifecycle.apply([finding({ code: 'overspeed' })]);
    const id = alerts()[0]!.id;
    now = T0 + 60_000;
    const acked = await lifecycle.acknowledge(id, 'u-admin', 'on my way');
    expect(acked).toMatchObject({
      applied: true,
      alert: { state: 'acknowledged', acknowledged_by: 'u-admin', acknowledged_at: T0 + 60_000 },
    });
    now = T0 + 120_000;
    const resolved = await lifecycle.resolve(id, 'u-admin', 'fault', 'governor reset');
    expect(resolved).toMatchObject({
      applied: true,
      alert: { state: 'resolved', resolved_by: 'u-admin', resolved_at: T0 + 120_000, resolution: 'fault' },
    });
    const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([row.ack_note, row.resolve_note, row.resolution]).toEqual([
      'on my way',
      'governor reset',
      'fault',
    ]);
    // Too late to acknowledge: the alert as it is, nothing published.
    const count = published.length;
    expect(await lifecycle.acknowledge(id, 'u-admin')).toMatchObject({
      applied: false,
      alert: { state: 'resolved', ack_note: 'on my way' },
    });
    expect(published).toHaveLength(count);
    expect(events('alert acknowledged')).toEqual([
      expect.objectContaining({
        event: 'alert.acknowledged',
        alertId: id,
        elevatorId: 't-e1',
        estateId: 'te',
        code: 'overspeed',
        by: 'u-admin',
      }),
    ]);
    expect(events('alert resolved')).toEqual([
      expect.objectContaining({ alertId: id, code: 'overspeed', by: 'u-admin', resolution: 'fault' }),
    ]);
    expect(await lifecycle.resolve('missing', 'u-admin', 'fault')).toBeNull();
    expect(await lifecycle.acknowledge('missing', 'u-admin')).toBeNull();
  });

  it('stores a false alarm and carries it on the resolved transition; resolving again changes nothing', async () => {
    await lifecycle.apply([finding()]);
    const id = alerts()[0]!.id;
    now = T0 + 90_000;
    await lifecycle.resolve(id, 'u-admin', 'false_alarm', 'sensor loose, nobody inside');
    expect(published.at(-1)).toMatchObject({
      topic: 'alerts/t-e1',
      payload: { id, transition: 'resolved', state: 'resolved', resolution: 'false_alarm' },
    });
    // A second resolve (another tab) answers the stored outcome; it does not overwrite it.
    expect(await lifecycle.resolve(id, 'u-other', 'fault')).toMatchObject({
      applied: false,
      alert: { resolution: 'false_alarm', resolved_by: 'u-admin' },
    });
    const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([row.resolved_by, row.resolution]).toEqual(['u-admin', 'false_alarm']);
  });

  it('escalates a trapped passenger not acknowledged in 5 min, then not resolved in 30 min', async () => {
    await lifecycle.apply([finding(), finding({ code: 'overspeed' })]);
    now = T0 + 4 * 60_000;
    expect(await lifecycle.checkEscalations()).toEqual([]);
    now = T0 + 5 * 60_000;
    const first = await lifecycle.checkEscalations();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      code: 'passenger_trapped',
      escalated_at: T0 + 5 * 60_000,
      escalation_reason: 'not_acknowledged_in_time',
      transition: 'escalated',
    });
    expect(await lifecycle.checkEscalations()).toEqual([]);
    expect(events('alert escalated')).toEqual([
      expect.objectContaining({
        alertId: first[0]!.id,
        code: 'passenger_trapped',
        estateId: 'te',
        reason: 'not_acknowledged_in_time',
        level: 40,
      }),
    ]);
    await lifecycle.acknowledge(first[0]!.id, 'u-admin');
    now = T0 + 30 * 60_000;
    const second = await lifecycle.checkEscalations();
    expect(second[0]).toMatchObject({ escalation_reason: 'not_resolved_in_time', state: 'acknowledged' });
    const row = await db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', first[0]!.id)
      .executeTakeFirstOrThrow();
    expect(row.escalated_at).toBe(T0 + 30 * 60_000);
  });

  it('does not escalate an acknowledged trapped alert before 30 min', async () => {
    await lifecycle.apply([finding()]);
    now = T0 + 60_000;
    await lifecycle.acknowledge(alerts()[0]!.id, 'u-admin');
    now = T0 + 10 * 60_000;
    expect(await lifecycle.checkEscalations()).toEqual([]);
  });

  it('stores and publishes visit verdicts, updating the row from check-in to verdict', async () => {
    const visit: MaintenanceVisit = {
      id: 'v1',
      elevatorId: 't-e1',
      technicianId: 'tech-1',
      companyId: 'mc',
      kind: 'half_monthly',
      method: 'nfc',
      checkInAt: T0,
      checkOutAt: null,
      status: 'open',
      location: null,
      items: null,
      evidenceScore: null,
      verdict: null,
      reasons: [],
      evidence: null,
    };
    const closed: MaintenanceVisit = {
      ...visit,
      checkOutAt: T0 + 40 * 60_000,
      status: 'closed',
      items: [1, 2],
      evidenceScore: 20,
      verdict: 'fake',
      reasons: [{ criterion: 'duration', points: 15, max: 15, reason: 'long enough' }],
    };
    const findings: Finding[] = [
      { kind: 'visit', elevatorId: 't-e1', at: T0, visit },
      { kind: 'visit', elevatorId: 't-e1', at: T0 + 40 * 60_000, visit: closed },
    ];
    await lifecycle.apply(findings);
    const rows = await db.selectFrom('maintenance_visits').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'closed',
      verdict: 'fake',
      evidence_score: 20,
      estate_id: 'te',
      items_json: '[1,2]',
    });
    expect(published.map((p) => p.topic)).toEqual(['visits/t-e1', 'visits/t-e1']);
    expect(published[1]!.payload).toMatchObject({ id: 'v1', verdict: 'fake', reasons: closed.reasons });
    // The check-in has no verdict yet: one line, for the closed visit.
    expect(events('visit verdict')).toEqual([
      expect.objectContaining({
        visitId: 'v1',
        elevatorId: 't-e1',
        estateId: 'te',
        technicianId: 'tech-1',
        verdict: 'fake',
        score: 20,
      }),
    ]);
    // The check-in again, from a worker that lost its state (no book to tell it a duplicate):
    // the store keeps the judged visit closed.
    await lifecycle.apply([{ kind: 'visit', elevatorId: 't-e1', at: T0, visit }]);
    expect(await db.selectFrom('maintenance_visits').selectAll().execute()).toEqual(rows);
  });

  it('lets exactly one of two writers acknowledge, and the other read the winner', async () => {
    await lifecycle.apply([finding()]);
    const id = alerts()[0]!.id;
    // A second process: its own lifecycle over the same database.
    const other = createAlertLifecycle({
      alerts: createAlertRepository(db),
      clock: () => now,
      publish: (topic, payload) => {
        published.push({ topic, payload });
      },
    });
    now = T0 + 30_000;
    const outcomes = await Promise.all([
      lifecycle.acknowledge(id, 'u-one', 'first'),
      other.acknowledge(id, 'u-two', 'second'),
    ]);
    expect(outcomes.map((o) => o?.applied).sort()).toEqual([false, true]);
    const winner = outcomes.find((o) => o?.applied)!.alert;
    // The loser answers with the winner's acknowledgement, not its own.
    expect(outcomes.find((o) => !o?.applied)!.alert).toEqual(winner);
    expect(alerts().filter((a) => a.transition === 'acknowledged')).toHaveLength(1);
    const resolutions = await Promise.all([
      lifecycle.resolve(id, 'u-one', 'fault', 'fixed'),
      other.resolve(id, 'u-two', 'false_alarm', 'nothing there'),
    ]);
    expect(resolutions.map((o) => o?.applied).sort()).toEqual([false, true]);
    const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const won = resolutions.find((o) => o?.applied)!.alert;
    expect([row.resolved_by, row.resolution]).toEqual([won.resolved_by, won.resolution]);
    expect(alerts().filter((a) => a.transition === 'resolved')).toHaveLength(1);
    // Logged once, by the writer that made the transition (the other lifecycle logs nothing here).
    expect(events('alert acknowledged')).toHaveLength(outcomes[0]!.applied ? 1 : 0);
  });
});

describe('the transition outbox (migration 0080)', () => {
  it('commits each transition with its outbox row, in order, and tells the relay after the commit', async () => {
    const outbox = transitionOutboxRepository(db);
    let notified = 0;
    const withOutbox = createAlertLifecycle({
      alerts: createAlertRepository(db),
      clock: () => now,
      publish: (topic, payload) => {
        published.push({ topic, payload });
      },
      outbox: { notify: () => (notified += 1) },
    });
    await withOutbox.apply([finding(), finding({ kind: 'clear', at: T0 + 5000 })]);
    const rows = await outbox.pending(10);
    expect(rows.map((r) => [r.topic, (JSON.parse(r.payload) as AlertMessage).transition])).toEqual([
      ['alerts/t-e1', 'opened'],
      ['alerts/t-e1', 'resolved'],
    ]);
    // The outbox row is the message published on MQTT, byte for byte.
    expect(rows.map((r) => JSON.parse(r.payload))).toEqual(
      published.map((p) => JSON.parse(JSON.stringify(p.payload))),
    );
    expect(notified).toBe(2);
    expect(new Set(rows.map((r) => r.msgId)).size).toBe(2);
  });

  it('a transition whose outbox row cannot be written is not committed either', async () => {
    const real = createAlertRepository(db);
    const refusing = createAlertLifecycle({
      alerts: {
        ...real,
        transaction: (work) =>
          real.transaction((tx, outbox) =>
            work(tx, {
              add: async (topic, payload, at) => {
                await outbox.add(topic, payload, at);
                throw new Error('connection terminated unexpectedly');
              },
            }),
          ),
      },
      clock: () => now,
      publish: (topic, payload) => {
        published.push({ topic, payload });
      },
      outbox: { notify() {} },
    });
    await expect(refusing.apply([finding()])).rejects.toThrow('connection terminated');
    expect(await real.unresolved()).toEqual([]);
    expect(await transitionOutboxRepository(db).counts()).toEqual({ pending: 0, sent: 0 });
    expect(published).toEqual([]);
  });
});

describe('the lease epoch on alert rows (migration 0080)', () => {
  it("records the epoch of the leased worker whose detection last wrote the row; people's steps keep it", async () => {
    let epoch = 7;
    // Each owner claims the partition before its detection writes (ingest/ingest.ts onGained).
    const claim = (e: number) => partitionEpochRepository(db).claim(0, e, `w${e}`, now);
    await claim(epoch);
    const worker = createAlertLifecycle({
      alerts: createAlertRepository(db),
      clock: () => now,
      publish: () => {},
      leaseOf: () => ({ partition: 0, epoch }),
    });
    const epochOfRow = async () =>
      (
        await db
          .selectFrom('alerts')
          .select('lease_epoch')
          .where('elevator_id', '=', 't-e1')
          .executeTakeFirstOrThrow()
      ).lease_epoch;
    await worker.apply([finding()]);
    expect(await epochOfRow()).toBe(7);
    // The partition moved to a worker at a later epoch: its bump is stamped with it.
    epoch = 9;
    await claim(epoch);
    await worker.apply([finding({ at: T0 + 1000 })]);
    expect(await epochOfRow()).toBe(9);
    // A resident's report joining, and a person's acknowledgement, are not a worker's writes.
    await worker.raiseFromResident({
      elevatorId: 't-e1',
      reportId: 'r-1',
      receipt: 'R1',
      description: '有人被困',
      at: T0 + 2000,
    });
    const [open] = await createAlertRepository(db).unresolved();
    await worker.acknowledge(open!.id, 'duty');
    expect(await epochOfRow()).toBe(9);
    epoch = 11;
    await claim(epoch);
    await worker.apply([finding({ kind: 'clear', at: T0 + 3000 })]);
    expect(await epochOfRow()).toBe(11);
    // Not a leased worker (the MQTT path, the API): null.
    await lifecycle.apply([finding({ elevatorId: 't-e2' })]);
    const other = await db
      .selectFrom('alerts')
      .select('lease_epoch')
      .where('elevator_id', '=', 't-e2')
      .executeTakeFirstOrThrow();
    expect(other.lease_epoch).toBeNull();
  });
  it("refuses an older owner's claim, but takes over a claim from a lease bucket that is gone", async () => {
    const epochs = partitionEpochRepository(db);
    await epochs.claim(5, 120, 'w-a', now, 200);
    // A worker that acquired at 90, then paused before claiming, while w-a claimed at 120.
    await expect(epochs.claim(5, 90, 'w-b', now, 200)).rejects.toMatchObject({ code: 'LEASE_LOST' });
    expect(await epochs.current(5)).toBe(120);
    // A new NATS store beside the kept database: its revisions start again at 1, so the
    // recorded 120 is above everything the new bucket has given (ceiling 8).
    await epochs.claim(5, 3, 'w-c', now, 8);
    expect(await epochs.current(5)).toBe(3);
    await expect(epochs.fence({ partition: 5, epoch: 120 })).rejects.toMatchObject({ code: 'LEASE_LOST' });
    await epochs.fence({ partition: 5, epoch: 3 });
  });
});
