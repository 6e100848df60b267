import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../src/kernel/actor.ts';
import type { Patron } from '../src/modules/patrons/index.ts';
import type { StaffUser } from '../src/modules/staff/index.ts';
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

interface ApiDispute {
  id: string;
  status: string;
  complaint: string;
  resolution: string | null;
  waivedMinor: number;
  notes: { text: string; author: string }[];
}
interface ApiAccount {
  totals: { balanceMinor: number; outstandingMinor: number; creditMinor: number; disputedMinor: number };
  lines: { kind: string; amountMinor: number; reason: string | null }[];
  disputes: ApiDispute[];
}
interface ApiRole {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}

/**
 * The staff client's account work and role administration end to end, by keyboard: a dispute opened,
 * noted and resolved waived in part (the balance follows), a refund refused for want of credit, a
 * write-off; then roles created with permissions, renamed, refused deletion while assigned, and deleted
 * — each outcome read on screen and from the API.
 */
describe.skipIf(!hasChromium).each(testDialects())(
  `disputes, write-offs, refunds and roles on %s in a real browser${noBrowser}`,
  (dialect) => {
    let server: Awaited<ReturnType<typeof startWebServer>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let lib: TestLibrary;
    let ann: Patron;
    let supervisor: StaffUser;

    async function shot(name: string) {
      if (dialect === testDialects()[0]) await screenshot(page, name);
    }

    async function noSeriousAxeViolations() {
      expect(await seriousAxeViolations(page)).toEqual([]);
    }

    /** A GET on the API with the browser's session (what the server holds now). */
    async function api<T>(path: string): Promise<T> {
      const answer = await page.request.get(`${server.baseUrl}${path}`);
      expect(answer.status()).toBe(200);
      return (await answer.json()) as T;
    }
    const account = () => api<ApiAccount>(`/api/patrons/${ann.id}/account`);
    const roles = () => api<ApiRole[]>('/api/staff/roles');

    /** Focuses a field by its label (within `scope`), replaces its text, then presses Enter. */
    async function typeInto(label: string, text: string, scope: Page | ReturnType<Page['locator']> = page) {
      await scope.getByLabel(label, { exact: true }).focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    }

    /** Focuses a button by its accessible name and presses Enter. */
    async function press(name: string | RegExp, scope: Page | ReturnType<Page['locator']> = page) {
      await scope.getByRole('button', { name, exact: typeof name === 'string' }).focus();
      await page.keyboard.press('Enter');
    }

    async function announced(text: string) {
      await page.getByRole('status').filter({ hasText: text }).first().waitFor();
    }

    async function alerted(text: string) {
      await page.getByRole('alert').filter({ hasText: text }).first().waitFor();
    }

    beforeAll(async () => {
      server = await startWebServer(dialect);
      lib = await makeTestLibrary(server.app);
      supervisor = await makeStaffUser(server.app, 'supervisor', [
        'patrons.read',
        'fines.collect',
        'fines.waive',
        'staff.read',
        'staff.manage',
        // The roles it creates below hold circulation.desk, and nobody grants what they lack.
        'circulation.desk',
      ]);
      await makeStaffUser(server.app, 'clerk', ['patrons.read']);
      ann = await lib.patron('Ann');
      await server.app.services.fines.addFee(systemActor('test'), ann.id, {
        kind: 'damage',
        amountMinor: 500,
        description: 'Torn cover',
      });
      await server.app.services.fines.addFee(systemActor('test'), ann.id, {
        kind: 'printing',
        amountMinor: 300,
        description: 'Colour copies',
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

    it('logs in and opens the patron’s account', async () => {
      await logInToStaffClient(page, server.baseUrl, 'supervisor');
      await page.getByRole('navigation', { name: 'Staff areas' }).waitFor();

      await page.goto(`${server.baseUrl}/staff/patrons/${ann.id}`);
      await page.getByRole('heading', { level: 1, name: 'Ann Tester' }).waitFor();
      await expect.poll(() => page.locator('#account-balance').textContent()).toContain('8.00');
      // Write-off and refund are offered to someone with fines.waive.
      await page.getByRole('heading', { level: 3, name: 'Write off everything owed' }).waitFor();
      await page.getByRole('heading', { level: 3, name: 'Refund credit' }).waitFor();
      await noSeriousAxeViolations();
    });

    it('opens a dispute, adds a note and resolves it waived in part; the balance follows', async () => {
      const copies = (await account()).lines.find((l) => l.kind === 'printing');
      expect(copies?.amountMinor).toBe(300);
      await page.locator('#dispute-charge').selectOption({ label: 'Colour copies (3.00 owed)' });
      await typeInto('What the patron says', 'The copies came out blank');
      await announced('Dispute recorded.');
      const card = page.getByRole('region', { name: 'Open: The copies came out blank' });
      await card.waitFor();
      expect(await card.textContent()).toContain('Printing: Colour copies, 3.00 (3.00 still owed)');
      await card.getByText('No notes yet.').waitFor();

      // A note: refused empty, then added and listed with its author.
      await typeInto('New note', '', card);
      await alerted('Write the note first.');
      await typeInto('New note', 'Patron brought the blank pages', card);
      await announced('Note added.');
      // Listed with its author's name (the API gives the actor: `staff:<id>`).
      await card
        .getByRole('listitem')
        .filter({ hasText: 'Patron brought the blank pages — supervisor, ' })
        .waitFor();
      expect(await card.textContent()).toContain('Notes (1)');
      expect(await card.textContent()).not.toContain('staff:');
      let dispute = (await account()).disputes[0]!;
      expect(dispute.notes.map((n) => [n.text, n.author])).toEqual([
        ['Patron brought the blank pages', `staff:${supervisor.id}`],
      ]);
      await noSeriousAxeViolations();
      await shot('staff-account-dispute-open');

      // Waived in part: chosen with the arrow keys; the amount is asked for, then the resolution note.
      await card.getByRole('radio', { name: 'Upheld: the library keeps the charges' }).focus();
      await page.keyboard.press('ArrowDown');
      expect(await card.getByRole('radio', { name: 'Waive part of the charges' }).isChecked()).toBe(true);
      await typeInto('Resolution note', 'Half the copies were blank', card);
      await alerted('Type the part to waive, for example 1.50.');
      await typeInto('Part to waive', '1.25', card);
      await announced('Dispute resolved: 1.25 waived.');
      await expect.poll(() => page.locator('#account-balance').textContent()).toContain('6.75');

      const closed = page.getByRole('region', { name: 'Waived in part: The copies came out blank' });
      await closed.waitFor();
      expect(await closed.textContent()).toContain('Half the copies were blank');
      expect(await closed.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
      const after = await account();
      dispute = after.disputes[0]!;
      expect(dispute).toMatchObject({
        status: 'waived_part',
        waivedMinor: 125,
        resolution: 'Half the copies were blank',
      });
      expect(after.totals).toMatchObject({ balanceMinor: 675, disputedMinor: 0 });
      await noSeriousAxeViolations();
      await shot('staff-account-dispute-resolved');
    });

    it('refuses a refund when there is no credit, then writes off everything owed', async () => {
      await typeInto('Amount to refund', '1.00');
      await alerted('The patron has no unused credit, so there is nothing to refund.');
      expect((await account()).lines.filter((l) => l.kind === 'refund')).toEqual([]);

      await typeInto('Reason for the write-off', '');
      await alerted('Give the reason for the write-off.');
      expect((await account()).totals.balanceMinor).toBe(675);

      await typeInto('Reason for the write-off', 'Patron moved abroad');
      await announced('Wrote off 6.75. Balance now 0.00.');
      await expect.poll(() => page.locator('#account-balance').textContent()).toContain('0.00');
      const after = await account();
      expect(after.totals).toMatchObject({ balanceMinor: 0, outstandingMinor: 0 });
      const writeOff = after.lines.find((l) => l.kind === 'writeoff');
      expect(writeOff).toMatchObject({ amountMinor: -675, reason: 'Patron moved abroad' });
      // Nothing more to write off: said before sending.
      await typeInto('Reason for the write-off', 'Again');
      await alerted('Nothing is owed, so there is nothing to write off.');
      expect((await account()).lines.filter((l) => l.kind === 'writeoff')).toHaveLength(1);
      await noSeriousAxeViolations();
      await shot('staff-account-written-off');
    });

    it('creates a role with two permissions, renames it, and deletes roles only when unassigned', async () => {
      await page.goto(`${server.baseUrl}/staff/admin/staff`);
      await page.getByRole('heading', { level: 1, name: 'Staff users and roles' }).waitFor();
      await press('Add a role');
      await page.getByRole('heading', { level: 2, name: 'New role' }).waitFor();
      expect(await page.evaluate('document.activeElement?.id')).toBe('role-form-heading');

      // Without a name: refused before sending.
      await typeInto('Role name', '');
      await alerted('Give the role a name.');

      await page.getByRole('checkbox', { name: /^circulation\.desk — / }).focus();
      await page.keyboard.press('Space');
      await page.getByRole('checkbox', { name: /^patrons\.read — / }).focus();
      await page.keyboard.press('Space');
      await page.getByLabel('Description', { exact: true }).focus();
      await page.keyboard.type('Shelving and the desk');
      await noSeriousAxeViolations();
      await shot('staff-admin-role-new');
      await typeInto('Role name', 'Circulation aide');
      await announced('Role Circulation aide created.');
      let aide = (await roles()).find((r) => r.name === 'Circulation aide');
      expect(aide).toMatchObject({
        description: 'Shelving and the desk',
        permissions: ['circulation.desk', 'patrons.read'],
      });
      const list = page.getByRole('region', { name: 'Roles and their permissions' });
      expect(await list.locator('dt').allTextContents()).toContain('Circulation aide');

      // Rename it and change a permission.
      await press('Edit the role Circulation aide');
      await page.getByRole('heading', { level: 2, name: 'Change the role Circulation aide' }).waitFor();
      expect(await page.getByRole('checkbox', { name: /^circulation\.desk — / }).isChecked()).toBe(true);
      await page.getByRole('checkbox', { name: /^patrons\.read — / }).focus();
      await page.keyboard.press('Space');
      await page.getByRole('checkbox', { name: /^fines\.collect — / }).focus();
      await page.keyboard.press('Space');
      await typeInto('Role name', 'Desk aide');
      await announced('Role Desk aide saved.');
      aide = (await roles()).find((r) => r.id === aide?.id);
      expect(aide).toMatchObject({ name: 'Desk aide', permissions: ['circulation.desk', 'fines.collect'] });
      await list.getByText('Desk aide', { exact: true }).waitFor();
      expect(await list.locator('dt').allTextContents()).not.toContain('Circulation aide');

      // A role someone holds: the confirmation, then the API's refusal in words; the role stays.
      await press('Delete the role role for clerk');
      await page.getByText('Delete the role role for clerk?').waitFor();
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Yes, delete');
      await noSeriousAxeViolations();
      await shot('staff-admin-role-confirm');
      await page.keyboard.press('Enter');
      await alerted('The role role for clerk was not deleted:');
      expect(await list.getByRole('alert').textContent()).toMatch(/hold the role role for clerk/);
      expect((await roles()).some((r) => r.name === 'role for clerk')).toBe(true);
      expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe(
        'Delete the role role for clerk',
      );
      await noSeriousAxeViolations();
      await shot('staff-admin-role-refused');

      // Cancel keeps it; confirming deletes an unassigned role.
      await press('Delete the role Desk aide');
      await press('Cancel', list);
      expect((await roles()).some((r) => r.name === 'Desk aide')).toBe(true);
      await press('Delete the role Desk aide');
      await press('Yes, delete', list);
      await announced('Role Desk aide deleted.');
      expect((await roles()).some((r) => r.name === 'Desk aide')).toBe(false);
      expect(await list.locator('dt').allTextContents()).not.toContain('Desk aide');
      await noSeriousAxeViolations();
      await shot('staff-admin-role-deleted');
    });

    it('shows the new forms in Spanish on a phone-sized screen', async () => {
      await page.setViewportSize({ width: 360, height: 800 });
      await page.evaluate("localStorage.setItem('stacks.language', 'es')");
      await page.goto(`${server.baseUrl}/staff/patrons/${ann.id}`);
      await page.getByRole('heading', { level: 3, name: 'Cancelar toda la deuda' }).waitFor();
      await page.getByRole('heading', { level: 3, name: 'Reembolsar crédito' }).waitFor();
      await page.getByRole('region', { name: /^Condonada en parte: / }).waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
      expect(overflow).toBe(false);
      await noSeriousAxeViolations();
      await shot('staff-account-phone-es');
      await page.goto(`${server.baseUrl}/staff/admin/staff`);
      await page.getByRole('button', { name: 'Añadir un rol' }).waitFor();
      await noSeriousAxeViolations();
      await page.evaluate("localStorage.setItem('stacks.language', 'en')");
    });
  },
);
