/**
 * The escalation chain end to end with a real local HTTP receiver (node:http on port 0)
 * standing in for a WeCom robot, an estate's generic webhook and a DingTalk robot. The
 * "ingest" is a second alert lifecycle on its own connection to the same store (as when the
 * ingest and the API run apart; two of them check at once), and a second sender on that
 * connection sends beside the API's: each step must still arrive once, in order, signed,
 * in Chinese with Beijing time, who acted, the note, the SLA state and the console link.
 * Roster tenancy: another firm's estate or entry is a 404 like a missing one.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertLifecycle, createAlertLifecycle } from '../../alerts/lifecycle.ts';
import { WebhookDispatcher } from '../../api/webhooks/dispatcher.ts';
import { EscalationSender } from '../../api/webhooks/escalations.ts';
import { createEgressGuard, parseAllowList } from '../../lib/egress.ts';
import { silentLogger } from '../../lib/logger.ts';
import { openRegistry, type RegistryDb } from '../../store/db.ts';
import { type Store, storeOver } from '../../store/store.ts';
import { NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { capturingLogger } from '../helpers/fixtures.ts';

const MIN = 60_000;
const ELEVATOR = 'lianhua-b2-e1';

interface Received {
  path: string;
  body: string;
  /** The lines a person reads, whatever the format. */
  text: string;
  signatureOk: boolean;
}

function signatureOk(secret: string, headers: IncomingMessage['headers'], body: string): boolean {
  const ts = String(headers['x-liftwatch-timestamp']);
  return (
    headers['x-liftwatch-signature'] ===
    `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`
  );
}

/** What a person reads: the generic JSON's escalation text, or the robot's markdown. */
function readable(path: string, body: string): string {
  const json = JSON.parse(body) as {
    escalation?: { text: string[] };
    markdown?: { content?: string; text?: string };
  };
  if (path === '/generic') return (json.escalation?.text ?? []).join('\n');
  return json.markdown?.content ?? json.markdown?.text ?? '';
}

