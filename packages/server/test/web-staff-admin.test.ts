import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
import { makeStaffUser, testActor } from './factories.ts';
import { BROWSER_TEST_TIMEOUT_MS } from './timeouts.ts';
import { startWebServer } from './web-server.ts';

// Browser tests against a real server: see timeouts.ts.
vi.setConfig({ testTimeout: BROWSER_TEST_TIMEOUT_MS });

/**
 * The staff client's administration pages end to end, with the keyboard alone: the circulation rules
 * matrix (add a rule, a refused duplicate, delete with confirmation), the rule explainer, the branch
 * calendar (add a closed day), and the staff list seen by someone who may only read it.
 */
describe.skipIf(!hasChromium).each(testDialects())(
  `staff administration on %s in a real browser${noBrowser}`,
  (dialect) => {
    let server: Awaited<ReturnType<typeof startWebServer>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let lib: TestLibrary;
    let ann: Patron;

    async function shot(name: string) {
      if (dialect === testDialects()[0]) await screenshot(page, name);
    }

    async function noSeriousAxeViolations() {
      expect(await seriousAxeViolations(page)).toEqual([]);
    }

    /** What has the focus: its id, or else its text. */
    async function focused(): Promise<string> {
      return String(
        await page.evaluate(
          'document.activeElement ? (document.activeElement.id || document.activeElement.textContent || "") : ""',
        ),
      );
    }

    /** Presses Tab until the element with this id or text has the focus (fails after 80 presses). */
    async function tabTo(target: string) {
      for (let i = 0; i < 80; i++) {
        if ((await focused()) === target) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached “${target}” (last: “${await focused()}”)`);
    }

    /** Replaces the text of the focused field. */
    async function retype(text: string) {
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(text);
    }

    async function status(text: string | RegExp) {
      await page.getByRole('status').filter({ hasText: text }).first().waitFor({ timeout: 8000 });
    }

    beforeAll(async () => {
      server = await startWebServer(dialect);
      lib = await makeTestLibrary(server.app);
      // boss holds what the admin's role holds, so may give that role (nobody grants what they lack).
      await makeStaffUser(server.app, 'boss', [
        'staff.read',
        'staff.manage',
        'policies.manage',
        'branches.manage',
        'tokens.manage',
      ]);
      await makeStaffUser(server.app, 'admin', [
        'policies.manage',
        'branches.manage',
        'staff.read',
        'tokens.manage',
      ]);
      ann = await lib.patron('Ann');
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
    });

    it('opens Administration from the navigation with the keyboard', async () => {
      await logInToStaffClient(page, server.baseUrl, 'admin');
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();

      await tabTo('Administration');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/staff/admin');
      // The menu shows the pages this account may use.
      const menu = page.getByRole('navigation', { name: 'Administration pages' });
      expect(await menu.getByRole('link').allTextContents()).toEqual([
        'Circulation rules',
        'Branches and calendar',
        'Staff users and roles',
        'Notice templates',
        'API tokens',
      ]);
      await noSeriousAxeViolations();
      await shot('staff-admin-menu');
    });

    it('adds a rule to the matrix, refuses a duplicate, and deletes a rule after confirmation', async () => {
      await tabTo('Circulation rules');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Circulation rules' }).waitFor();
      const rows = page.locator('table.admin-table tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      // Scope shown by name, "any" for null.
      expect(await rows.nth(0).locator('td').first().textContent()).toBe('any');
      expect(await page.locator('table.admin-table').textContent()).toContain('Laptop');
      await noSeriousAxeViolations();
      await shot('staff-admin-rules');

      await tabTo('Add a rule');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'New rule' }).waitFor();
      expect(await focused()).toBe('rule-form-heading');
      await tabTo('rule-itemType');
      await page.keyboard.type('DVD');
      await tabTo('rule-loanPeriod');
      await retype('7');
      await tabTo('rule-finePerUnit');
      await retype('0.10');
      await tabTo('rule-maxFine');
      await retype('3.50');
      await noSeriousAxeViolations();
      await shot('staff-admin-rule-form');
      await page.keyboard.press('Enter');
      await status('Rule added: branch any, category any, item type DVD.');
      await expect.poll(() => rows.count()).toBe(3);
      const dvdRow = rows.filter({ hasText: 'DVD' });
      expect(await dvdRow.locator('td').allTextContents()).toEqual(
        expect.arrayContaining(['any', 'DVD', '7 days', '0.10 / day', '3.50', '5', 'never']),
      );
      // In the database, amounts in minor units.
      const dvd = (await server.app.services.circulation.policies.list()).find((r) => r.itemType === 'DVD');
      expect(dvd).toMatchObject({
        branchId: null,
        patronCategory: null,
        loanPeriod: 7,
        loanUnit: 'days',
        finePerUnitMinor: 10,
        maxFineMinor: 350,
        renewalPeriod: null,
        lostAfterDays: null,
      });

      // The same scope again: the API's message, and nothing more is written.
      await tabTo('Add a rule');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'New rule' }).waitFor();
      await tabTo('rule-itemType');
      await page.keyboard.type('DVD');
      await tabTo('rule-loanPeriod');
      await retype('14');
      await page.keyboard.press('Enter');
      const alert = page.locator('[role="alert"].error-box');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/rule/i);
      expect(await server.app.services.circulation.policies.list()).toHaveLength(3);
      // A loan period that is not a number is caught before sending.
      await tabTo('rule-loanPeriod');
      await retype('seven');
      await page.keyboard.press('Enter');
      await alert.filter({ hasText: '“Loan period” must be a whole number' }).waitFor();
      await shot('staff-admin-rule-error');
      await tabTo('Cancel');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'New rule' }).waitFor({ state: 'detached' });

      // Delete the laptop rule: asks first, the confirm button takes the focus.
      const label = 'Delete the rule for branch any, category any, item type Laptop';
      for (let i = 0; i < 80; i++) {
        if ((await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === label) break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Yes, delete' }).waitFor();
      expect(await focused()).toBe('Yes, delete');
      await page.keyboard.press('Enter');
      await status('Rule deleted: branch any, category any, item type Laptop.');
      await expect.poll(() => rows.count()).toBe(2);
      const left = await server.app.services.circulation.policies.list();
      expect(left.map((r) => r.itemType).sort()).toEqual(['DVD', null].sort());
    });

    it('explains which rule a patron and an item get, with the winner highlighted', async () => {
      // Naming a patron by card needs patrons.read (the explainer is no card-number oracle). The admin's
      // role holds it for this test only, so the other tests' navigation and role grants stay as they are.
      const staff = server.app.services.staff;
      const role = (await staff.listRoles()).find((r) => r.name === 'role for admin')!;
      await staff.updateRole(testActor, role.id, { permissions: [...role.permissions, 'patrons.read'] });
      try {
        await explainPatronAndItem();
      } finally {
        await staff.updateRole(testActor, role.id, { permissions: role.permissions });
      }
    });

    async function explainPatronAndItem() {
      await tabTo('explain-patron');
      await page.keyboard.type(ann.cardBarcode);
      await tabTo('explain-item');
      await page.keyboard.type('3000030');
      await page.keyboard.press('Enter');
      await status('Winning rule: branch any, category any, item type DVD.');
      const winner = page.locator('.candidates > li.winner');
      expect(await winner.count()).toBe(1);
      expect(await winner.textContent()).toContain('item type DVD');
      expect(await page.locator('.candidates > li').count()).toBe(2);
      const facts = await page.locator('.explanation dl').textContent();
      expect(facts).toContain('7 days');
      expect(facts).toContain('per day');
      await noSeriousAxeViolations();
      await shot('staff-admin-explainer');

      // An unknown item: the API's message.
      await tabTo('explain-item');
      await retype('9999999');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'No item has the barcode 9999999' }).waitFor();

      // Change the DVD rule: the form opens with its values, and the change is saved.
      const label = 'Edit the rule for branch any, category any, item type DVD';
      for (let i = 0; i < 80; i++) {
        if ((await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === label) break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Change the rule' }).waitFor({ timeout: 8000 });
      expect(await page.locator('#rule-maxFine').inputValue()).toBe('3.50');
      await tabTo('rule-loanPeriod');
      await retype('10');
      await page.keyboard.press('Enter');
      await status('Rule saved: branch any, category any, item type DVD.');
      const dvd = (await server.app.services.circulation.policies.list()).find((r) => r.itemType === 'DVD');
      expect(dvd).toMatchObject({ loanPeriod: 10, finePerUnitMinor: 10, maxFineMinor: 350 });
      // The table is read again after the save: wait for the row to show the new period.
      await page
        .locator('table.admin-table tbody tr')
        .filter({ hasText: 'DVD' })
        .filter({ hasText: '10 days' })
        .waitFor();
    }

    it('adds a closed day to a branch', async () => {
      await tabTo('← Administration');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      await tabTo('Branches and calendar');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Branches and calendar' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Opening hours of Central' }).waitFor();
      expect(await page.getByLabel('Opens on Monday').inputValue()).toBe('09:00');
      expect(await page.getByLabel('Opens on Sunday').inputValue()).toBe('');
      // Christmas Day, library-wide, is listed.
      await page.getByRole('cell', { name: 'Christmas Day' }).waitFor();
      await noSeriousAxeViolations();
      await shot('staff-admin-branches');

      await tabTo('closed-date');
      await page.keyboard.type('12242026');
      expect(await page.locator('#closed-date').inputValue()).toBe('2026-12-24');
      await tabTo('closed-reason');
      await page.keyboard.type('Christmas Eve');
      await page.keyboard.press('Enter');
      await status(/Closed day added: .*Christmas Eve/);
      await page.getByRole('cell', { name: 'Christmas Eve' }).waitFor({ timeout: 8000 });
      const days = await server.app.services.branches.listClosedDays({ branchId: lib.central.id });
      expect(days.find((d) => d.reason === 'Christmas Eve')).toMatchObject({
        branchId: lib.central.id,
        date: '2026-12-24',
      });
      // The same day again: the API says why not.
      await tabTo('closed-date');
      await page.keyboard.type('12242026');
      await tabTo('closed-reason');
      await page.keyboard.type('Again');
      await page.keyboard.press('Enter');
      await page.locator('[role="alert"].error-box').waitFor({ timeout: 8000 });
      expect(
        (await server.app.services.branches.listClosedDays({ branchId: lib.central.id })).filter(
          (d) => d.date === '2026-12-24',
        ),
      ).toHaveLength(1);
      await noSeriousAxeViolations();
      await shot('staff-admin-closed-day');
    });

    it('lists staff users read-only without staff.manage', async () => {
      await tabTo('← Administration');
      await page.keyboard.press('Enter');
      await tabTo('Staff users and roles');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Staff users and roles' }).waitFor();
      await page.getByRole('cell', { name: 'role for admin' }).waitFor();
      expect(await page.getByText('changing staff users needs the permission “staff.manage”').count()).toBe(
        1,
      );
      expect(await page.getByRole('button', { name: /^Deactivate/ }).count()).toBe(0);
      await noSeriousAxeViolations();
      await shot('staff-admin-staff');
    });

    it('edits a notice template and previews it', async () => {
      await tabTo('← Administration');
      await page.keyboard.press('Enter');
      await tabTo('Notice templates');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Notice templates' }).waitFor();
      await page.getByRole('cell', { name: 'Courtesy reminder' }).first().waitFor();
      await noSeriousAxeViolations();
      await shot('staff-admin-notices');

      const label = 'Edit the template Courtesy reminder (en)';
      for (let i = 0; i < 80; i++) {
        if ((await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === label) break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Courtesy reminder (en)' }).waitFor();
      await tabTo('template-subject');
      await retype('Due soon at the library');
      await tabTo('Preview');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 3, name: 'Preview with sample data' }).waitFor();
      expect(await page.locator('.notice-preview').textContent()).toContain('Due soon at the library');
      await tabTo('Save');
      await page.keyboard.press('Enter');
      await status('Template Courtesy reminder (en) saved.');
      const saved = (await server.app.services.notices.listTemplates()).find(
        (tpl) => tpl.kind === 'courtesy' && tpl.language === 'en',
      );
      expect(saved).toMatchObject({ subject: 'Due soon at the library', source: 'custom' });
      await noSeriousAxeViolations();
      await shot('staff-admin-notice-edit');
    });

    it('creates an API token, shows its secret once, and revokes it', async () => {
      await tabTo('← Administration');
      await page.keyboard.press('Enter');
      await tabTo('API tokens');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
      await tabTo('token-name');
      await page.keyboard.type('self-check kiosk 2');
      await tabTo('token-days');
      await page.keyboard.type('30');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'The secret of self-check kiosk 2' }).waitFor();
      expect(await focused()).toBe('secret-heading');
      const secret = await page.locator('#token-secret').inputValue();
      expect(secret.length).toBeGreaterThan(20);
      // The secret works as a bearer token.
      const me = await fetch(`${server.baseUrl}/api/auth/me`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(me.status).toBe(200);
      await noSeriousAxeViolations();
      await shot('staff-admin-token-secret');

      await tabTo('I have copied it');
      await page.keyboard.press('Enter');
      expect(await page.locator('#token-secret').count()).toBe(0);
      const label = 'Revoke the token self-check kiosk 2';
      for (let i = 0; i < 80; i++) {
        if ((await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === label) break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      expect(await focused()).toBe('Yes, revoke');
      await page.keyboard.press('Enter');
      await status('Token self-check kiosk 2 revoked.');
      const after = await fetch(`${server.baseUrl}/api/auth/me`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(after.status).toBe(401);
      await noSeriousAxeViolations();
      await shot('staff-admin-tokens');
    });

    it('creates a staff user, changes their roles and deactivates them with staff.manage', async () => {
      // A second browser session for a staff member who may change staff users.
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logInToStaffClient(page, server.baseUrl, 'boss', 8000);
      await tabTo('Administration');
      await page.keyboard.press('Enter');
      await tabTo('Staff users and roles');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Staff users and roles' }).waitFor({ timeout: 8000 });

      await tabTo('new-username');
      await page.keyboard.type('carla');
      await tabTo('new-displayName');
      await page.keyboard.type('Carla Ruiz');
      await tabTo('new-password');
      await page.keyboard.type('a long enough passphrase');
      await page.keyboard.press('Enter');
      await status('Staff user Carla Ruiz created.');
      const carla = (await server.app.services.staff.listUsers()).find((u) => u.username === 'carla');
      expect(carla).toMatchObject({ displayName: 'Carla Ruiz', isActive: true, roleIds: [] });

      // Give Carla the admin's role.
      const adminRole = (await server.app.services.staff.listRoles()).find(
        (r) => r.name === 'role for admin',
      );
      let label = 'Change the roles of Carla Ruiz';
      for (let i = 0; i < 80; i++) {
        if ((await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === label) break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Roles of Carla Ruiz' }).waitFor({ timeout: 8000 });
      await tabTo(`edit-role-${adminRole?.id}`);
      await page.keyboard.press('Space');
      await tabTo('Save the roles');
      await page.keyboard.press('Enter');
      await status('Roles of Carla Ruiz saved.');
      expect(
        (await server.app.services.staff.listUsers()).find((u) => u.username === 'carla')?.roleIds,
      ).toEqual([adminRole?.id]);
      await noSeriousAxeViolations();
      await shot('staff-admin-staff-manage');

      label = 'Deactivate Carla Ruiz';
      for (let i = 0; i < 80; i++) {
        if ((await page.evaluate('document.activeElement?.getAttribute("aria-label")')) === label) break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await status('Carla Ruiz deactivated: they can no longer log in.');
      expect(
        (await server.app.services.staff.listUsers()).find((u) => u.username === 'carla')?.isActive,
      ).toBe(false);
      // A user name taken: the API's message.
      await tabTo('new-username');
      await page.keyboard.type('carla');
      await tabTo('new-displayName');
      await page.keyboard.type('Another Carla');
      await tabTo('new-password');
      await page.keyboard.type('a long enough passphrase');
      await page.keyboard.press('Enter');
      await page.locator('[role="alert"].error-box').waitFor({ timeout: 8000 });
      expect(
        (await server.app.services.staff.listUsers()).filter((u) => u.username === 'carla'),
      ).toHaveLength(1);

      // On a phone.
      await page.setViewportSize({ width: 360, height: 800 });
      await noSeriousAxeViolations();
      await shot('staff-admin-staff-phone');
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  },
);
