/**
 * The browser for the e2e suites: Debian's Chromium (never a downloaded one), driven by
 * playwright-core when it is installed, otherwise by a minimal Chrome DevTools Protocol
 * client over `ws` (already in node_modules through socket.io). Both give the tests the
 * same small page interface, so the suites do not change when playwright-core arrives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * How long a wait for an element may take before the test fails. Waits end as soon as the
 * element is there; the deadline only bounds a failure, and is generous because the suite
 * shares two cores with influxd, PostgreSQL and Chromium.
 */
const WAIT_MS = 15_000;

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

export interface TestPage {
  goto(url: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  /** Chooses the option with this value in a <select>, as a person would (change event). */
  select(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Resolves when the selector matches; rejects after timeoutMs. */
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  waitForGone(selector: string, timeoutMs?: number): Promise<void>;
  text(selector: string): Promise<string>;
  evaluate<T>(expression: string): Promise<T>;
  screenshot(path: string): Promise<void>;
}

export interface TestBrowser {
  driver: 'playwright-core' | 'cdp';
  newPage(viewport: { width: number; height: number; mobile?: boolean }): Promise<TestPage>;
  close(): Promise<void>;
}

/** `args` adds Chromium flags to CHROMIUM_ARGS (e.g. an autoplay policy). */
export async function launchBrowser(options: { args?: string[] } = {}): Promise<TestBrowser> {
  const args = [...CHROMIUM_ARGS, ...(options.args ?? [])];
  // LW_E2E_DRIVER=cdp exercises the fallback even where playwright-core is installed.
  const playwright =
    process.env['LW_E2E_DRIVER'] === 'cdp'
      ? null
      : await import('playwright-core' as string).catch(() => null);
  return playwright ? launchPlaywright(playwright, args) : launchCdp(args);
}

// biome-ignore lint/suspicious/noExplicitAny: playwright-core is optional and untyped here.
async function launchPlaywright(pw: any, args: string[]): Promise<TestBrowser> {
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args });
  return {
    driver: 'playwright-core',
    async newPage(viewport) {
      const context = await browser.newContext({ viewport, isMobile: viewport.mobile ?? false });
      const page = await context.newPage();
      return {
        goto: (url) => page.goto(url).then(() => undefined),
        fill: (s, v) => page.fill(s, v),
        select: (s, v) => page.selectOption(s, v).then(() => undefined),
        click: (s) => page.click(s),
        waitFor: (s, timeout = WAIT_MS) =>
          page.waitForSelector(s, { state: 'attached', timeout }).then(() => undefined),
        waitForGone: (s, timeout = WAIT_MS) =>
          page.waitForSelector(s, { state: 'detached', timeout }).then(() => undefined),
        text: (s) => page.textContent(s).then((t: string | null) => t ?? ''),
        evaluate: (e) => page.evaluate(e),
        screenshot: (path) => page.screenshot({ path, fullPage: true }).then(() => undefined),
      };
    },
    close: () => browser.close(),
  };
}

/** Chromium prints its DevTools address on stderr once it listens. */
function devtoolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        child.stderr?.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${seen.slice(-500)}`)));
  });
}

async function launchCdp(args: string[]): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'lw-chromium-'));
  const child = spawn(
    CHROMIUM,
    [...args, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const ws = new WebSocket(await devtoolsUrl(child), { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const eventWaiters: { method: string; sessionId: string; resolve: () => void }[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      sessionId?: string;
    };
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    } else if (msg.method) {
      for (const [i, w] of [...eventWaiters.entries()].reverse())
        if (w.method === msg.method && w.sessionId === msg.sessionId) {
          eventWaiters.splice(i, 1);
          w.resolve();
        }
    }
  });
  // biome-ignore lint/suspicious/noExplicitAny: CDP results are loosely typed JSON.
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  return {
    driver: 'cdp',
    async newPage(viewport) {
      const { browserContextId } = await send('Target.createBrowserContext');
      const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const cmd = (method: string, params: object = {}) => send(method, params, sessionId);
      await cmd('Page.enable');
      await cmd('Emulation.setDeviceMetricsOverride', {
        ...viewport,
        deviceScaleFactor: 1,
        mobile: viewport.mobile ?? false,
      });
      const evaluate = async <T>(expression: string): Promise<T> => {
        const r = await cmd('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
        if (r.exceptionDetails)
          throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? expression}`);
        return r.result.value as T;
      };
      const q = (selector: string) => `document.querySelector(${JSON.stringify(selector)})`;
      const poll = async (expression: string, timeoutMs: number, what: string) => {
        const until = Date.now() + timeoutMs;
        while (!(await evaluate<boolean>(expression).catch(() => false))) {
          if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      return {
        async goto(url) {
          // A change of hash only is a same-document navigation: no load event follows it.
          const done = new Promise<void>((resolve) => {
            for (const method of ['Page.loadEventFired', 'Page.navigatedWithinDocument'])
              eventWaiters.push({ method, sessionId, resolve });
          });
          await cmd('Page.navigate', { url });
          await done;
          for (const [i, w] of [...eventWaiters.entries()].reverse())
            if (w.sessionId === sessionId) eventWaiters.splice(i, 1);
        },
        async fill(selector, value) {
          await poll(`!!${q(selector)}`, WAIT_MS, selector);
          await evaluate(
            `(() => { const el = ${q(selector)}; el.focus(); el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event('input', { bubbles: true })); })()`,
          );
        },
        async select(selector, value) {
          await poll(`!!${q(selector)}`, WAIT_MS, selector);
          await evaluate(
            `(() => { const el = ${q(selector)}; el.value = ${JSON.stringify(value)}; for (const type of ['input', 'change']) el.dispatchEvent(new Event(type, { bubbles: true })); })()`,
          );
        },
        async click(selector) {
          await poll(`!!${q(selector)}`, WAIT_MS, selector);
          await evaluate(`${q(selector)}.click()`);
        },
        waitFor: (selector, timeoutMs = WAIT_MS) => poll(`!!${q(selector)}`, timeoutMs, selector),
        waitForGone: (selector, timeoutMs = WAIT_MS) =>
          poll(`!${q(selector)}`, timeoutMs, `${selector} to go`),
        text: (selector) => evaluate<string>(`${q(selector)}?.textContent ?? ''`),
        evaluate,
        async screenshot(path) {
          const { data } = await cmd('Page.captureScreenshot', {
            format: 'png',
            captureBeyondViewport: true,
          });
          await writeFile(path, Buffer.from(data, 'base64'));
        },
      };
    },
    async close() {
      await send('Browser.close').catch(() => {});
      ws.close();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      await rm(profile, { recursive: true, force: true });
    },
  };
}
