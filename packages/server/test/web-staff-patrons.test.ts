import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../src/kernel/actor.ts';
import type { Patron } from '../src/modules/patrons/index.ts';
import {
  hasChromium,
  launchBrowser,
  logInToStaffClient,
  noBrowser,
  screenshot,
  seriousAxeViolations,
} from './browser.ts';
import { makeTestLibrary, type TestLibrary } from './circulation-fixture.ts';
import { testDialects } from './dialects.ts';
import { makeStaffUser } from './factories.ts';
import { BROWSER_TEST_TIMEOUT_MS } from './timeouts.ts';
import { startWebServer } from './web-server.ts';

// Browser tests against a real server: see timeouts.ts.
vi.setConfig({ testTimeout: BROWSER_TEST_TIMEOUT_MS });

/**
 * The staff client's patron record end to end, by keyboard: the account (a partial payment with its
 * receipt, a waiver of the rest), manual blocks, membership renewal and holds — each result announced
 * and checked in the database too.
 */
describe.skipIf(!hasChromium).each(testDialects())(
  `the patron record on %s in a real browser${noBrowser}`,
  (dialect) => {
    let server: Awaited<ReturnType<typeof startWebServer>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let lib: TestLibrary;
    let ann: Patron;

    const db = () => server.app.database.db;

    /** Screenshots of each step (from the first dialect only: the pages look the same on both). */
    async function shot(name: string) {
      if (dialect === testDialects()[0]) await screenshot(page, name);
    }

    async function noSeriousAxeViolations() {
      expect(await seriousAxeViolations(page)).toEqual([]);
    }

    /** Ann's balance as the ledger has it: the sum of all her lines, in minor units. */
    async function balanceInDatabase(): Promise<number> {
      const lines = await db()
        .selectFrom('account_lines')
        .select('amount_minor')
        .where('patron_id', '=', ann.id)
        .execute();
      return lines.reduce((sum, l) => sum + Number(l.amount_minor), 0);
    }

    async function expiresOn(): Promise<string> {
      const row = await db()
        .selectFrom('patrons')
        .select('expires_on')
        .where('id', '=', ann.id)
        .executeTakeFirstOrThrow();
      return String(row.expires_on);
    }

    /** Focuses a field by its label and types into it (replacing what was there), then presses Enter. */
    async function typeInto(label: string, text: string) {
      await page.getByLabel(label, { exact: true }).focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    }

    /** Waits for a live-region message (status) containing `text`. */
    async function announced(text: string) {
      await page.getByRole('status').filter({ hasText: text }).first().waitFor();
    }

    async function alerted(text: string) {
      await page.getByRole('alert').filter({ hasText: text }).first().waitFor();
    }

    beforeAll(async () => {
      server = await startWebServer(dialect);
      lib = await makeTestLibrary(server.app);
      await makeStaffUser(server.app, 'clerk', [
        'patrons.read',
        'patrons.manage',
        'circulation.desk',
        'fines.collect',
        'fines.waive',
      ]);
      ann = await lib.patron('Ann');
      await server.app.services.fines.addFee(systemActor('test'), ann.id, {
        kind: 'damage',
        amountMinor: 500,
        description: 'Coffee on the pages',
      });
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
    });

    it('logs in, opens the patron and shows the account', async () => {
      await logInToStaffClient(page, server.baseUrl, 'clerk');
      await page.getByRole('heading', { level: 1, name: 'Circulation desk: Check out' }).waitFor();

      await page.goto(`${server.baseUrl}/staff/patrons?q=Ann`);
      const link = page.getByRole('link', { name: 'Ann Tester' });
      await link.waitFor();
      await link.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Ann Tester' }).waitFor();
      const account = page.getByRole('region', { name: 'Fines and fees' });
      await expect.poll(() => account.locator('#account-balance').textContent()).toContain('5.00');
      expect(await account.textContent()).toContain('Coffee on the pages');
      await noSeriousAxeViolations();
      await shot('staff-patron-account');
    });

    it('refuses an amount that is not a number, then takes a partial payment with a receipt', async () => {
      await typeInto('Amount', 'two euros');
      await alerted('“two euros” is not an amount');
      expect(await balanceInDatabase()).toBe(500);
      await noSeriousAxeViolations();
      await shot('staff-patron-bad-amount');

      // A double press pays once: the answer is held back until both presses are in, so the second
      // either finds the button busy or resends the same idempotency key.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let sent = 0;
      await page.route('**/api/patrons/*/payments', async (route) => {
        sent++;
        await held;
        await route.continue();
      });
      await page.getByLabel('Amount', { exact: true }).focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type('2.00');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await expect.poll(() => sent).toBeGreaterThan(0);
      release();
      await announced('Payment of 2.00 taken');
      await page.unroute('**/api/patrons/*/payments');
      await expect.poll(() => page.locator('#account-balance').textContent()).toContain('3.00');
      expect(await balanceInDatabase()).toBe(300);
      const payments = await db()
        .selectFrom('account_lines')
        .selectAll()
        .where('patron_id', '=', ann.id)
        .where('kind', '=', 'payment')
        .execute();
      expect(payments).toHaveLength(1);
      expect(Number(payments[0]!.amount_minor)).toBe(-200);

      // The receipt opens as a PDF for the signed-in staff member.
      const receipt = page.getByRole('link', { name: 'Print the receipt (opens a new tab)' });
      const href = await receipt.getAttribute('href');
      expect(href).toBe(`/api/payments/${payments[0]!.id}/receipt.pdf`);
      const pdf = await page.request.get(`${server.baseUrl}${href}`);
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toContain('application/pdf');
      await noSeriousAxeViolations();
      await shot('staff-patron-paid');
    });

    it('waives the rest only with a reason', async () => {
      await page.getByLabel('Reason', { exact: true }).focus();
      await page.keyboard.press('Enter');
      await alerted('Give the reason for the waiver.');
      expect(await balanceInDatabase()).toBe(300);

      await typeInto('Reason', 'First offence');
      await announced('Waived 3.00. Balance now 0.00.');
      await expect.poll(() => page.locator('#account-balance').textContent()).toContain('0.00');
      expect(await balanceInDatabase()).toBe(0);
      const waiver = await db()
        .selectFrom('account_lines')
        .selectAll()
        .where('patron_id', '=', ann.id)
        .where('kind', '=', 'waiver')
        .executeTakeFirstOrThrow();
      expect(waiver.reason).toBe('First offence');
      await noSeriousAxeViolations();
      await shot('staff-patron-waived');
    });

    it('asks for an amount when none is typed', async () => {
      await typeInto('Amount', '');
      await alerted('Type the amount paid');
      expect(await balanceInDatabase()).toBe(0);
    });

    it('adds a manual block with a reason and lifts it', async () => {
      await typeInto('Reason for a new block', 'Unpaid damage');
      await announced('Block added.');
      const blocks = page.getByRole('region', { name: 'Manual blocks' });
      await blocks.getByRole('button', { name: 'Lift block: Unpaid damage' }).waitFor();
      const row = await db()
        .selectFrom('patron_blocks')
        .selectAll()
        .where('patron_id', '=', ann.id)
        .executeTakeFirstOrThrow();
      expect(row.reason).toBe('Unpaid damage');
      expect(row.lifted_at).toBeNull();
      // The desk summary shows it too.
      await expect.poll(() => page.locator('.patron-summary').textContent()).toContain('Unpaid damage');
      await noSeriousAxeViolations();
      await shot('staff-patron-blocked');

      await blocks.getByRole('button', { name: 'Lift block: Unpaid damage' }).focus();
      await page.keyboard.press('Enter');
      await announced('Block lifted: Unpaid damage.');
      await blocks.getByText('No manual blocks.').waitFor();
      const lifted = await db()
        .selectFrom('patron_blocks')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      expect(lifted.lifted_at).not.toBeNull();
      await noSeriousAxeViolations();
      await shot('staff-patron-unblocked');
    });

    it('renews the membership and places, suspends, resumes and cancels a hold', async () => {
      // Due to expire within the month (a renewal reaches one period from today, no further).
      const soon = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
      await db().updateTable('patrons').set({ expires_on: soon }).where('id', '=', ann.id).execute();
      const before = await expiresOn();
      await page.getByRole('button', { name: 'Renew membership' }).focus();
      await page.keyboard.press('Enter');
      await announced('Membership renewed until');
      const after = await expiresOn();
      expect(after > before).toBe(true);
      // The client sent an idempotency key with the renewal.
      const renewal = await db()
        .selectFrom('audit_log')
        .select('changes')
        .where('entity_id', '=', ann.id)
        .where('action', '=', 'patron.renewed')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(String(renewal.changes)).idempotencyKey).toMatch(/^staff-[0-9a-f]{32}$/);

      // A record id that does not exist: the API's message.
      await typeInto('Record id', 'no-such-record');
      await page
        .getByRole('region', { name: /^Holds/ })
        .getByRole('alert')
        .filter({ hasText: /./ })
        .waitFor();

      await typeInto('Record id', lib.records.novel);
      await announced('Hold placed on');
      const holds = page.getByRole('region', { name: /^Holds/ });
      await holds.getByRole('button', { name: /^Suspend / }).focus();
      await page.keyboard.press('Enter');
      await announced('suspended.');
      await holds.getByRole('button', { name: /^Resume / }).focus();
      await page.keyboard.press('Enter');
      await announced('resumed.');
      await holds.getByRole('button', { name: /^Cancel hold on / }).focus();
      await page.keyboard.press('Enter');
      await announced('cancelled.');
      const hold = await db()
        .selectFrom('holds')
        .selectAll()
        .where('patron_id', '=', ann.id)
        .executeTakeFirstOrThrow();
      expect(hold.status).toBe('cancelled');
      await noSeriousAxeViolations();
      await shot('staff-patron-holds');
    });

    it('records a dispute about a charge', async () => {
      await server.app.services.fines.addFee(systemActor('test'), ann.id, {
        kind: 'printing',
        amountMinor: 125,
        description: 'Colour copies',
      });
      await page.reload();
      await expect.poll(() => page.locator('#account-balance').textContent()).toContain('1.25');
      await page.getByLabel('What the patron says', { exact: true }).focus();
      await page.keyboard.press('Enter');
      await alerted('Write down what the patron says');
      await typeInto('What the patron says', 'The printer jammed');
      await announced('Dispute recorded.');
      await page.getByText('Open: The printer jammed').waitFor();
      const dispute = await db()
        .selectFrom('disputes')
        .selectAll()
        .where('patron_id', '=', ann.id)
        .executeTakeFirstOrThrow();
      expect(dispute.complaint).toBe('The printer jammed');
      await noSeriousAxeViolations();
      await shot('staff-patron-disputed');
    });

    it('edits the contact details and replaces the card', async () => {
      await typeInto('Phone', '555-0100');
      await announced('Details saved.');
      const row = await db()
        .selectFrom('patrons')
        .select(['phone', 'email'])
        .where('id', '=', ann.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ phone: '555-0100', email: 'ann@example.org' });

      // A card barcode another patron has: the API's message, and Ann keeps her card.
      await lib.patron('Bob', { cardBarcode: '2999999' });
      await typeInto('New card barcode', '2999999');
      await page
        .getByRole('region', { name: 'Membership and card' })
        .getByRole('alert')
        .filter({ hasText: /./ })
        .waitFor();
      await typeInto('New card barcode', '2888888');
      await announced('New card 2888888 issued');
      const card = await db()
        .selectFrom('patrons')
        .select('card_barcode')
        .where('id', '=', ann.id)
        .executeTakeFirstOrThrow();
      expect(card.card_barcode).toBe('2888888');
      const pdf = page.getByRole('link', { name: 'Print the card (opens a new tab)' });
      const answer = await page.request.get(`${server.baseUrl}${await pdf.getAttribute('href')}`);
      expect(answer.headers()['content-type']).toContain('application/pdf');
      await noSeriousAxeViolations();
      await shot('staff-patron-card');
    });

    it('places a hold by card barcode on the holds page', async () => {
      await page.goto(`${server.baseUrl}/staff/holds`);
      await page.getByRole('heading', { level: 2, name: 'Place a hold' }).waitFor();
      await page.getByLabel('Patron card barcode', { exact: true }).focus();
      await page.keyboard.type('2888888');
      await page.keyboard.press('Tab');
      await page.keyboard.type(lib.records.film);
      await page.keyboard.press('Enter');
      await announced('Hold placed on');
      const holds = await db()
        .selectFrom('holds')
        .selectAll()
        .where('patron_id', '=', ann.id)
        .where('status', '=', 'waiting')
        .execute();
      expect(holds.map((h) => h.record_id)).toEqual([lib.records.film]);
      await noSeriousAxeViolations();
      await shot('staff-patron-hold-placed');
      await page.goto(`${server.baseUrl}/staff/patrons/${ann.id}`);
      await page.getByRole('heading', { level: 1, name: 'Ann Tester' }).waitFor();
    });

    it('works on a phone-sized screen and in Spanish', async () => {
      await page.setViewportSize({ width: 360, height: 800 });
      await page.evaluate("localStorage.setItem('stacks.language', 'es')");
      await page.reload();
      await page.getByRole('heading', { level: 2, name: 'Multas y cargos' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Bloqueos manuales' }).waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
      expect(overflow).toBe(false);
      await noSeriousAxeViolations();
      await shot('staff-patron-phone-es');
    });
  },
);
