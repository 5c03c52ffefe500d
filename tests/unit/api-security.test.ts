import { describe, expect, it } from 'vitest';
import { helmetHeaders, WindowLimiter } from '../../api/plugins/security.ts';
import { etagMatches } from '../../api/resident/page-cache.ts';

describe('helmetHeaders', () => {
  it('computes the headers helmet would set, once', () => {
    const h = helmetHeaders({
      contentSecurityPolicy: { directives: { scriptSrc: ["'self'"] } },
      hsts: false,
    });
    expect(h['content-security-policy']).toContain("script-src 'self'");
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('SAMEORIGIN');
    expect(h['strict-transport-security']).toBeUndefined();
    expect(Object.isFrozen(h)).toBe(true);
  });
});

describe('WindowLimiter', () => {
  it('allows max per key per window, then refuses until the window turns', () => {
    const l = new WindowLimiter({ max: 2, windowMs: 1000 });
    expect([l.allow('a', 0), l.allow('a', 10), l.allow('a', 20), l.allow('b', 20)]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(l.retryAfterS(400)).toBe(1);
    expect(l.allow('a', 1000)).toBe(true);
  });

  it('stops counting new keys beyond its cap instead of growing', () => {
    const l = new WindowLimiter({ max: 1, windowMs: 1000, maxKeys: 2 });
    l.allow('a', 0);
    l.allow('b', 0);
    expect([l.allow('c', 0), l.allow('c', 0)]).toEqual([true, true]);
    expect(l.allow('a', 0)).toBe(false);
  });
});

describe('etagMatches', () => {
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abd"', false],
  ])('If-None-Match %s → %s', (header, expected) => {
    expect(etagMatches(header, '"abc"')).toBe(expected);
  });
});
