import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../src/kernel/actor.ts';
import { DAMAGED, storeAsIs } from '../src/modules/catalog/export.test-support.ts';
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

/** Real MARC files (see testdata/marc/SOURCES.md for their origin and record counts). */
const MARC = fileURLToPath(new URL('../../../testdata/marc/', import.meta.url));
/** 500 French books, ISO 2709 in MARC-8. */
const LUL_FRE_500 = join(MARC, 'evergreen', 'lul_fre_500.mrc');
/** 383 records, 16 of them structurally broken. */
const PRIDE_WITH_ERRORS = join(MARC, 'marc4j', 'pride-and-prejudice-with-many-errors.mrc');

/**
 * The staff client's catalog import page end to end: a cataloguer reaches it with the keyboard, uploads a
 * real MARC file, watches the progress bar reach its end, and reads the report.
 */
describe.skipIf(!hasChromium).each(testDialects())(
  `staff catalog import on %s in a real browser${noBrowser}`,
  (dialect) => {
    let server: Awaited<ReturnType<typeof startWebServer>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let lib: TestLibrary;

    async function shot(name: string) {
      if (dialect === testDialects()[0]) await screenshot(page, name);
    }

    async function noSeriousAxeViolations() {
      expect(await seriousAxeViolations(page)).toEqual([]);
    }

    /** The number shown in the report for one count (`read`, `created`, …). */
    async function count(key: string): Promise<number> {
      return Number(await page.locator(`[data-count="${key}"]`).textContent());
    }

    /** Waits for the report of the finished import (the progress bar at its end). */
    async function waitForReport() {
      await page.getByRole('heading', { level: 3, name: /^Report for / }).waitFor({ timeout: 60_000 });
    }

    beforeAll(async () => {
      server = await startWebServer(dialect);
      lib = await makeTestLibrary(server.app);
      await makeStaffUser(server.app, 'cataloguer', ['catalog.edit']);
      await makeStaffUser(server.app, 'reader', ['patrons.read']);
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
    });

    it('reaches the import page from the catalog with the keyboard', async () => {
      await logInToStaffClient(page, server.baseUrl, 'cataloguer');
      // Without the desk permission the catalog is the landing page; its heading has the focus.
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe(
        'Import or export MARC records',
      );
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Import and export records' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/staff/catalog/import');
      // Export is the command line's: the page says so and shows how.
      expect(await page.getByRole('region', { name: 'Export records' }).textContent()).toContain(
        'npx stacks export --format iso2709',
      );
      await noSeriousAxeViolations();
      await shot('staff-import-page');
    });

    it('asks for a file before uploading anything', async () => {
      await page.getByRole('button', { name: 'Upload and import' }).press('Enter');
      await page.getByRole('alert').filter({ hasText: 'Choose a MARC file to import first.' }).waitFor();
      expect(await page.locator('progress').count()).toBe(0);
    });

    it('imports a real 500-record file with a progress bar and reports every record', async () => {
      await page.locator('#import-file').setInputFiles(LUL_FRE_500);
      await page.getByLabel('Item type for items that name none').selectOption('BOOK');
      await page.getByRole('button', { name: 'Upload and import' }).press('Enter');
      const progress = page.getByRole('progressbar', { name: 'Import progress' });
      await progress.waitFor();
      await waitForReport();
      expect(await progress.getAttribute('value')).toBe('100');
      expect(await page.getByRole('status').filter({ hasText: 'Finished' }).textContent()).toBe(
        'Finished: 500 record(s) read.',
      );
      expect(await count('read')).toBe(500);
      const placed = (await count('created')) + (await count('overlaid')) + (await count('skipped'));
      expect(placed + (await count('failed'))).toBe(500);
      expect(await count('created')).toBe(500); // none of them was in the catalog
      await noSeriousAxeViolations();
      await shot('staff-import-report');

      // The records are in the catalog: the same file again, rule "skip", adds none.
      await page.locator('#import-file').setInputFiles(LUL_FRE_500);
      await page.getByRole('button', { name: 'Upload and import' }).press('Enter');
      await expect
        .poll(async () => (await page.getByRole('status').textContent()) ?? '', { timeout: 60_000 })
        .toBe('Finished: 500 record(s) read.');
      await waitForReport();
      expect(await count('created')).toBe(0);
      expect(await count('skipped')).toBe(500);
    }, 120_000);

    it('lists each broken record with its position in the file', async () => {
      await page.getByLabel('Add it anyway (a new record)').check();
      await page.locator('#import-file').setInputFiles(PRIDE_WITH_ERRORS);
      await page.getByRole('button', { name: 'Upload and import' }).press('Enter');
      await expect
        .poll(async () => (await page.getByRole('status').textContent()) ?? '', { timeout: 60_000 })
        .toMatch(/^Finished: \d+ record\(s\) read\.$/);
      await waitForReport();
      expect(await count('failed')).toBeGreaterThan(0);
      const rows = page
        .getByRole('table', { name: 'Problems by record position in the file' })
        .locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      const first = (await rows.first().locator('td').allTextContents()).map((s) => s.trim());
      expect(Number(first[0])).toBeGreaterThan(0); // record number in the file, from 1
      expect(first[1]).toMatch(/^(\w{3}|—)$/); // the field, or a dash for the whole record
      expect(first[2]).toMatch(/^\d+( \(record at \d+\))?$/); // the problem's byte offset (and its record's)
      expect(['Error', 'Warning']).toContain(first[3]);
      expect(first[4]).not.toBe('');
      await shot('staff-import-problems');
      // A long list starts with its first 50; the button shows the rest.
      expect(await rows.count()).toBe(50);
      const showAll = page.getByRole('button', { name: /^Show all \d+ problems$/ });
      const total = Number(/\d+/.exec((await showAll.textContent()) ?? '')?.[0]);
      await showAll.press('Enter');
      await expect.poll(() => rows.count()).toBe(total);
      await noSeriousAxeViolations();
    }, 120_000);

    it('shows the API’s message for a file that is not MARC', async () => {
      await page.locator('#import-file').setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('these are not MARC records\n'),
      });
      await page.getByRole('button', { name: 'Upload and import' }).press('Enter');
      await page
        .getByRole('alert')
        .filter({ hasText: 'notes.txt is not ISO 2709, MARCXML or MARC-in-JSON' })
        .waitFor();
      // Nothing started: no progress bar, no report left from the import before.
      expect(await page.locator('progress').count()).toBe(0);
      expect(await page.locator('.import-report').count()).toBe(0);
      await shot('staff-import-not-marc');
    });

    it('works on a phone-sized screen and in Spanish', async () => {
      await page.setViewportSize({ width: 360, height: 800 });
      await page.getByLabel(/Language|Idioma/).selectOption('es');
      await page.getByRole('heading', { level: 1, name: 'Importar y exportar registros' }).waitFor();
      await noSeriousAxeViolations();
      await shot('staff-import-phone-es');
      await page.getByLabel(/Language|Idioma/).selectOption('en');
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('exports the current search as a job, then offers the file and its report', async () => {
      await page.goto(`${server.baseUrl}/staff/catalog?q=atlas`);
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
      const region = page.getByRole('region', { name: 'Export' });
      await region.getByRole('radio', { name: 'MARCXML (.xml)' }).check();
      const whole = region.getByRole('button', { name: /^Export the whole catalog as MARCXML/ });
      expect(await whole.count()).toBe(1);
      await region.getByRole('button', { name: /^Export the records found by “atlas” as MARCXML/ }).click();
      const report = region.getByRole('region', { name: 'Export report' });
      await report.waitFor({ timeout: 60_000 });
      expect(await region.getByRole('status').textContent()).toBe('Finished: 1 record(s) in the file.');
      expect(await report.locator('[data-export-count="written"]').textContent()).toBe('1');
      expect(await report.locator('[data-export-count="skipped"]').textContent()).toBe('0');
      expect(await report.textContent()).toContain('Nothing had to be repaired.');
      const link = report.getByRole('link', { name: /^Download catalog-\d{4}-\d{2}-\d{2}\.xml$/ });
      const href = (await link.getAttribute('href')) ?? '';
      expect(href).toMatch(/^\/api\/catalog\/exports\/[0-9a-f-]{36}\/file$/);
      const file = await page.request.get(new URL(href, server.baseUrl).href);
      expect(file.headers()['content-disposition']).toMatch(
        /^attachment; filename="catalog-\d{4}-\d{2}-\d{2}\.xml"$/,
      );
      expect(await file.text()).toContain('An atlas</subfield>');
      await noSeriousAxeViolations();
    });

    it('lists each repair of a damaged record in the export report, linked to the record', async () => {
      const damagedId = await storeAsIs(server.app, DAMAGED);
      await page.goto(`${server.baseUrl}/staff/catalog?q=damaged`);
      const region = page.getByRole('region', { name: 'Export' });
      await region.getByRole('radio', { name: 'ISO 2709 (.mrc)' }).check();
      await region.getByRole('button', { name: /^Export the records found by “damaged”/ }).click();
      const report = region.getByRole('region', { name: 'Export report' });
      await report.waitFor({ timeout: 60_000 });
      expect(await report.locator('[data-export-count="repaired"]').textContent()).toBe('1');
      const rows = report.getByRole('table').getByRole('row');
      expect(await rows.count()).toBe(6);
      const leftOut = rows.filter({ hasText: '0°1' });
      expect(await leftOut.textContent()).toContain('Record 1 (001 dmg-1)0°1Error');
      expect(await leftOut.getByRole('link', { name: 'Record 1' }).getAttribute('href')).toBe(
        `/staff/catalog/records/${damagedId}`,
      );
      await noSeriousAxeViolations();
      await shot('staff-catalog-export-report');
    });

    it('adds and changes items on a record, with downloads and label PDFs', async () => {
      await page.goto(`${server.baseUrl}/staff/catalog/records/${lib.records.atlas}`);
      await page.getByRole('heading', { level: 1, name: 'An atlas' }).waitFor();
      // The record downloads in each format the API offers.
      const downloads = page.getByRole('navigation', { name: 'Download this record' });
      const xml = await page.request.get(
        new URL(
          (await downloads.getByRole('link', { name: 'MARCXML' }).getAttribute('href')) ?? '',
          server.baseUrl,
        ).href,
      );
      expect(await xml.text()).toContain('An atlas</subfield>');
      const text = await page.request.get(
        new URL(
          (await downloads.getByRole('link', { name: 'Text view' }).getAttribute('href')) ?? '',
          server.baseUrl,
        ).href,
      );
      expect(await text.text()).toContain('An atlas');

      // Add a copy with the keyboard: the form opens with the focus on its barcode.
      await page.getByRole('button', { name: 'Add an item' }).press('Enter');
      await page.getByRole('form', { name: 'New item' }).waitFor();
      await page.keyboard.type('3000099');
      await page.getByLabel('Type').selectOption('BOOK');
      await page.getByLabel('Call number').fill('G1019 .A8');
      await page.getByLabel('Status').selectOption('available');
      await noSeriousAxeViolations();
      await shot('staff-import-record-item-form');
      await page.getByRole('button', { name: 'Add the item' }).press('Enter');
      await page.getByRole('status').filter({ hasText: 'Item 3000099 added.' }).waitFor();
      const added = await server.app.services.catalog.findItemByBarcode('3000099');
      expect(added).toMatchObject({ recordId: lib.records.atlas, itemType: 'BOOK', callNumber: 'G1019 .A8' });
      expect(added?.status).toBe('available');
      const rows = page.locator('#items-heading ~ .table-wrap tbody tr');
      expect(await rows.count()).toBe(2);

      // A barcode already in use: the API's message, and nothing added.
      await page.getByRole('button', { name: 'Add an item' }).press('Enter');
      await page.keyboard.type('3000010');
      await page.getByRole('button', { name: 'Add the item' }).press('Enter');
      const refusal = page.getByRole('form', { name: 'New item' }).getByRole('alert');
      await expect.poll(async () => ((await refusal.textContent()) ?? '').length).toBeGreaterThan(0);
      expect(await refusal.textContent()).toMatch(/3000010/);
      await page.getByRole('button', { name: 'Cancel' }).press('Enter');
      expect(await rows.count()).toBe(2);

      // Change the reference copy: its location and status.
      await page.getByRole('button', { name: 'Edit item 3000010' }).press('Enter');
      await page.getByRole('form', { name: 'Change item 3000010' }).waitFor();
      await page.getByLabel('Location').fill('Map room');
      await page.getByLabel('Status').selectOption('damaged');
      await page.getByRole('button', { name: 'Save the item' }).press('Enter');
      await page.getByRole('status').filter({ hasText: 'Item 3000010 saved.' }).waitFor();
      expect(await server.app.services.catalog.findItemByBarcode('3000010')).toMatchObject({
        location: 'Map room',
        status: 'damaged',
      });
      expect(await rows.filter({ hasText: '3000010' }).textContent()).toContain('Map room');

      // Labels are PDFs from the API.
      const spine = await page.request.get(
        new URL(
          (await page.getByRole('link', { name: 'Spine label for 3000099 (PDF)' }).getAttribute('href')) ??
            '',
          server.baseUrl,
        ).href,
      );
      expect(spine.headers()['content-type']).toBe('application/pdf');
      expect((await spine.body()).subarray(0, 5).toString()).toBe('%PDF-');
      await noSeriousAxeViolations();
      await shot('staff-import-record-items');
    });

    it('edits a record’s MARC fields, checks them, and refuses a stale save', async () => {
      const catalog = server.app.services.catalog;
      await page.goto(`${server.baseUrl}/staff/catalog/records/${lib.records.novel}`);
      await page.getByRole('heading', { level: 1, name: 'A novel' }).waitFor();
      await page.getByRole('button', { name: 'Edit the MARC record' }).press('Enter');
      await page.getByRole('heading', { level: 2, name: 'MARC record' }).waitFor();
      // The API's MARCMaker text view of the saved record.
      await page.getByText('Text view (MARCMaker) as saved').press('Enter');
      expect(await page.getByTestId('marc-text').textContent()).toContain('=245  10$aA novel');

      // Checked before sending: a bad tag is named and nothing is saved.
      await page.getByLabel('Field 2: tag').fill('24X');
      await page.getByRole('button', { name: 'Save the record' }).press('Enter');
      await page.getByRole('alert').filter({ hasText: 'Tag “24X” is not three digits.' }).waitFor();
      expect((await catalog.getRecord(lib.records.novel)).version).toBe(1);

      await page.getByLabel('Field 2: tag').fill('245');
      await page.getByLabel('Field 2: subfields').fill('$aA novel :$bthe sequel /$cAnn Author.');
      await page.getByRole('button', { name: 'Add a field' }).press('Enter');
      await page.getByLabel('Field 3: subfields').fill('$aPrice: {dollar}10.');
      await noSeriousAxeViolations();
      await shot('staff-import-marc-editor');
      await page.getByRole('button', { name: 'Save the record' }).press('Enter');
      await page.getByRole('status').filter({ hasText: 'Record saved (version 2).' }).waitFor();
      const saved = await catalog.getRecord(lib.records.novel);
      expect(saved.marc.fields).toContainEqual({
        tag: '245',
        ind1: '1',
        ind2: '0',
        subfields: [
          { code: 'a', value: 'A novel :' },
          { code: 'b', value: 'the sequel /' },
          { code: 'c', value: 'Ann Author.' },
        ],
      });
      expect(saved.marc.fields).toContainEqual({
        tag: '500',
        ind1: ' ',
        ind2: ' ',
        subfields: [{ code: 'a', value: 'Price: $10.' }],
      });

      // Someone else saves first: this save is refused with the API's words, and theirs stays.
      await page.getByRole('button', { name: 'Edit the MARC record' }).press('Enter');
      await catalog.updateRecord(systemActor('test'), lib.records.novel, {
        ...saved.marc,
        fields: saved.marc.fields.filter((f) => f.tag !== '500'),
      });
      await page.getByRole('button', { name: 'Remove field 3 (500)' }).press('Enter');
      await page.getByRole('button', { name: 'Save the record' }).press('Enter');
      const refusal = page.locator('.marc-editor [role="alert"]');
      await expect.poll(async () => ((await refusal.textContent()) ?? '').length).toBeGreaterThan(0);
      expect(await refusal.textContent()).toContain('changed by someone else');
      expect((await catalog.getRecord(lib.records.novel)).version).toBe(3);
      await shot('staff-import-marc-conflict');
    });

    it('is refused to staff without catalog.edit', async () => {
      const other = await browser.newContext();
      const p = await other.newPage();
      try {
        await logInToStaffClient(p, server.baseUrl, 'reader');
        await p.getByRole('heading', { level: 1 }).first().waitFor();
        // No link to the import page, and its address says it is not allowed.
        expect(await p.getByRole('link', { name: 'Import or export MARC records' }).count()).toBe(0);
        await p.goto(`${server.baseUrl}/staff/catalog/import`);
        await p.getByRole('heading', { level: 1, name: /not allowed|permission/i }).waitFor();
        const upload = await p.request.post(`${server.baseUrl}/api/catalog/imports`, {
          data: Buffer.from('x'),
          headers: { 'content-type': 'application/octet-stream' },
        });
        expect(upload.status()).toBe(403);
      } finally {
        await other.close();
      }
    });
  },
);
