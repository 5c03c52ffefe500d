/**
 * The API docs (/docs, Swagger UI) in Chromium: the UI styles itself inline, which the
 * strict CSP of every other page forbids, so its pages carry their own policy that allows
 * inline styles (and still only the site's own scripts). The probe: a <style> element and a
 * style attribute added by script, and the violations the browser reports for them.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnFreePort, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { launchBrowser, type TestBrowser, type TestPage } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

/**
 * Adds inline styles as Swagger UI does, and an inline script as an injected one would, and
 * reports what applied and what the CSP refused.
 */
const INLINE_STYLE_PROBE = `(async () => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
  const style = document.createElement('style');
  style.textContent = '#lw-probe { color: rgb(1, 2, 3); }';
  document.head.append(style);
  const probe = document.createElement('div');
  probe.id = 'lw-probe';
  probe.setAttribute('style', 'background-color: rgb(4, 5, 6)');
  document.body.append(probe);
  const script = document.createElement('script');
  script.textContent = 'window.lwInlineScriptRan = true';
  document.head.append(script);
  await new Promise((resolve) => setTimeout(resolve, 0)); // violation events are queued as tasks
  const css = getComputedStyle(probe);
  return {
    color: css.color,
    background: css.backgroundColor,
    inlineScriptRan: window.lwInlineScriptRan === true,
    violations,
  };
})()`;

interface Probe {
  color: string;
  background: string;
  inlineScriptRan: boolean;
  violations: string[];
}

describe('API docs in Chromium', () => {
  let t: TestApi;
  let base: string;
  let browser: TestBrowser;
  let page: TestPage;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApi();
    base = await listenOnFreePort(t);
    browser = await launchBrowser();
    page = await browser.newPage({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders Swagger UI with its inline styles allowed', async () => {
    await page.goto(`${base}/docs`);
    await page.waitFor('.swagger-ui .info .title', 15_000);
    expect(await page.text('.swagger-ui .info .title')).toContain('Lift Watch API');
    const probe = await page.evaluate<Probe>(INLINE_STYLE_PROBE);
    // Styles apply; an inline script is still refused, here as everywhere.
    expect(probe).toEqual({
      color: 'rgb(1, 2, 3)',
      background: 'rgb(4, 5, 6)',
      inlineScriptRan: false,
      violations: ['script-src-elem'],
    });
    await page.screenshot(join(ARTIFACTS, 'api-docs.png'));
  });

  it('keeps the policy of every other page as it was: the resident page refuses inline scripts', async () => {
    const token = await t.tokenOf('lianhua-b1-e1');
    await page.goto(`${base}/e/${token}`);
    const probe = await page.evaluate<Probe>(INLINE_STYLE_PROBE);
    expect(probe.inlineScriptRan).toBe(false);
    expect(probe.violations).toContain('script-src-elem');
    const policy = String((await t.app.inject({ url: `/e/${token}` })).headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("script-src 'self' 'unsafe");
  });
});
