/**
 * A person's acknowledge or resolve that loses the race to another writer: both saw the
 * alert open, the other one's conditional update won. The loser answers 200 with the
 * winner's result (never a 409 for a decision already taken, never a 500), and its audit
 * row says it did not apply and whose decision stands. The race is made certain, not hoped for: the API's
 * store runs on a query builder whose plugin lets the other writer (its own connection,
 * as another process would have) commit right after the route has read the alert and
 * before it writes.
 */
import type { KyselyPlugin, QueryId } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openRegistry, type RegistryDb } from '../../store/db.ts';
import { NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi | undefined;
/** The other writer's own connection to the API's database. */
let other: RegistryDb | undefined;
afterEach(async () => {
  await other?.destroy();
  await api?.close();
  api = other = undefined;
});

async function otherWriter(t: TestApi): Promise<RegistryDb> {
  other = await openRegistry(t.target);
  return other;
}

/**
 * After the next read of the alerts table, runs `interpose` (the other writer) to
 * completion. The read's connection is still held while its result is transformed, so
 * the other writer must have its own (a second process would).
 */
function interposingAfterAlertRead(db: RegistryDb, interpose: () => Promise<void>) {
  let armed = true;
  const reads = new WeakSet<QueryId>();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      const node = args.node;
      if (armed && node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"alerts"'))
        reads.add(args.queryId);
      return node;
    },
    async transformResult(args) {
      if (armed && reads.has(args.queryId)) {
        armed = false;
        await interpose();
      }
      return args.result;
    },
  };
  return db.withPlugin(plugin);
}

async function post(t: TestApi, action: 'acknowledge' | 'resolve', body: Record<string, string>) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/alerts/alert-anju-1/${action}`,
    headers: { cookie: await t.login('duty-anju'), origin: SAME_ORIGIN },
    payload: body,
  });
}

async function auditOf(t: TestApi, action: string) {
  const rows = await t.db
    .selectFrom('audit_log')
    .select(['actor', 'detail_json'])
    .where('action', '=', action)
    .execute();
  return rows.map((r) => ({ actor: r.actor, detail: JSON.parse(r.detail_json ?? 'null') }));
}

describe('a person who loses the race to change an alert', () => {
  it('acknowledging: gets 200 with the winner acknowledgement, audited as not applied', async () => {
    api = await startTestApi({
      wrapDb: (db) =>
        interposingAfterAlertRead(db, async () => {
          await other!
            .updateTable('alerts')
            .set({
              state: 'acknowledged',
              acknowledged_by: 'winner',
              acknowledged_at: NOW,
              ack_note: 'first',
            })
            .where('id', '=', 'alert-anju-1')
            .execute();
        }),
    });
    await otherWriter(api);
    const res = await post(api, 'acknowledge', { note: 'on my way' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: 'alert-anju-1',
      state: 'acknowledged',
      acknowledged_by: 'winner',
    });
    expect(await auditOf(api, 'alert.acknowledge')).toMatchObject([
      { actor: 'duty-anju', detail: { applied: false, current: { acknowledged_by: 'winner' } } },
    ]);
  });

  it('resolving: gets 200 with the winner resolution, audited as not applied', async () => {
    api = await startTestApi({
      wrapDb: (db) =>
        interposingAfterAlertRead(db, async () => {
          await other!
            .updateTable('alerts')
            .set({ state: 'resolved', resolved_by: 'winner', resolved_at: NOW, resolution: 'fault' })
            .where('id', '=', 'alert-anju-1')
            .execute();
        }),
    });
    await otherWriter(api);
    const res = await post(api, 'resolve', { note: 'fixed', resolution: 'false_alarm' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'resolved', resolved_by: 'winner', resolution: 'fault' });
    expect(await auditOf(api, 'alert.resolve')).toMatchObject([
      {
        actor: 'duty-anju',
        detail: { applied: false, current: { resolved_by: 'winner', resolution: 'fault' } },
      },
    ]);
  });

  it('a late click on a decision taken before gets 200 with that decision, and changes nothing', async () => {
    api = await startTestApi();
    await api.db
      .updateTable('alerts')
      .set({ state: 'acknowledged', acknowledged_by: 'earlier', acknowledged_at: NOW })
      .where('id', '=', 'alert-anju-1')
      .execute();
    const res = await post(api, 'acknowledge', { note: 'late' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'acknowledged', acknowledged_by: 'earlier' });
    expect(api.published).toEqual([]);
  });
});
