/** How the publisher reads JetStream's answer to an append: stored, or why not. */
import { describe, expect, it } from 'vitest';
import { pubAckProblem } from '../../log/publisher.ts';

const answer = (body: string, code?: number) => ({
  data: new TextEncoder().encode(body),
  headers: code === undefined ? undefined : ({ code } as never),
});

describe('pubAckProblem', () => {
  it.each([
    ['stored', '{"stream":"LW_IN","seq":17}', null],
    ['stored before (duplicate)', '{"stream":"LW_IN","seq":17,"duplicate":true}', null],
    [
      'stream full',
      '{"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"},"stream":"LW_IN","seq":0}',
      'maximum bytes exceeded',
    ],
    ['an answer without a stream', '{"seq":1}', 'no stream in the acknowledgement'],
    ['garbage', 'not json', 'unreadable acknowledgement'],
  ])('%s', (_name, body, problem) => {
    expect(pubAckProblem(answer(body))).toBe(problem);
  });

  it('no responders: a 503 status with no body', () => {
    expect(pubAckProblem(answer('', 503))).toMatch(/503/);
  });
});
