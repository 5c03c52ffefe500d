/**
 * The sticker PDFs as a person opens them: Chromium's own PDF viewer (PDFium) renders an
 * estate's sheet and a building's sheet from the API, and the first page of each is saved in
 * tests/artifacts/stickers-*.png for a person to look at (the Chinese lines must show). The
 * structural checks (embedded subset, ToUnicode, cars per building) are in
 * tests/integration/api-stickers.test.ts; here the viewer must draw the first page (ink in its
 * thumbnail) and read the document's Chinese title and page count out of the file. Needs playwright-core: the viewer lives in an
 * extension frame the minimal CDP driver of browser.ts does not reach.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnFreePort, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

/** What the viewer's toolbar shows: the document's title (its Info, DisplayDocTitle) and the page count. */
const TOOLBAR = `(() => {
  const root = document.querySelector('pdf-viewer')?.shadowRoot?.querySelector('viewer-toolbar')?.shadowRoot;
  return {
    title: root?.querySelector('#title')?.textContent?.trim() ?? '',
    pages: root?.querySelector('viewer-page-selector')?.shadowRoot?.textContent?.replace(/\\s+/g, ' ') ?? '',
  };
})()`;

/** Whether the first page's thumbnail canvas carries ink (over 2 % of its pixels not white). */
const FIRST_PAGE_INK = `(() => {
  const bar = document.querySelector('pdf-viewer')?.shadowRoot?.querySelector('viewer-pdf-sidenav')
    ?.shadowRoot?.querySelector('viewer-thumbnail-bar')?.shadowRoot;
  const canvas = bar?.querySelector('viewer-thumbnail')?.shadowRoot?.querySelector('canvas');
  if (!canvas || !canvas.width) return false;
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128) ink++;
  return ink > (data.length / 4) * 0.02;
})()`;

// biome-ignore lint/suspicious/noExplicitAny: playwright-core is optional and untyped here.
const playwright: any = await import('playwright-core' as string).catch(() => null);

describe.skipIf(!playwright)('sticker PDFs in Chromium', () => {
  let t: TestApi;
  let base: string;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let browser: any;
  let cookie: { name: string; value: string };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApi();
    base = await listenOnFreePort(t);
    const [name, ...value] = (await t.login('duty-anju')).split(';')[0]!.split('=');
    cookie = { name: name!, value: value.join('=') };
    browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens the PDF in the viewer; resolves with what its toolbar says once the pages are laid out. */
  async function openPdf(path: string, artifact: string): Promise<{ title: string; pages: string }> {
    const context = await browser.newContext({ viewport: { width: 900, height: 1200 } });
    await context.addCookies([{ ...cookie, url: base }]);
    const page = await context.newPage();
    const isViewer = (f: { url(): string }) => f.url().startsWith('chrome-extension://');
    const viewerFrame = page.waitForEvent('framenavigated', { predicate: isViewer });
    await page.goto(`${base}${path}`);
    const viewer = page.frames().find(isViewer) ?? (await viewerFrame);
    // PDFium paints the first page's thumbnail after the page itself: ink there, the page is drawn.
    // Polled from here: the viewer's CSP forbids the string evaluation waitForFunction would use.
    const deadline = Date.now() + 15_000;
    while (!(await viewer.evaluate(FIRST_PAGE_INK))) {
      if (Date.now() > deadline) throw new Error(`no ink on the first page of ${path} after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const toolbar: { title: string; pages: string } = await viewer.evaluate(TOOLBAR);
    await page.screenshot({ path: join(ARTIFACTS, artifact) });
    await context.close();
    return toolbar;
  }

  it("opens an estate's sheet: its Chinese title and two pages of stickers", async () => {
    const bar = await openPdf('/api/v1/estates/lianhua/stickers.pdf', 'stickers-lianhua.png');
    expect(bar.title).toContain('莲花花园');
    expect(bar.pages).toMatch(/\b2\b/);
  });

  it("opens one building's sheet: its title names the building, one page", async () => {
    const bar = await openPdf(
      '/api/v1/estates/lianhua/stickers.pdf?building=lianhua-b2',
      'stickers-lianhua-b2.png',
    );
    expect(bar.title).toContain('莲花花园 2栋');
    expect(bar.pages).toMatch(/\b1\b/);
  });
});
