/**
 * Webhooks reach public addresses only. A property manager registered
 * `http://127.0.0.1:<influx port>/query?q=DROP DATABASE …`, pressed "test", and the
 * unauthenticated InfluxDB on loopback dropped every tenant's history. Here a real receiver
 * on 127.0.0.1 stands for that InfluxDB: without WEBHOOK_ALLOW_HOSTS it must receive nothing,
 * at registration, at delivery and behind a redirect; with it, it receives.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_ORIGIN, startTestApi } from '../helpers/api-harness.ts';

let receiver: Server;
let port = 0;
let closedPort = 0;
const received: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    received.push(url.pathname);
    req.resume();
    if (url.pathname === '/redirect') {
      res.writeHead(307, { location: `http://127.0.0.1:${port}/target` }).end();
      return;
    }
    res.writeHead(200).end('{"results":[{}]}');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

async function api(allow?: string) {
  const t = await startTestApi({
    ...(allow ? { config: { WEBHOOK_ALLOW_HOSTS: allow } } : {}),
    deps: { webhooks: { retryBaseMs: 10, maxAttempts: 3, timeoutMs: 2000 } },
  });
  const headers = { cookie: await t.login('duty-anju'), origin: SAME_ORIGIN };
  const register = (url: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/lianhua/webhooks',
      headers,
      payload: { name: 'ops', format: 'generic', url },
    });
  /** Pings a webhook, waits for the delivery to finish and answers its log row. */
  const ping = async (id: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/estates/lianhua/webhooks/${id}/test`,
      headers,
    });
    expect(res.statusCode).toBe(202);
    await t.app.webhooks.settled();
    const log = await t.app.inject({ url: `/api/v1/estates/lianhua/webhooks/${id}/deliveries`, headers });
    return log.json().items[0];
  };
  /** A webhook stored without the registration check (made before it, or its name moved since). */
  const stored = async (url: string) => {
    const id = `wh-${randomUUID()}`;
    await t.db
      .insertInto('estate_webhooks')
      .values({
        id,
        estate_id: 'lianhua',
        name: 'old',
        format: 'generic',
        url,
        secret: 'a-secret-of-sixteen-chars',
        events_json: '["alert.transition","visit.verdict"]',
        enabled: 1,
        created_at: 0,
        created_by: 'duty-anju',
        deleted_at: null,
      })
      .execute();
    return id;
  };
  return { t, register, ping, stored };
}

describe('without an allow-list', () => {
  let a: Awaited<ReturnType<typeof api>>;
  beforeAll(async () => {
    a = await api();
  });
  afterAll(async () => a?.t.close());

  it.each([
    ['loopback', () => `http://127.0.0.1:${port}/query?q=DROP%20DATABASE%20liftwatch`],
    ['loopback as a decimal number', () => `http://2130706433:${port}/query`],
    ['a private address', () => 'http://10.1.2.3/hook'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ["Alibaba Cloud's metadata address", () => 'http://100.100.100.200/latest/meta-data/'],
    ['IPv6 loopback', () => `http://[::1]:${port}/hook`],
    ['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['a name that resolves to loopback', () => `http://localhost:${port}/hook`],
    ['the unspecified address', () => `http://0.0.0.0:${port}/hook`],
  ])('refuses %s at registration with a coded 400', async (_name, url) => {
    const res = await a.register(url());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    expect(received).toEqual([]);
  });

  it('refuses a change of URL to loopback', async () => {
    const created = await a.register('https://1.1.1.1/hook');
    expect(created.statusCode).toBe(201);
    const res = await a.t.app.inject({
      method: 'PATCH',
      url: `/api/v1/estates/lianhua/webhooks/${created.json().id}`,
      headers: { cookie: await a.t.login('duty-anju'), origin: SAME_ORIGIN },
      payload: { url: `http://127.0.0.1:${port}/query` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    await a.t.app.inject({
      method: 'DELETE',
      url: `/api/v1/estates/lianhua/webhooks/${created.json().id}`,
      headers: { cookie: await a.t.login('duty-anju'), origin: SAME_ORIGIN },
    });
  });

  it('refuses at delivery a stored loopback webhook, sending nothing, and an open port reads as a closed one', async () => {
    const open = await a.ping(await a.stored(`http://127.0.0.1:${port}/query?q=DROP%20DATABASE%20liftwatch`));
    const closed = await a.ping(await a.stored(`http://127.0.0.1:${closedPort}/query`));
    const byName = await a.ping(await a.stored(`http://localhost:${port}/query`));
    expect(received).toEqual([]);
    for (const row of [open, closed, byName])
      expect(row).toMatchObject({
        status: 'failed',
        attempts: 1,
        response_status: null,
        error: 'refused: destination not allowed',
      });
  });
});

describe('with an allow-list', () => {
  it('delivers to an allow-listed address, following a redirect that stays allowed', async () => {
    const a = await api('127.0.0.1');
    try {
      received.length = 0;
      const created = await a.register(`http://127.0.0.1:${port}/hook`);
      expect(created.statusCode).toBe(201);
      expect(await a.ping(created.json().id)).toMatchObject({ status: 'delivered', response_status: 200 });
      const redirected = await a.register(`http://127.0.0.1:${port}/redirect`);
      expect(await a.ping(redirected.json().id)).toMatchObject({ status: 'delivered', response_status: 200 });
      expect(received).toEqual(['/hook', '/redirect', '/target']);
    } finally {
      await a.t.close();
    }
  });

  it('refuses the hop when an allowed host redirects to one that is not', async () => {
    const a = await api('localhost');
    try {
      received.length = 0;
      const created = await a.register(`http://localhost:${port}/redirect`);
      expect(created.statusCode).toBe(201);
      const row = await a.ping(created.json().id);
      expect(received).toEqual(['/redirect']);
      expect(row).toMatchObject({ status: 'failed', attempts: 1, error: 'refused: destination not allowed' });
    } finally {
      await a.t.close();
    }
  });
});
