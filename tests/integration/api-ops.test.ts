import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

describe('operations and malformed requests', () => {
  let t: TestApi;
  let broker = true;
  let duty: string;
  beforeAll(async () => {
    t = await startTestApi({
      config: { API_BODY_LIMIT_BYTES: '2048' },
      deps: {
        readiness: { broker: () => broker, influx: () => Promise.reject(new Error('down')) },
        metrics: [
          () => [
            {
              name: 'liftwatch_ingest_received_total',
              help: 'Messages received',
              type: 'counter',
              value: 42,
            },
          ],
        ],
      },
    });
    duty = await t.login('duty-anju');
  });
  afterAll(async () => t.close());

  it('answers /healthz and lists failing dependencies on /readyz', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'not_ready',
      checks: { db: 'ok', broker: 'ok', influx: 'failing' },
    });
    broker = false;
    expect((await t.app.inject({ url: '/readyz' })).json().checks.broker).toBe('failing');
  });

  it('serves Prometheus text with the ingest counters and its own', async () => {
    await t.app.inject({ url: '/healthz' });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('liftwatch_ingest_received_total 42');
    expect(res.body).toMatch(
      /liftwatch_api_requests_total\{method="GET",route="\/healthz",status="2xx"\} \d+/,
    );
  });

  it('publishes OpenAPI generated from the route schemas', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/alerts', '/api/v1/alerts/{id}/acknowledge', '/e/{token}', '/readyz']),
    );
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  const MALFORMED: {
    name: string;
    method: 'GET' | 'POST';
    url: string;
    payload?: string;
    type?: string;
    status: number;
  }[] = [
    {
      name: 'broken JSON',
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/acknowledge',
      payload: '{"note":',
      type: 'application/json',
      status: 400,
    },
    {
      name: 'wrong body type',
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/acknowledge',
      payload: '{"note":{"text":"x"}}',
      type: 'application/json',
      status: 400,
    },
    {
      name: 'empty note',
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/acknowledge',
      payload: '{"note":""}',
      type: 'application/json',
      status: 400,
    },
    {
      name: 'body as text',
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/resolve',
      payload: 'fixed',
      type: 'text/plain',
      status: 400,
    },
    {
      name: 'body as XML',
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/resolve',
      payload: '<note/>',
      type: 'application/xml',
      status: 415,
    },
    {
      name: 'body too large',
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/resolve',
      payload: JSON.stringify({ note: 'x'.repeat(5000) }),
      type: 'application/json',
      status: 413,
    },
    { name: 'limit not a number', method: 'GET', url: '/api/v1/alerts?limit=lots', status: 400 },
    { name: 'limit too big', method: 'GET', url: '/api/v1/alerts?limit=100000', status: 400 },
    { name: 'unknown state', method: 'GET', url: '/api/v1/alerts?state=burning', status: 400 },
    { name: 'negative time', method: 'GET', url: '/api/v1/alerts?from=-5', status: 400 },
    {
      name: 'unknown report status',
      method: 'POST',
      url: '/api/v1/reports/report-anju-1/status',
      payload: '{"status":"lost"}',
      type: 'application/json',
      status: 400,
    },
    {
      name: 'login without password',
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: '{"username":"admin"}',
      type: 'application/json',
      status: 400,
    },
  ];

  for (const m of MALFORMED) {
    it(`answers ${m.name} with ${m.status} and a message`, async () => {
      const res = await t.app.inject({
        method: m.method,
        url: m.url,
        headers: { cookie: duty, origin: SAME_ORIGIN, ...(m.type ? { 'content-type': m.type } : {}) },
        payload: m.payload,
      });
      expect(res.statusCode).toBe(m.status);
      const body = res.json();
      expect(body.statusCode).toBe(m.status);
      expect(body.code).toMatch(/^[A-Z_]+$/);
      expect(body.message.length).toBeGreaterThan(3);
    });
  }
});
