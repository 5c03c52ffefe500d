/**
 * Webhooks end to end with a real local receiver (node:http on port 0) that checks each
 * format's signature, answers 500 to the first attempt and 200 after, and the delivery log.
 * The receiver is on loopback, which webhooks may reach only because this API allow-lists
 * 127.0.0.1 (WEBHOOK_ALLOW_HOSTS; api-webhooks-egress.test.ts tests the refusals).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFixture, visitMessageFixture } from '../helpers/alerts.ts';
import { ANJU_ELEVATOR, NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  signatureOk: boolean;
}

/** Verifies as a receiver would: HMAC over "timestamp.body" with the secret it was given. */
function genericSignatureOk(
  secret: string,
  r: { headers: IncomingMessage['headers']; body: string },
): boolean {
  const ts = String(r.headers['x-liftwatch-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  return r.headers['x-liftwatch-signature'] === expected;
}

function dingTalkSignatureOk(secret: string, query: URLSearchParams): boolean {
  const ts = query.get('timestamp')!;
  const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
  return query.get('sign') === expected;
}

describe('estate webhooks', () => {
  let t: TestApi;
  let anju: string;
  /** A write from the dashboard: the session cookie and our Origin. */
  let writer: Record<string, string>;
  let server: Server;
  let base: string;
  const secrets = new Map<string, string>();
  const received: Received[] = [];
  /** Paths that fail their first request with a 500. */
  const failFirst = new Set(['/generic']);
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  const arrivals = (path: string, count: number) =>
    new Promise<void>((resolve) => {
      waiters.push({ path, count, resolve });
      check();
    });
  function check() {
    for (const w of [...waiters])
      if (received.filter((r) => r.path === w.path).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        const secret = secrets.get(url.pathname) ?? '';
        const signatureOk =
          genericSignatureOk(secret, { headers: req.headers, body }) &&
          (url.pathname !== '/dingtalk' || dingTalkSignatureOk(secret, url.searchParams));
        const first = !received.some((r) => r.path === url.pathname);
        received.push({
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          signatureOk,
        });
        check();
        if (first && failFirst.has(url.pathname)) {
          res.writeHead(500).end('try later');
          return;
        }
        if (url.pathname === '/gone') {
          res.writeHead(410).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startTestApi({
      config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
      deps: { webhooks: { retryBaseMs: 20, maxAttempts: 3, timeoutMs: 2000 } },
    });
    anju = await t.login('duty-anju');
    writer = { cookie: anju, origin: SAME_ORIGIN };
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => server.close(r));
  });

  const create = async (format: string, path: string, extra: Record<string, unknown> = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/lianhua/webhooks',
      headers: writer,
      payload: { name: `${format} hook`, format, url: `${base}${path}?key=robot-token`, ...extra },
    });
    expect(res.statusCode).toBe(201);
    const hook = res.json();
    secrets.set(path, hook.secret);
    return hook;
  };

  it('signs every format, retries after a 500 and logs each delivery', async () => {
    const generic = await create('generic', '/generic');
    await create('wecom', '/wecom');
    await create('dingtalk', '/dingtalk', { secret: 'SECdingtalk-robot-secret-0123456789' });
    const gone = await create('generic', '/gone', { events: ['alert.transition'] });
    t.store.applyAlert(
      alertFixture({ id: 'alert-hook-1', elevator_id: ANJU_ELEVATOR, opened_at: NOW, last_seen_at: NOW }),
    );
    // The same transition again (the ingest republishes) sends nothing more.
    t.store.applyAlert(
      alertFixture({
        id: 'alert-hook-1',
        elevator_id: ANJU_ELEVATOR,
        opened_at: NOW,
        last_seen_at: NOW + 1000,
      }),
    );
    await Promise.all([
      arrivals('/generic', 2),
      arrivals('/wecom', 1),
      arrivals('/dingtalk', 1),
      arrivals('/gone', 1),
    ]);
    await t.app.webhooks.settled();
    expect(received.every((r) => r.signatureOk)).toBe(true);
    expect(received.filter((r) => r.path === '/generic')).toHaveLength(2);
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(1);

    const event = JSON.parse(received.find((r) => r.path === '/generic')!.body);
    expect(event).toMatchObject({
      event: 'alert.transition',
      estate: { id: 'lianhua', name: '莲花花园' },
      elevator: { id: ANJU_ELEVATOR },
      alert: { id: 'alert-hook-1', state: 'open', label_zh: '困人', label_en: 'Passenger trapped' },
    });
    const wecom = JSON.parse(received.find((r) => r.path === '/wecom')!.body);
    expect(wecom.msgtype).toBe('markdown');
    expect(wecom.markdown.content).toContain('困人 Passenger trapped');
    const ding = received.find((r) => r.path === '/dingtalk')!;
    expect(JSON.parse(ding.body).markdown.title).toBe('困人 Passenger trapped');
    expect(ding.query.get('key')).toBe('robot-token');

    const log = async (id: string) =>
      (
        await t.app.inject({
          url: `/api/v1/estates/lianhua/webhooks/${id}/deliveries`,
          headers: { cookie: anju },
        })
      ).json().items;
    expect(await log(generic.id)).toEqual([
      expect.objectContaining({
        subject_id: 'alert-hook-1',
        status: 'delivered',
        attempts: 2,
        response_status: 200,
      }),
    ]);
    // A 410 is an answer, not an outage: no retry.
    expect(await log(gone.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, response_status: 410, error: 'HTTP 410' }),
    ]);
  });

  it('sends visit verdicts, not check-ins, and only to hooks that asked', async () => {
    const before = received.length;
    t.store.applyVisit(visitMessageFixture({ id: 'v-hook', elevator_id: ANJU_ELEVATOR }));
    t.store.applyVisit(
      visitMessageFixture({
        id: 'v-hook',
        elevator_id: ANJU_ELEVATOR,
        status: 'closed',
        verdict: 'fake',
        evidence_score: 12,
      }),
    );
    await arrivals('/wecom', 2);
    await t.app.webhooks.settled();
    const paths = received
      .slice(before)
      .map((r) => r.path)
      .sort();
    expect(paths).toEqual(['/dingtalk', '/generic', '/wecom']);
    const body = JSON.parse(received.slice(before).find((r) => r.path === '/generic')!.body);
    expect(body).toMatchObject({
      event: 'visit.verdict',
      visit: { id: 'v-hook', verdict: 'fake', evidence_score: 12 },
    });
  });

  it('gives up after maxAttempts when the receiver is down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/longgang/webhooks',
      headers: writer,
      payload: { name: 'down', format: 'generic', url: `http://127.0.0.1:${port}/hook` },
    });
    const hook = res.json();
    const ping = await t.app.inject({
      method: 'POST',
      url: `/api/v1/estates/longgang/webhooks/${hook.id}/test`,
      headers: writer,
    });
    expect(ping.statusCode).toBe(202);
    await t.app.webhooks.settled();
    const items = (
      await t.app.inject({
        url: `/api/v1/estates/longgang/webhooks/${hook.id}/deliveries`,
        headers: { cookie: anju },
      })
    ).json().items;
    expect(items).toEqual([
      expect.objectContaining({ event: 'ping', status: 'failed', attempts: 3, response_status: null }),
    ]);
    // Neutral: the log a manager reads does not tell a closed port from a filtered one.
    expect(items[0].error).toBe('delivery failed');
  });

  it('shows the secret once, hides robot tokens, and keeps tenants apart', async () => {
    const list = await t.app.inject({ url: '/api/v1/estates/lianhua/webhooks', headers: { cookie: anju } });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('"secret"');
    expect(list.body).not.toContain('robot-token');
    const [first] = list.json();
    const hexin = await t.login('duty-hexin');
    const committee = await t.login('committee-lianhua');
    const urls = [
      ['GET', '/api/v1/estates/lianhua/webhooks'],
      ['POST', `/api/v1/estates/lianhua/webhooks/${first.id}/test`],
      ['PATCH', `/api/v1/estates/lianhua/webhooks/${first.id}`],
      ['DELETE', `/api/v1/estates/lianhua/webhooks/${first.id}`],
      ['GET', `/api/v1/estates/lianhua/webhooks/${first.id}/deliveries`],
    ] as const;
    for (const [method, url] of urls) {
      const payload = method === 'PATCH' ? { enabled: false } : undefined;
      const origin = method === 'GET' ? {} : { origin: SAME_ORIGIN };
      expect(
        (await t.app.inject({ method, url, payload, headers: { cookie: hexin, ...origin } })).statusCode,
      ).toBe(404);
      expect(
        (await t.app.inject({ method, url, payload, headers: { cookie: committee, ...origin } })).statusCode,
      ).toBe(403);
    }
    // Hexin's own estate does not see Anju's webhook id either.
    const cross = await t.app.inject({
      url: `/api/v1/estates/xiangmi/webhooks/${first.id}/deliveries`,
      headers: { cookie: hexin },
    });
    expect(cross.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/lianhua/webhooks',
      headers: writer,
      payload: { name: 'x', format: 'slack', url: 'ftp://nope' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('disables and deletes, keeping the log', async () => {
    const hook = await create('generic', '/later');
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/estates/lianhua/webhooks/${hook.id}`,
      headers: writer,
      payload: { enabled: false, name: 'paused' },
    });
    expect(patched.json()).toMatchObject({ enabled: false, name: 'paused' });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/estates/lianhua/webhooks/${hook.id}`,
      headers: writer,
    });
    expect(del.statusCode).toBe(204);
    const list = (
      await t.app.inject({ url: '/api/v1/estates/lianhua/webhooks', headers: { cookie: anju } })
    ).json();
    expect(list.map((h: { id: string }) => h.id)).not.toContain(hook.id);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', hook.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.update', 'webhook.delete']);
  });
});
