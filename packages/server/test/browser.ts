import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { TEST_PASSWORD } from './factories.ts';

/** Debian's Chromium (the `chromium` package); `STACKS_CHROMIUM` points elsewhere. */
export const CHROMIUM = process.env.STACKS_CHROMIUM ?? '/usr/bin/chromium';

/** Whether a browser is installed (CI installs it; `describe.skipIf(!hasChromium)` elsewhere). */
export const hasChromium = existsSync(CHROMIUM);

/** Why the browser tests are skipped, added to their titles; empty when Chromium is there. */
export const noBrowser = hasChromium
  ? ''
  : ` (skipped: no Chromium at ${CHROMIUM}; install Debian's chromium package or set STACKS_CHROMIUM)`;

/** Where screenshots of end-to-end steps are kept (a CI artifact). */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'screenshots');

/**
 * Logs in to the staff client at `baseUrl` as `username` (password {@link TEST_PASSWORD}) with the
 * keyboard, as a technician would, and takes the first branch offered (Enter). Waits for each page up
 * to `timeout` ms (Playwright's default when not given).
 */
export async function logInToStaffClient(
  page: Page,
  baseUrl: string,
  username: string,
  timeout?: number,
): Promise<void> {
  const wait = timeout === undefined ? {} : { timeout };
  await page.goto(`${baseUrl}/staff/`);
  await page.getByRole('heading', { level: 1, name: 'Staff log-in' }).waitFor(wait);
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(TEST_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Choose the desk’s branch' }).waitFor(wait);
  await page.keyboard.press('Enter');
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background networking). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as `test-artifacts/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** An accessibility problem axe-core found, as tests print it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline scripts) stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
