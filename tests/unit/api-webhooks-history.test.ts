import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planHistoryQuery } from '../../api/data/history.ts';
import type { ResidentCard } from '../../api/resident/card.ts';
import { ResidentPageCache } from '../../api/resident/page-cache.ts';
import { buildRequest, robotOutcome, signDingTalk, type WebhookPayload } from '../../api/webhooks/formats.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('planHistoryQuery', () => {
  const cases: [string, number, number, string, number | null][] = [
    ['half an hour: raw as written', 30 * 60_000, 2000, 'raw', null],
    ['an hour under the cap', HOUR, 5000, 'raw', null],
    ['an hour over the cap: 2 s buckets', HOUR, 2000, 'raw', 2000],
    ['a day: 1-minute aggregates', DAY, 2000, 'aggregates', 60_000],
    ['a month: 22-minute buckets', 30 * DAY, 2000, 'aggregates', 22 * 60_000],
  ];
  it.each(cases)('%s', (_name, range, maxPoints, source, interval) => {
    const { sql, history } = planHistoryQuery('db', {
      elevatorId: 'e1',
      from: 0,
      to: range,
      fields: ['speed'],
      maxPoints,
    });
    expect(history.source).toBe(source);
    expect(history.intervalMs).toBe(interval);
    expect(sql).toContain(`LIMIT ${maxPoints + 1}`);
    expect(sql).toContain(source === 'raw' ? '"raw"."telemetry"' : '"aggregates"."telemetry_1m"');
  });

  it('quotes the elevator id as an InfluxQL literal', () => {
    const { sql } = planHistoryQuery('db', {
      elevatorId: "x' OR 1=1 --\\",
      from: 0,
      to: 1000,
      fields: ['floor'],
      maxPoints: 10,
    });
    expect(sql).toContain(`"elevator" = 'x\\' OR 1=1 --\\\\'`);
  });
});

const payload: WebhookPayload = {
  event: 'alert.transition',
  delivery_id: 'd1',
  sent_at: 1,
  estate: { id: 'es', name: '莲花花园', name_en: 'Lianhua Garden' },
  elevator: { id: 'e1', name: '1栋1号梯', building: '1栋', registration_code: 'R1' },
  alert: {
    id: 'a1',
    code: 'passenger_trapped',
    label_zh: '困人',
    label_en: 'Passenger trapped',
    severity: 'critical',
    state: 'open',
    opened_at: 0,
    last_seen_at: 0,
  },
};

describe('webhook formats', () => {
  it('signs the generic body with its timestamp', () => {
    const r = buildRequest('generic', 'https://hooks.example/x', 'k', payload, 1700000000000);
    const expected = createHmac('sha256', 'k').update(`1700000000000.${r.body}`).digest('hex');
    expect(r.headers['x-liftwatch-signature']).toBe(`sha256=${expected}`);
    expect(JSON.parse(r.body)).toEqual(payload);
  });

  it("signs DingTalk the documented way: base64 HMAC of 'timestamp\\nsecret' in the query", () => {
    const r = buildRequest(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=t',
      'SECk',
      payload,
      42,
    );
    const url = new URL(r.url);
    expect(url.searchParams.get('access_token')).toBe('t');
    expect(url.searchParams.get('timestamp')).toBe('42');
    expect(url.searchParams.get('sign')).toBe(
      createHmac('sha256', 'SECk').update('42\nSECk').digest('base64'),
    );
    expect(signDingTalk('SECk', '42')).toBe(url.searchParams.get('sign'));
    expect(JSON.parse(r.body).msgtype).toBe('markdown');
  });

  it('reads robot answers: errcode 0 is success, rate limits are retried', () => {
    expect(robotOutcome('wecom', '{"errcode":0,"errmsg":"ok"}')).toBe('ok');
    expect(robotOutcome('wecom', '{"errcode":45009}')).toBe('retry');
    expect(robotOutcome('dingtalk', '{"errcode":130101}')).toBe('retry');
    expect(robotOutcome('dingtalk', '{"errcode":310000,"errmsg":"sign not match"}')).toBe('fail');
    expect(robotOutcome('generic', 'anything')).toBe('ok');
  });
});

describe('ResidentPageCache', () => {
  const card = { visits: [], lastVerifiedAt: null, incidents: [], health: null, loadedAt: 0 } as ResidentCard;
  const version = { card, condition: 'normal' as const, heard: 'just now' };

  it('serves a page while card, condition and words are unchanged and it is young', () => {
    const cache = new ResidentPageCache({ maxAgeMs: 1000, maxEntries: 2 });
    const set = cache.set('e1:zh', version, '<html>', 0);
    expect(cache.get('e1:zh', version, 999)?.body.toString()).toBe('<html>');
    expect(cache.get('e1:zh', version, 999)?.etag).toBe(set.etag);
    expect(cache.get('e1:zh', version, 1000)).toBeUndefined();
    expect(cache.get('e1:zh', { ...version, condition: 'fault' }, 1)).toBeUndefined();
    expect(cache.get('e1:zh', { ...version, heard: '1 min ago' }, 1)).toBeUndefined();
    expect(cache.get('e1:zh', { ...version, card: { ...card } }, 1)).toBeUndefined();
  });

  it('drops the oldest page when full', () => {
    const cache = new ResidentPageCache({ maxAgeMs: 1000, maxEntries: 2 });
    cache.set('a', version, 'a', 0);
    cache.set('b', version, 'b', 0);
    cache.set('c', version, 'c', 0);
    expect(cache.get('a', version, 1)).toBeUndefined();
    expect(cache.get('c', version, 1)?.body.toString()).toBe('c');
  });

  it('gives the same strong ETag to the same bytes and another to other bytes', () => {
    const cache = new ResidentPageCache({ maxAgeMs: 1000, maxEntries: 4 });
    const a = cache.set('a', version, '<p>正常运行</p>', 0).etag;
    expect(a).toMatch(/^"[\w-]{22}"$/);
    expect(cache.set('b', version, '<p>正常运行</p>', 0).etag).toBe(a);
    expect(cache.set('c', version, '<p>故障停梯</p>', 0).etag).not.toBe(a);
  });
});
