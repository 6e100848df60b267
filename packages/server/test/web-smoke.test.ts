import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasChromium, launchBrowser, noBrowser, screenshot, seriousAxeViolations } from './browser.ts';
import { BROWSER_TEST_TIMEOUT_MS } from './timeouts.ts';
import { startWebServer } from './web-server.ts';

// Browser tests against a real server: see timeouts.ts.
vi.setConfig({ testTimeout: BROWSER_TEST_TIMEOUT_MS });

describe.skipIf(!hasChromium)(`the web clients in a real browser${noBrowser}`, () => {
  let server: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the public catalog and the staff client, built from packages/web', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBeTruthy();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'smoke-opac');
    await page.goto(`${server.baseUrl}/staff/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBeTruthy();
    await page.close();
  });
});
