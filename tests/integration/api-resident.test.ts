import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFixture } from '../helpers/alerts.ts';
import { ANJU_ELEVATOR, NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

describe('resident QR page', () => {
  let t: TestApi;
  let token: string;
  beforeAll(async () => {
    t = await startTestApi({ config: { API_REPORT_RATE_MAX: '3', API_QR_CACHE_TTL_S: '60' } });
    token = await t.tokenOf(ANJU_ELEVATOR);
  });
  afterAll(async () => t.close());

  const page = (query = '', headers: Record<string, string> = {}) =>
    t.app.inject({ url: `/e/${token}${query}`, headers });

  it('is Chinese by default, small, and offers a visible English switch', async () => {
    t.store.applyTelemetry(ANJU_ELEVATOR, telemetrySample(), NOW);
    const res = await page();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="zh-CN">');
    expect(res.body).toContain('96333');
    expect(res.body).toContain('0755-8000-9000'); // the estate's emergency phone
    expect(res.body).toContain('华夏电梯维保有限公司');
    expect(res.body).toContain(`href="/e/${token}?lang=en"`);
    expect(Buffer.byteLength(res.body)).toBeLessThan(10 * 1024);
    expect(res.body).not.toContain('<script>'); // only the optional external script
    // A technician scanning the sticker finds the console's check-in for this car, a plain link.
    expect(res.body).toContain(
      `<a class="muted" href="/app/#/work?qr=${token}" rel="nofollow">维保人员入口</a>`,
    );
    expect((await page('?lang=en')).body).toContain(`href="/app/#/work?qr=${token}"`);
  });

  it('is English by Accept-Language or ?lang=en, and ?lang wins', async () => {
    const byHeader = await page('', { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' });
    expect(byHeader.body).toContain('<html lang="en">');
    expect(byHeader.body).toContain('Lift emergency hotline');
    const byQuery = await page('?lang=en');
    expect(byQuery.body).toContain('Lianhua Garden');
    const forced = await page('?lang=zh', { 'accept-language': 'en' });
    expect(forced.body).toContain('<html lang="zh-CN">');
  });

  it('shows each state in plain words', async () => {
    const id = 'lianhua-b3-e1';
    const tok = await t.tokenOf(id);
    const show = async () => (await t.app.inject({ url: `/e/${tok}` })).body;
    expect(await show()).toContain('离线'); // never heard
    t.store.applyTelemetry(id, telemetrySample(), NOW);
    expect(await show()).toContain('正常运行');
    t.store.applyTelemetry(id, telemetrySample({ mode: 'inspection' }), NOW);
    expect(await show()).toContain('维保中');
    t.store.applyTelemetry(id, telemetrySample(), NOW);
    t.store.applyAlert(alertFixture({ id: 'a-live', elevator_id: id, opened_at: NOW, last_seen_at: NOW }));
    expect(await show()).toContain('故障停梯');
    const en = (await t.app.inject({ url: `/e/${tok}?lang=en` })).body;
    expect(en).toContain('Stopped: fault');
    t.clock.now = NOW + 10 * 60_000; // silent for longer than DEVICE_OFFLINE_AFTER_S
    expect(await show()).toContain('离线');
    t.clock.now = NOW;
  });

  it('shows visits with verdict and evidence in words, and 90-day incidents', async () => {
    const zh = (await page()).body;
    expect(zh).toContain('距上次核实的保养 3 天');
    expect(zh).toContain('已核实');
    expect(zh).toContain('检修模式 52 分钟');
    expect(zh).toContain('走完整个井道');
    expect(zh).toContain('困人');
    const en = (await page('?lang=en')).body;
    expect(en).toContain(
      '52 min in inspection mode, whole shaft travelled, pit and car-top stop switches tested',
    );
    expect(en).toContain('Passenger trapped');
    expect(en).not.toContain('tech-wang'); // nothing personal
  });

  it("names who signed each visit, the inspection certificate's date and the labelled registration number", async () => {
    const zh = (await page()).body;
    // The visit's technician by the name the fleet gives (王师傅), never the account id.
    expect(zh).toMatch(/已核实<\/b> · 证据分 92 · <span class="nw">维保人员 王师傅<\/span>/);
    // The fleet file's inspection_due went through the store and the directory to the page.
    const [row] = await t.db
      .selectFrom('elevators')
      .select(['inspection_due', 'registration_code'])
      .where('id', '=', ANJU_ELEVATOR)
      .execute();
    expect(row!.inspection_due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(zh).toContain(`检验有效期至 <span class="nw">${row!.inspection_due}</span>`);
    expect(zh).toContain(`使用登记证编号：${row!.registration_code}`);
    const en = (await page('?lang=en')).body;
    expect(en).toContain('<span class="nw">Technician 王师傅</span>');
    expect(en).toContain(`Use registration no.: ${row!.registration_code}`);
  });

  it('answers an unknown token with a 404 page, never the elevator', async () => {
    const res = await t.app.inject({ url: '/e/not-a-real-token' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('未找到该电梯');
    const json = await t.app.inject({ url: '/e/not-a-real-token/state.json' });
    expect(json.statusCode).toBe(404);
  });

  it('serves the live state as JSON for the optional script', async () => {
    const res = await t.app.inject({ url: `/e/${token}/state.json?lang=en` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ condition: 'normal', label: 'Running normally', last_heard_at: NOW });
    const script = await t.app.inject({ url: '/e/assets/live.js' });
    expect(script.headers['content-type']).toContain('javascript');
  });
});

describe('resident report form', () => {
  let t: TestApi;
  let token: string;
  beforeAll(async () => {
    t = await startTestApi({ config: { API_REPORT_RATE_MAX: '3' } });
    token = await t.tokenOf(ANJU_ELEVATOR);
  });
  afterAll(async () => t.close());

  const post = (body: string, ip = '192.0.2.10') =>
    t.app.inject({
      method: 'POST',
      url: `/e/${token}/reports`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
      remoteAddress: ip,
    });

  it('chooses no category for the resident: a careless submit cannot file "someone is trapped"', async () => {
    const page = (await t.app.inject({ url: `/e/${token}` })).body;
    const select = page.match(/<select name="category" required>(.*?)<\/select>/)?.[1] ?? '';
    const selected = [...select.matchAll(/<option value="([^"]*)"[^>]*\bselected\b/g)].map((m) => m[1]);
    expect(selected).toEqual(['']);
    expect(select).toContain('<option value="" selected disabled>请选择</option>');
  });

  it('files a report into the firm queue and shows progress by receipt', async () => {
    const res = await post('category=door&description=Door+keeps+reopening&website=&lang=en', '192.0.2.1');
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(new RegExp(`^/e/${token}/reports/[2-9A-Z]{5}-[2-9A-Z]{5}\\?lang=en$`));
    const receipt = await t.app.inject({ url: location });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).toContain('Received');
    // The receipt echoes what the resident reported, escaped.
    expect(receipt.body).toContain('What you reported');
    expect(receipt.body).toContain('Door keeps reopening');
    const rows = await t.db
      .selectFrom('resident_reports')
      .selectAll()
      .where('description', '=', 'Door keeps reopening')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.estate_id).toBe('lianhua');
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'report.create')
      .execute();
    expect(audit.map((a) => a.actor)).toContain('resident');
    // The firm moves it along; the resident sees the reply.
    const duty = await t.login('duty-anju');
    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/reports/${rows[0]!.id}/status`,
      headers: { cookie: duty, origin: SAME_ORIGIN },
      payload: { status: 'in_progress', reply: 'Technician booked for 15:00' },
    });
    expect(moved.statusCode).toBe(200);
    const after = await t.app.inject({ url: location });
    expect(after.body).toContain('Being handled');
    expect(after.body).toContain('Technician booked for 15:00');
    // A receipt does not open on another elevator's page.
    const other = await t.tokenOf('lianhua-b2-e1');
    const wrong = await t.app.inject({ url: location.replace(token, other) });
    expect(wrong.statusCode).toBe(404);
  });

  it('drops a report whose honeypot is filled, answering like a success', async () => {
    const before = await t.db.selectFrom('resident_reports').select('id').execute();
    const res = await post(
      'category=other&description=buy+now&website=http%3A%2F%2Fspam.example',
      '192.0.2.2',
    );
    expect(res.statusCode).toBe(200);
    const after = await t.db.selectFrom('resident_reports').select('id').execute();
    expect(after.length).toBe(before.length);
  });

  it('rejects an invalid form with a 400 page, not a 500', async () => {
    const res = await post('category=explosion&description=', '192.0.2.3');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('rate-limits reports per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await post(`category=noise&description=n${i}`, '192.0.2.50')).statusCode);
    expect(codes.slice(0, 3)).toEqual([303, 303, 303]);
    expect(codes.slice(3)).toEqual([429, 429]);
    expect((await post('category=noise&description=other+address', '192.0.2.51')).statusCode).toBe(303);
  });
});

describe('resident QR page on the hot path', () => {
  let t: TestApi;
  let token: string;
  beforeAll(async () => {
    t = await startTestApi({ config: { API_RATE_LIMIT_PER_MIN: '4' } });
    token = await t.tokenOf(ANJU_ELEVATOR);
    t.store.applyTelemetry(ANJU_ELEVATOR, telemetrySample(), NOW);
  });
  afterAll(async () => t.close());

  const scan = (address: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url: `/e/${token}`, headers, remoteAddress: address });

  it('answers a repeat scan of an unchanged page 304 with no body, and a changed page 200', async () => {
    const first = await scan('192.0.2.60');
    const etag = first.headers.etag as string;
    expect(first.statusCode).toBe(200);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await scan('192.0.2.60', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await scan('192.0.2.60', { 'if-none-match': `W/"old", ${etag}` })).statusCode).toBe(304);
    t.store.applyTelemetry(ANJU_ELEVATOR, telemetrySample({ mode: 'inspection' }), NOW);
    const changed = await scan('192.0.2.60', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toContain('维保中');
    expect(changed.headers.etag).not.toBe(etag);
    t.store.applyTelemetry(ANJU_ELEVATOR, telemetrySample(), NOW);
  });

  it('carries the helmet headers but none of the rate-limit plugin', async () => {
    const res = await scan('192.0.2.61');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('still caps page reads per address, with Retry-After and an HTML answer', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await scan('192.0.2.62')).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
    const limited = await scan('192.0.2.62');
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['content-type']).toContain('text/html');
    expect((await scan('192.0.2.63')).statusCode).toBe(200);
  });
});
