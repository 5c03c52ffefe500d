/**
 * Bodies are validated as sent: an amount is a JSON integer, never `true`, a numeric string
 * or a one-item array (Fastify's default Ajv coerced all three, and `amountFen: true` posted
 * 1 fen). Querystrings are text and still convert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi;
let fundId = '';
let keys = 0;

async function post(url: string, body: unknown) {
  return api.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: {
      cookie: await api.login('duty-anju'),
      origin: SAME_ORIGIN,
      'idempotency-key': `strict-${++keys}-key`,
      'content-type': 'application/json',
    },
    payload: JSON.stringify(body),
  });
}
const postings = async () =>
  (
    await api.app.inject({
      url: `/api/v1/funds/${fundId}/postings`,
      headers: { cookie: await api.login('committee-lianhua') },
    })
  ).json();

beforeAll(async () => {
  api = await startTestApi();
  const res = await post('/funds', { estateId: 'lianhua', name: '莲花电梯维修基金' });
  expect(res.statusCode).toBe(200);
  fundId = res.json().id;
});
afterAll(async () => api?.close());

describe('amounts are integers, strictly', () => {
  it.each([
    ['true', true],
    ['a numeric string', '100'],
    ['an exponent string', '1e3'],
    ['a one-item array', [100]],
    ['a fraction', 1.5],
    ['beyond the ceiling', 1e20],
    ['null', null],
  ])('amountFen as %s is a 400 and posts nothing', async (_name, amountFen) => {
    const contribution = await post(`/funds/${fundId}/contributions`, { period: '2025-04', amountFen });
    expect(contribution.statusCode).toBe(400);
    expect(contribution.json()).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/amountFen/),
    });
    const income = await post(`/funds/${fundId}/income`, { source: 'interest', amountFen, memo: 'x' });
    expect(income.statusCode).toBe(400);
    const proposal = await post(`/funds/${fundId}/expenditures`, {
      amountFen,
      kind: 'repair',
      purpose: 'door operator',
      payee: '华夏电梯',
    });
    expect(proposal.statusCode).toBe(400);
    expect(await postings()).toEqual([]);
  });

  it('takes a JSON integer', async () => {
    const res = await post(`/funds/${fundId}/contributions`, { period: '2025-04', amountFen: 100 });
    expect(res.statusCode).toBe(200);
    expect((await postings()).map((p: { debitFen: number }) => p.debitFen)).toContain(100);
  });

  it('still reads numbers from a querystring, and refuses what is not one', async () => {
    const headers = { cookie: await api.login('duty-anju') };
    const page = await api.app.inject({ url: '/api/v1/alerts?limit=1&offset=0', headers });
    expect(page.statusCode).toBe(200);
    expect(page.json().items).toHaveLength(1);
    for (const bad of ['limit=lots', 'limit=1.5', 'limit=', 'from=1e3x'])
      expect((await api.app.inject({ url: `/api/v1/alerts?${bad}`, headers })).statusCode).toBe(400);
  });
});
