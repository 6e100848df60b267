import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../src/kernel/actor.ts';
import type { Patron } from '../src/modules/patrons/index.ts';
import { hasChromium, launchBrowser, noBrowser, screenshot, seriousAxeViolations } from './browser.ts';
import { makeTestLibrary, type TestLibrary } from './circulation-fixture.ts';
import { testDialects } from './dialects.ts';
import { makeStaffUser, TEST_PASSWORD } from './factories.ts';
import { BROWSER_TEST_TIMEOUT_MS } from './timeouts.ts';
import { startWebServer } from './web-server.ts';

// Browser tests against a real server: see timeouts.ts.
vi.setConfig({ testTimeout: BROWSER_TEST_TIMEOUT_MS });

/**
 * The staff client end to end: a real server, real Chromium, and the desk driven the way a barcode
 * scanner drives it — typed digits and Enter, never a click.
 */
describe.skipIf(!hasChromium).each(testDialects())(
  `the staff client on %s in a real browser${noBrowser}`,
  (dialect) => {
    let server: Awaited<ReturnType<typeof startWebServer>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let lib: TestLibrary;
    let ann: Patron;
    let bob: Patron;

    /** Types like a scanner: the code, then Enter. */
    async function scan(code: string) {
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
    }

    /** Waits until the element with this id has the focus (fails the test if it never does). */
    async function hasFocus(id: string) {
      // Polled through the DevTools protocol: the page's CSP forbids the string evaluation waitForFunction uses.
      await expect
        .poll(() => page.evaluate('document.activeElement && document.activeElement.id'), { timeout: 5000 })
        .toBe(id);
    }

    /** Waits until `selector` matches `n` elements. */
    async function countIs(selector: string, n: number) {
      await expect.poll(() => page.locator(selector).count(), { timeout: 10_000 }).toBe(n);
    }

    async function scanFieldHasFocus() {
      await hasFocus('scan-field');
    }

    async function printCount(): Promise<number> {
      return page.evaluate(() => (globalThis as unknown as { printed?: number }).printed ?? 0);
    }

    /** Screenshots of each step (from the first dialect only: the pages look the same on both). */
    async function shot(name: string) {
      if (dialect === testDialects()[0]) await screenshot(page, name);
    }

    async function noSeriousAxeViolations() {
      expect(await seriousAxeViolations(page)).toEqual([]);
    }

    beforeAll(async () => {
      server = await startWebServer(dialect);
      lib = await makeTestLibrary(server.app);
      await makeStaffUser(server.app, 'desk', [
        'circulation.desk',
        'patrons.read',
        'patrons.manage',
        'circulation.override',
      ]);
      ann = await lib.patron('Ann');
      bob = await lib.patron('Bob');
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      // Printing opens no dialog in a test: count the calls instead.
      await context.addInitScript(() => {
        const g = globalThis as unknown as { printed: number; print: () => void };
        g.printed = 0;
        g.print = () => {
          g.printed++;
        };
      });
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
    });

    it('logs in and chooses the desk’s branch with the keyboard', async () => {
      await page.goto(`${server.baseUrl}/staff/`);
      await page.getByRole('heading', { level: 1, name: 'Staff log-in' }).waitFor();
      await noSeriousAxeViolations();
      await shot('staff-login');

      // A wrong password: the API's message, and nothing else happens.
      await page.keyboard.type('desk');
      await page.keyboard.press('Tab');
      await page.keyboard.type('not the password');
      await page.keyboard.press('Enter');
      await page
        .getByRole('alert')
        .filter({ hasText: /password/i })
        .waitFor();

      await page.keyboard.type(TEST_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Choose the desk’s branch' }).waitFor();
      await noSeriousAxeViolations();
      await shot('staff-branch');
      // Branches are listed by name and the first has the focus: Enter picks Central.
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Circulation desk: Check out' }).waitFor();
      await scanFieldHasFocus();
      expect(await page.evaluate("localStorage.getItem('stacks.staff.branch')")).toBe(lib.central.id);
      expect(await page.getByText('Branch: Central').count()).toBe(1);
      // The shortcuts are listed on screen.
      const shortcuts = await page.getByRole('complementary', { name: 'Keyboard shortcuts' }).textContent();
      for (const key of ['F2', 'F3', 'F8', 'F9', 'Esc']) expect(shortcuts).toContain(key);
      await noSeriousAxeViolations();
      await shot('staff-desk-empty');
    });

    it('checks out by scanning a card and items; a refused item says why and keeps the focus', async () => {
      await scan(ann.cardBarcode);
      await page.getByRole('heading', { level: 2, name: 'Ann Tester' }).waitFor();
      expect(await page.getByRole('status').first().textContent()).toContain('Patron: Ann Tester');
      await scanFieldHasFocus();
      expect(await page.getByLabel('Scan item to check out').count()).toBe(1);
      await shot('staff-desk-patron');

      // Three scans as fast as a scanner sends them; they are handled in order.
      await scan('3000001');
      await scan('3000002');
      await scan('3000030');
      const done = page
        .getByRole('region', { name: 'Checked out in this transaction' })
        .getByRole('listitem');
      await countIs('.done-list li', 3);
      const loans = await server.app.services.circulation.circulation.loansOf(ann.id, 'current');
      expect(loans.map((l) => l.itemBarcode).sort()).toEqual(['3000001', '3000002', '3000030']);
      for (const [i, barcode] of ['3000001', '3000002', '3000030'].entries()) {
        const row = done.nth(i);
        const loan = loans.find((l) => l.itemBarcode === barcode)!;
        expect(await row.textContent()).toContain(barcode);
        expect(await row.textContent()).toContain(loan.title);
        expect(await row.locator('time').getAttribute('datetime')).toBe(loan.dueAt);
        expect(await row.textContent()).toMatch(/Due .*20\d\d/);
      }
      expect(await page.getByRole('status').first().textContent()).toContain('Checked out: A film');
      await scanFieldHasFocus();
      // The patron's loan list caught up, each with its due date.
      await countIs('.patron-summary tbody tr', 3);
      await noSeriousAxeViolations();
      await shot('staff-desk-checked-out');

      // A reference book: refused, with the refusal's own words; the focus stays in the scan field.
      await scan('3000010');
      const alert = page.getByRole('alert').filter({ hasText: 'Not checked out: 3000010' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain('An atlas is for use in the library only (REF)');
      await scanFieldHasFocus();
      expect(await page.locator('.done-list li').count()).toBe(3);
      await noSeriousAxeViolations();
      await shot('staff-desk-refused');

      // The staff member holds circulation.override: F8, a reason, Enter.
      await page.keyboard.press('F8');
      await hasFocus('override-reason');
      await shot('staff-desk-override');
      await page.keyboard.type('Needed for a class in the reading room');
      await page.keyboard.press('Enter');
      await countIs('.done-list li', 4);
      expect(await done.nth(3).textContent()).toContain('An atlas');
      expect(await done.nth(3).textContent()).toContain('overridden');
      await scanFieldHasFocus();

      // Renew from the loan list (keyboard: the button, then Enter); the focus comes back to the scan field.
      await page.getByRole('button', { name: 'Renew A film' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Renewed: A film' }).waitFor();
      await scanFieldHasFocus();

      // F9: the due-date receipt, printed.
      await page.keyboard.press('F9');
      const receipt = page.getByRole('region', { name: 'Receipt (as printed)' });
      await receipt.waitFor();
      const text = await receipt.textContent();
      expect(text).toContain('Due-date receipt');
      expect(text).toContain('Ann Tester');
      for (const title of ['A novel', 'A film', 'An atlas']) expect(text).toContain(title);
      expect(text).toContain('Items: 4');
      expect(await printCount()).toBe(1);
      await scanFieldHasFocus();
      await noSeriousAxeViolations();
      await shot('staff-desk-receipt');

      // A library card scanned where an item is expected: the next patron, without Esc.
      await scan(bob.cardBarcode);
      await page.getByRole('heading', { level: 2, name: 'Bob Tester' }).waitFor();
      expect(await page.locator('.done-list li').count()).toBe(0);
      await scanFieldHasFocus();

      // Esc: the next patron.
      await page.keyboard.press('Escape');
      await page.getByRole('heading', { level: 2, name: 'No patron yet' }).waitFor();
      await scanFieldHasFocus();
    });

    it('checks in returns continuously: a hold is trapped with a hold slip, a stranger goes in transit', async () => {
      await server.app.services.circulation.holds.place(systemActor('test'), {
        patronId: bob.id,
        recordId: lib.records.novel,
        pickupBranchId: lib.central.id,
      });
      await page.keyboard.press('F3');
      await page.getByRole('heading', { level: 1, name: 'Circulation desk: Check in' }).waitFor();
      await scanFieldHasFocus();

      await scan('3000001');
      const first = page.locator('.return-list li').first();
      await first.waitFor();
      expect(await first.textContent()).toMatch(
        /Hold shelf: for Bob Tester \(2000002\), keep until .*20\d\d/,
      );
      expect(await first.textContent()).toContain('Returned by Ann Tester');
      const slip = page.getByRole('region', { name: 'Hold slip' });
      await slip.waitFor();
      const slipText = await slip.textContent();
      expect(slipText).toContain('HOLD');
      expect(slipText).toContain('Bob Tester');
      expect(slipText).toContain('Card 2000002');
      expect(slipText).toMatch(/Keep until .*20\d\d/);
      expect(slipText).toContain('Pick up at Central');
      expect(slipText).toContain('A novel');
      expect(slipText).toContain('Item 3000001');
      await scanFieldHasFocus();
      await page.keyboard.press('F9');
      expect(await printCount()).toBe(2);
      // What the printer gets is the same slip.
      expect(await page.locator('.print-sheet').textContent()).toContain('Bob Tester');
      await noSeriousAxeViolations();
      await shot('staff-checkin-hold-slip');

      // A Lakeside DVD returned at Central: transit to Lakeside, with a transit slip.
      await scan('3000030');
      await countIs('.return-list li', 2);
      expect(await page.locator('.return-list li').first().textContent()).toContain('Transit to Lakeside');
      const transit = page.getByRole('region', { name: 'Transit slip' });
      await transit.waitFor();
      expect(await transit.textContent()).toContain('To: Lakeside');
      expect(await transit.textContent()).toContain('From: Central');

      // A barcode nobody has: the API's message; the focus stays.
      await scan('9999999');
      await page.getByRole('alert').filter({ hasText: 'No item has the barcode 9999999' }).waitFor();
      await scanFieldHasFocus();
      await noSeriousAxeViolations();
      await shot('staff-checkin-transit');
      // The hold is on the shelf for Bob.
      const holds = await server.app.services.circulation.holds.ofPatron(bob.id);
      expect(holds[0]?.status).toBe('ready');
    });

    it('registers a patron after a duplicate warning, by keyboard', async () => {
      await page.goto(`${server.baseUrl}/staff/patrons/new`);
      await page.getByRole('heading', { level: 1, name: 'Register a patron' }).waitFor();
      await page.getByLabel('Category').locator('option').first().waitFor({ state: 'attached' });
      await noSeriousAxeViolations();
      await page.keyboard.press('Tab');
      await page.keyboard.type('Ann');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Tester');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.type('ann@example.org');
      await page.keyboard.press('Enter');

      const warning = page.getByRole('region', { name: 'This may be someone already registered' });
      await warning.waitFor();
      expect(await warning.textContent()).toContain('Ann Tester');
      expect(await warning.textContent()).toContain(ann.cardBarcode);
      expect((await server.app.services.patrons.search({ q: 'Ann Tester' })).total).toBe(1);
      await noSeriousAxeViolations();
      await shot('staff-register-duplicate');

      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe(
        'Register anyway',
      );
      await page.keyboard.press('Enter');
      await page.getByText(/Registered\. Library card: /).waitFor();
      await page.getByRole('heading', { level: 1, name: 'Ann Tester' }).waitFor();
      expect((await server.app.services.patrons.search({ q: 'Ann Tester' })).total).toBe(2);
      await noSeriousAxeViolations();
      await shot('staff-patron-registered');

      // From the new patron's page straight to the desk, with the new card ready.
      const card = (await server.app.services.patrons.search({ q: 'Ann Tester' })).patrons.find(
        (p) => p.id !== ann.id,
      )!.cardBarcode;
      await page.getByRole('button', { name: 'Check out to this patron' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Ann Tester' }).waitFor();
      expect(await page.locator('.patron-summary').textContent()).toContain(card);
      await scanFieldHasFocus();

      await page.goto(`${server.baseUrl}/staff/patrons?q=Tester`);
      await page.getByText('3 patron(s) found for “Tester”.').waitFor();
      await noSeriousAxeViolations();
      await shot('staff-patron-search');
    });

    it('lists the hold shelf, finds a record in the catalog, and speaks Spanish', async () => {
      await page.goto(`${server.baseUrl}/staff/holds`);
      await page.getByRole('heading', { level: 1, name: 'Holds at Central' }).waitFor();
      const shelf = page.getByRole('table', { name: 'Holds ready for pickup' });
      await shelf.waitFor();
      expect(await shelf.textContent()).toContain('Bob Tester');
      await noSeriousAxeViolations();
      await shot('staff-holds');

      await page.goto(`${server.baseUrl}/staff/catalog?q=novel`);
      const hit = page.getByRole('link', { name: 'A novel' });
      await hit.waitFor();
      await noSeriousAxeViolations();
      await shot('staff-catalog-search');
      await hit.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'A novel' }).waitFor();
      const copies = await page.getByRole('region', { name: 'Copies (3)' }).textContent();
      expect(copies).toContain('3000001');
      expect(copies).toContain('on the hold shelf');
      await noSeriousAxeViolations();
      await shot('staff-catalog-record');

      await page.getByLabel('Language').selectOption('es');
      await page.getByRole('heading', { level: 2, name: 'Ejemplares (3)' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('es');
      await page.goto(`${server.baseUrl}/staff/`);
      await page.getByRole('heading', { level: 1, name: 'Mostrador de préstamo: Préstamo' }).waitFor();
      await noSeriousAxeViolations();
      await page.getByLabel('Idioma').selectOption('en');

      // A phone-sized screen.
      await page.setViewportSize({ width: 360, height: 780 });
      await page.getByRole('heading', { level: 1, name: 'Circulation desk: Check out' }).waitFor();
      await noSeriousAxeViolations();
      await shot('staff-desk-phone');
    });
  },
);
