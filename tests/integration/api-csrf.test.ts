/**
 * Cross-site request forgery: a write carried by the session cookie must say it comes from
 * our own pages (Origin, or Referer without one), and form bodies reach only the routes
 * that are forms. Before this, `POST /api/v1/alerts/{id}/acknowledge` with the duty
 * officer's cookie, `Origin: http://evil.example` and a form body acknowledged the alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_ORIGIN, startTestApi, TEST_PASSWORD, type TestApi } from '../helpers/api-harness.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('cookie-authenticated writes from another origin', () => {
  let t: TestApi;
  let anju: string;
  beforeAll(async () => {
    t = await startTestApi();
    anju = await t.login('duty-anju');
  });
  afterAll(async () => t?.close());

  const alertState = async (id: string) =>
    await t.db
      .selectFrom('alerts')
      .select(['state', 'acknowledged_by'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const acknowledge = (headers: Record<string, string>, payload: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/alerts/alert-anju-1/acknowledge', headers, payload });

  it.each([
    ['a form from evil.example', { origin: 'http://evil.example', ...FORM }, 'note=pwned'],
    ['JSON from evil.example', { origin: 'http://evil.example', ...JSON_TYPE }, '{"note":"pwned"}'],
    ['the same site on another port', { origin: 'http://lift.test:3000', ...JSON_TYPE }, '{"note":"pwned"}'],
    ['a subdomain', { origin: 'http://evil.lift.test', ...JSON_TYPE }, '{"note":"pwned"}'],
    ['https instead of http', { origin: 'https://lift.test', ...JSON_TYPE }, '{"note":"pwned"}'],
    ['Origin: null (a sandboxed frame)', { origin: 'null', ...FORM }, 'note=pwned'],
    ['a foreign Referer and no Origin', { referer: 'http://evil.example/page', ...FORM }, 'note=pwned'],
    ['neither Origin nor Referer', { ...JSON_TYPE }, '{"note":"pwned"}'],
  ])('refuses %s with 403 and leaves the alert open', async (_name, headers, payload) => {
    const res = await acknowledge({ cookie: anju, ...headers }, payload);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'CROSS_SITE_REFUSED' });
    expect(await alertState('alert-anju-1')).toEqual({ state: 'open', acknowledged_by: null });
  });

  it('refuses cross-site PATCH, DELETE and logout as well', async () => {
    const evil = { cookie: anju, origin: 'http://evil.example', ...JSON_TYPE };
    const hook = await t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/lianhua/webhooks',
      headers: { cookie: anju, origin: SAME_ORIGIN },
      payload: { name: 'ops', format: 'generic', url: 'https://1.1.1.1/lift' },
    });
    expect(hook.statusCode).toBe(201);
    const url = `/api/v1/estates/lianhua/webhooks/${hook.json().id}`;
    expect(
      (await t.app.inject({ method: 'PATCH', url, headers: evil, payload: '{"enabled":false}' })).statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url,
          headers: { cookie: anju, origin: 'http://evil.example' },
        })
      ).statusCode,
    ).toBe(403);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: anju, origin: 'http://evil.example' },
    });
    expect(logout.statusCode).toBe(403);
    // Still signed in, and the webhook untouched.
    const list = await t.app.inject({ url: '/api/v1/estates/lianhua/webhooks', headers: { cookie: anju } });
    expect(list.json()).toEqual([expect.objectContaining({ id: hook.json().id, enabled: true })]);
    // From our own page the same DELETE goes through (and no alert below is sent anywhere).
    const removed = await t.app.inject({
      method: 'DELETE',
      url,
      headers: { cookie: anju, origin: SAME_ORIGIN },
    });
    expect(removed.statusCode).toBe(204);
  });

  it('answers 415 to a form body on a JSON route, even from our own origin', async () => {
    const res = await acknowledge({ cookie: anju, origin: SAME_ORIGIN, ...FORM }, 'note=looked');
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await alertState('alert-anju-1')).toEqual({ state: 'open', acknowledged_by: null });
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie: anju, origin: SAME_ORIGIN, ...FORM },
      payload: 'name=bot',
    });
    expect(token.statusCode).toBe(415);
  });

  it('accepts our own pages: Origin of PUBLIC_BASE_URL, of the address the browser used, or a same-origin Referer', async () => {
    const ok = await acknowledge({ cookie: anju, origin: SAME_ORIGIN, ...JSON_TYPE }, '{"note":"on my way"}');
    expect(ok.statusCode).toBe(200);
    expect(await alertState('alert-anju-1')).toEqual({ state: 'acknowledged', acknowledged_by: 'duty-anju' });
    // The demo opened on a LAN address: Host says where the browser was.
    const lan = await t.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-2/acknowledge',
      headers: { cookie: anju, host: '192.168.1.20:8080', origin: 'http://192.168.1.20:8080', ...JSON_TYPE },
      payload: '{"note":"seen"}',
    });
    expect(lan.statusCode).toBe(200);
    const referer = await t.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-2/resolve',
      headers: { cookie: anju, referer: `${SAME_ORIGIN}/app/alerts`, ...JSON_TYPE },
      payload: '{"note":"fixed","resolution":"fault"}',
    });
    expect(referer.statusCode).toBe(200);
  });

  it('does not ask bearer-token clients for an Origin', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie: anju, origin: SAME_ORIGIN },
      payload: { name: 'wecom bot' },
    });
    const bearer = { authorization: `Bearer ${created.json().token}` };
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alert-anju-1/resolve',
      headers: bearer,
      payload: { note: 'released', resolution: 'fault' },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('the routes that are forms', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => t?.close());

  it('files a resident report from the QR page form', async () => {
    const token = await t.tokenOf('lianhua-b1-e1');
    const res = await t.app.inject({
      method: 'POST',
      url: `/e/${token}/reports`,
      headers: { origin: SAME_ORIGIN, ...FORM },
      payload: 'category=door&description=Door+keeps+reopening&lang=en',
    });
    expect(res.statusCode).toBe(303);
  });

  it('logs in from a form on our page, and refuses a login posted from another site', async () => {
    const body = `username=duty-anju&password=${encodeURIComponent(TEST_PASSWORD)}`;
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: SAME_ORIGIN, ...FORM },
      payload: body,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.cookies.map((c) => c.name)).toContain('lw_session');
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: 'http://evil.example', ...FORM },
      payload: body,
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.cookies.map((c) => c.name)).not.toContain('lw_session');
  });
});