describe('escalation through the on-call roster', () => {
  let t: TestApi;
  let server: Server;
  let base: string;
  let writer: Record<string, string>;
  let ingestDb: RegistryDb;
  let ingestStore: Store;
  let ingests: AlertLifecycle[];
  let otherSender: EscalationSender;
  let otherDispatcher: WebhookDispatcher;
  const capture = capturingLogger('info');
  const secrets = new Map<string, string>();
  const received: Received[] = [];
  const transitions: string[] = [];
  let alertId = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        // The estate's webhook also gets the alert's ordinary transitions; only escalations count here.
        if (req.headers['x-liftwatch-event'] !== 'alert.escalation') {
          transitions.push(url.pathname);
          res.writeHead(200).end();
          return;
        }
        received.push({
          path: url.pathname,
          body,
          text: readable(url.pathname, body),
          signatureOk: signatureOk(secrets.get(url.pathname) ?? '', req.headers, body),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startTestApi({
      config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
      // No timer: the test sweeps when it wants, so it can also prove nothing is sent twice.
      deps: { log: capture.log, escalations: { pollMs: 0, retryBaseMs: 20 } },
    });
    writer = { cookie: await t.login('duty-anju'), origin: SAME_ORIGIN };
    // The seeded trapped alert of this estate is days old: resolve it so it does not escalate here.
    const done = await t.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/resolve',
      headers: writer,
      payload: { resolution: 'false_alarm', note: '测试前清理' },
    });
    expect(done.statusCode).toBe(200);

    // The ingest's side, apart: its own connection, two checkers, and a second sender.
    ingestDb = await openRegistry(t.target);
    ingestStore = storeOver(ingestDb);
    const publish = () => undefined;
    ingests = [0, 1].map(() =>
      createAlertLifecycle({ alerts: ingestStore.alerts, publish, clock: () => t.clock.now }),
    );
    otherDispatcher = new WebhookDispatcher({
      webhooks: ingestStore.webhooks,
      directory: t.app.directory,
      stateSource: t.store,
      clock: () => t.clock.now,
      log: silentLogger,
      egress: createEgressGuard({ allow: parseAllowList('127.0.0.1').allow }),
    });
    otherSender = new EscalationSender({
      store: ingestStore,
      directory: t.app.directory,
      dispatcher: otherDispatcher,
      stateSource: t.store,
      clock: () => t.clock.now,
      // The same log as the API's: whichever sender wins a step logs it.
      log: capture.log,
      publicBaseUrl: SAME_ORIGIN,
      options: { pollMs: 0, retryBaseMs: 20 },
    });
  });
  afterAll(async () => {
    await otherSender?.stop();
    await otherDispatcher?.stop();
    await ingestDb?.destroy();
    await t?.close();
    await new Promise((r) => server.close(r));
  });

  /** Both checkers, then both senders, at once: what a busy deployment does every few seconds. */
  async function checkAndSend(): Promise<void> {
    await Promise.all(ingests.map((l) => l.checkEscalations()));
    await Promise.all([t.app.escalations.sweep(), otherSender.sweep()]);
  }

  it('keeps the roster per estate: roles, tenancy, order and windows', async () => {
    const hook = await t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/lianhua/webhooks',
      headers: writer,
      payload: { name: '物业值班群', format: 'generic', url: `${base}/generic` },
    });
    expect(hook.statusCode).toBe(201);
    secrets.set('/generic', hook.json().secret);
    secrets.set('/wecom', 'wecom-robot-secret-000000');
    secrets.set('/dingtalk', 'SECdingtalk-robot-secret-0123456789');
    const add = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/estates/lianhua/on-call', headers: writer, payload });
    // Added out of order on purpose: position 1 is given last.
    const second = await add({
      username: 'manager-anju',
      tier: 'duty',
      channel: 'webhook',
      webhook_id: hook.json().id,
    });
    expect(second.statusCode).toBe(201);
    const first = await add({
      username: 'duty-anju',
      tier: 'duty',
      channel: 'wecom',
      robot_url: `${base}/wecom?key=robot-token`,
      robot_secret: secrets.get('/wecom'),
      position: 1,
    });
    expect(first.statusCode).toBe(201);
    const manager = await add({
      username: 'manager-anju',
      tier: 'manager',
      channel: 'dingtalk',
      robot_url: `${base}/dingtalk?access_token=robot-token`,
      robot_secret: secrets.get('/dingtalk'),
    });
    expect(manager.statusCode).toBe(201);
    // Someone who cannot see the estate cannot be on its roster.
    expect(
      (await add({ username: 'duty-hexin', tier: 'duty', channel: 'webhook', webhook_id: hook.json().id }))
        .statusCode,
    ).toBe(400);
    const windows = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/estates/lianhua/escalation-policy',
      headers: writer,
      payload: { ack_within_min: 4, arrive_within_min: 20 },
    });
    expect(windows.statusCode).toBe(200);
    const roster = (
      await t.app.inject({ url: '/api/v1/estates/lianhua/on-call', headers: { cookie: writer.cookie! } })
    ).json();
    expect(roster.policy).toEqual({ ack_within_min: 4, arrive_within_min: 20, own: true });
    expect(
      roster.entries.map((e: { tier: string; position: number; username: string; display_name: string }) => [
        e.tier,
        e.position,
        e.username,
      ]),
    ).toEqual([
      ['duty', 1, 'duty-anju'],
      ['duty', 2, 'manager-anju'],
      ['manager', 1, 'manager-anju'],
    ]);
    expect(roster.entries[0].robot_url).not.toContain('robot-token');
    expect(roster.entries[1].webhook_name).toBe('物业值班群');

    // Another firm: the estate and the entry answer like missing ones; a committee member may not write.
    const hexin = { cookie: await t.login('duty-hexin'), origin: SAME_ORIGIN };
    const foreign = await t.app.inject({ url: '/api/v1/estates/lianhua/on-call', headers: hexin });
    const missing = await t.app.inject({ url: '/api/v1/estates/no-such-estate/on-call', headers: hexin });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual(missing.json());
    const foreignDelete = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/estates/xiangmi/on-call/${first.json().id}`,
      headers: hexin,
    });
    expect(foreignDelete.statusCode).toBe(404);
    const committee = await t.app.inject({
      url: '/api/v1/estates/lianhua/on-call',
      headers: { cookie: await t.login('committee-lianhua') },
    });
    expect(committee.statusCode).toBe(403);
  });

  it('tells the first on duty, the next after the acknowledge window, the manager when nobody is on site; each once', async () => {
    await ingests[0]!.apply([
      {
        kind: 'raise',
        code: 'passenger_trapped',
        elevatorId: ELEVATOR,
        at: t.clock.now,
        evidence: { stopped_s: 40 },
      },
    ]);
    const opened = (
      await t.app.inject({
        url: `/api/v1/alerts?elevator=${ELEVATOR}&state=open`,
        headers: { cookie: writer.cookie! },
      })
    ).json();
    alertId = opened.items[0].id;

    await checkAndSend();
    expect(received.map((r) => r.path)).toEqual(['/wecom']);
    t.clock.now = NOW + 3 * MIN;
    await checkAndSend();
    expect(received).toHaveLength(1);

    t.clock.now = NOW + 4 * MIN + 1000;
    await checkAndSend();
    await checkAndSend();
    expect(received.map((r) => r.path)).toEqual(['/wecom', '/generic']);

    const ack = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/acknowledge`,
      headers: writer,
      payload: { note: '已联系维保公司，技术员在路上' },
    });
    expect(ack.statusCode).toBe(200);
    t.clock.now = NOW + 12 * MIN;
    await checkAndSend();
    expect(received).toHaveLength(2);

    t.clock.now = NOW + 20 * MIN + 1000;
    await checkAndSend();
    await checkAndSend();
    expect(received.map((r) => r.path)).toEqual(['/wecom', '/generic', '/dingtalk']);
    t.clock.now = NOW + 40 * MIN;
    await checkAndSend();
    expect(received).toHaveLength(3);

    for (const r of received) {
      expect(r.signatureOk, r.path).toBe(true);
      expect(r.text).toContain('莲花花园');
      expect(r.text).toContain('困人');
      // NOW is 04:00 UTC: 12:00 in Beijing.
      expect(r.text).toContain('2025-05-20 12:00:00（北京时间）');
      expect(r.text).toContain(`${SAME_ORIGIN}/app/#/elevator/${ELEVATOR}`);
      expect(r.text).not.toMatch(/passenger_trapped|duty:|manager:|critical/);
    }
    expect(received[0]!.text).toContain('值班通知');
    expect(received[1]!.text).toContain('无人确认，通知值班第 2 位');
    expect(received[1]!.text).toMatch(/响应时限 4 分钟：已超时 0 分钟/);
    const last = received[2]!.text;
    expect(last).toContain('无人到场，通知主管第 1 位');
    expect(last).toMatch(/确认：\S+ 于 2025-05-20 12:04:\d\d，备注：已联系维保公司，技术员在路上/);
    expect(last).toContain('到场时限 20 分钟：已超时 0 分钟');
    const generic = JSON.parse(received[1]!.body);
    expect(generic).toMatchObject({
      event: 'alert.escalation',
      escalation: { step: 'duty:2', to: { username: 'manager-anju' } },
    });

    const steps = (
      await t.app.inject({
        url: `/api/v1/alerts/${alertId}/escalations`,
        headers: { cookie: writer.cookie! },
      })
    ).json();
    expect(steps.map((s: { step: string; status: string }) => [s.step, s.status])).toEqual([
      ['duty:1', 'sent'],
      ['duty:2', 'sent'],
      ['manager:1', 'sent'],
    ]);
    const hexin = await t.app.inject({
      url: `/api/v1/alerts/${alertId}/escalations`,
      headers: { cookie: await t.login('duty-hexin') },
    });
    expect(hexin.statusCode).toBe(404);

    // Logged as domain events and audited, once per step.
    const events = capture.lines.filter((l) => l.event === 'alert.escalated').map((l) => l.step);
    expect(events).toEqual(['duty:1', 'duty:2', 'manager:1']);
    const audit = (
      await t.app.inject({ url: '/api/v1/audit?limit=100', headers: { cookie: writer.cookie! } })
    ).json();
    const escalations = audit.items.filter((a: { action: string }) => a.action === 'alert.escalate');
    expect(escalations).toHaveLength(3);

    // The operators' figures: three steps sent in the store, the open trapped alert escalated.
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('liftwatch_escalation_steps{status="sent"} 3');
    expect(metrics).toContain('liftwatch_escalation_steps{status="pending"} 0');
    expect(metrics).toMatch(/liftwatch_open_alerts\{severity="critical"\} [1-9]/);
    expect(metrics).toMatch(/liftwatch_open_alerts_escalated [1-9]/);
    expect(metrics).toMatch(/liftwatch_webhook_deliveries_total\{status="failed"\} 0/);
  });

  it('marks the alert escalated and sends nothing once it is resolved', async () => {
    const alert = (
      await t.app.inject({ url: `/api/v1/alerts/${alertId}`, headers: { cookie: writer.cookie! } })
    ).json();
    expect(alert.escalated_at).not.toBeNull();
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/resolve`,
      headers: writer,
      payload: { resolution: 'fault', note: '已救出' },
    });
    t.clock.now = NOW + 90 * MIN;
    await checkAndSend();
    expect(received).toHaveLength(3);
    await t.app.webhooks.settled();
    // The estate's webhook heard the ordinary transitions too (acknowledged, escalated, resolved).
    expect(transitions.length).toBeGreaterThan(0);
  });
});
