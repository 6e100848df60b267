import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor } from '../src/kernel/actor.ts';
import type { Patron } from '../src/modules/patrons/index.ts';
import { hasChromium, launchBrowser, noBrowser, screenshot, seriousAxeViolations } from './browser.ts';
import { makeTestLibrary, type TestLibrary } from './circulation-fixture.ts';
import { BROWSER_TEST_TIMEOUT_MS } from './timeouts.ts';
import { startWebServer } from './web-server.ts';

// Browser tests against a real server: see timeouts.ts.
vi.setConfig({ testTimeout: BROWSER_TEST_TIMEOUT_MS });

const SEED = systemActor('test');
const CARD = '2000999';
const PIN = '2468';

/** Asserts axe-core finds no serious or critical WCAG 2.1 AA problem, naming them when it does. */
async function expectAccessible(page: Page, name: string) {
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
}

/** The element that has the keyboard focus, as `tag#id "text"`, for assertions. */
const focused = (page: Page): Promise<string> =>
  page.evaluate(`(() => {
    const el = document.activeElement;
    return el ? el.tagName.toLowerCase() + '#' + el.id + ' ' + JSON.stringify((el.textContent ?? '').trim()) : '';
  })()`);

/** How wide the page is laid out (wider than the screen means sideways scrolling). */
const layoutWidth = (page: Page): Promise<number> => page.evaluate('document.documentElement.scrollWidth');

/**
 * The public catalog end to end in Chromium, mostly by keyboard: search, facets, a record, signing in
 * with card and PIN to place a hold (and a refusal), My account (renew until refused, suspend and
 * cancel the hold, fines, contact details), Spanish, signing out, and the search page on a phone.
 */
describe.skipIf(!hasChromium)(`the public catalog in a real browser${noBrowser}`, () => {
  let server: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let page: Page;
  let lib: TestLibrary;
  let ada: Patron;
  let jazzFilm: string;

  beforeAll(async () => {
    server = await startWebServer();
    const { catalog, patrons, circulation, fines } = server.app.services;
    lib = await makeTestLibrary(server.app);
    // Two more records so a search has a choice of formats to narrow by.
    const record = async (leader: string, title: string) =>
      (
        await catalog.createRecord(SEED, {
          leader,
          fields: [
            { tag: '008', value: '200101s2019    xxu           000 0 eng d' },
            { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
            { tag: '650', ind1: ' ', ind2: '0', subfields: [{ code: 'a', value: 'Jazz' }] },
          ],
        })
      ).id;
    const jazzBook = await record('00000nam a2200000 a 4500', 'Jazz piano lessons');
    jazzFilm = await record('00000ngm a2200000 a 4500', 'Jazz on film');
    for (const [recordId, barcode, branchId, itemType] of [
      [jazzBook, '3000040', lib.central.id, 'BOOK'],
      [jazzFilm, '3000041', lib.lakeside.id, 'DVD'],
    ] as const)
      await catalog.addItem(SEED, recordId, { barcode, branchId, itemType, status: 'available' });
    ada = await patrons.register(SEED, {
      firstName: 'Ada',
      lastName: 'Reader',
      email: 'ada@example.org',
      categoryCode: 'ADULT',
      homeBranchId: lib.central.id,
      cardBarcode: CARD,
      pin: PIN,
      allowDuplicate: true,
    });
    await circulation.circulation.checkout(systemActor('desk'), {
      patronBarcode: CARD,
      itemBarcode: '3000001',
    });
    await fines.addFee(SEED, ada.id, {
      kind: 'printing',
      amountMinor: 150,
      description: 'Printing, 15 pages',
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('searches by keyboard, narrows by a facet, and keeps the search in the address', async () => {
    await page.goto(`${server.baseUrl}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Search the catalog');
    // The first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toContain('Skip to content');
    await expectAccessible(page, 'the empty search page');
    await screenshot(page, 'opac-01-search-page');

    await page.getByRole('searchbox').focus();
    await page.keyboard.type('jazz');
    const enter = performance.now();
    await page.keyboard.press('Enter');
    await page.getByText('2 results for “jazz”').waitFor();
    await page.locator('ol.hits > li').first().waitFor({ state: 'visible' });
    const elapsed = performance.now() - enter;
    console.log(`[web-opac] search: Enter to results visible in ${elapsed.toFixed(0)} ms`);
    expect(new URL(page.url()).search).toBe('?q=jazz');
    const titles = await page.locator('ol.hits h3').allTextContents();
    expect(titles.sort()).toEqual(['Jazz on film', 'Jazz piano lessons']);
    await expect(page.locator('ol.hits').textContent()).resolves.toContain('Available');
    await expectAccessible(page, 'search results');
    await screenshot(page, 'opac-02-search-results');

    // A facet is a checkbox: Space chooses it, the results narrow, the address says so.
    await page.getByRole('checkbox', { name: /^Video/ }).focus();
    await page.keyboard.press('Space');
    await page.getByText('1 result for “jazz”').waitFor();
    expect(new URL(page.url()).searchParams.getAll('format')).toEqual(['video']);
    expect(await page.locator('ol.hits h3').allTextContents()).toEqual(['Jazz on film']);
    expect(await page.getByRole('checkbox', { name: /^Video/ }).isChecked()).toBe(true);
    await screenshot(page, 'opac-03-search-facet');

    // Back goes to the unfiltered results; reload keeps the search.
    await page.goBack();
    await page.getByText('2 results for “jazz”').waitFor();
    await page.reload();
    await page.getByText('2 results for “jazz”').waitFor();
    await expect(page.getByRole('searchbox').inputValue()).resolves.toBe('jazz');

    // A search that finds nothing says so in words.
    await page.getByRole('searchbox').fill('zzzqqq');
    await page.keyboard.press('Enter');
    await page.getByText(/No results for “zzzqqq”/).waitFor();
  });

  it('shows a record, asks to sign in to place a hold, and places it for pickup', async () => {
    await page.getByRole('searchbox').fill('film');
    await page.keyboard.press('Enter');
    await page.getByText('2 results for “film”').waitFor();
    await page.getByRole('link', { name: 'A film', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'A film' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/record/${lib.records.film}`);
    // The new page's heading has the focus, so the keyboard continues from the top of the record.
    expect(await focused(page)).toContain('h1#');
    await page.getByRole('heading', { name: 'Where to find it' }).waitFor();
    // Copy by copy: the film's one copy, at Lakeside, on the shelf.
    await page.getByRole('heading', { level: 3, name: 'Lakeside' }).waitFor();
    await page.getByRole('cell', { name: 'Available' }).waitFor();
    await expectAccessible(page, 'the record page');
    await screenshot(page, 'opac-04-record');

    // Signed out: Place hold goes to the sign-in page, and back here afterwards.
    await page.getByRole('button', { name: 'Place hold' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/record/${lib.records.film}?hold=1`);
    await expectAccessible(page, 'the sign-in page');
    await screenshot(page, 'opac-05-login');

    // A wrong PIN is refused in the API's words, and nothing else happens.
    await page.getByLabel('Library card number').focus();
    await page.keyboard.type(CARD);
    await page.keyboard.press('Tab');
    await page.keyboard.type('9999');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('The card number or PIN is not right').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'opac-06-login-refused');

    await page.getByLabel('PIN').focus();
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'A film' }).waitFor();
    await page.getByLabel('Pick up at').waitFor();
    // Back on the record with the pickup choice focused, the home branch chosen.
    await expect.poll(() => focused(page)).toMatch(/^select#pickup/);
    expect(await page.getByLabel('Pick up at').inputValue()).toBe(lib.central.id);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Hold placed on “A film”').waitFor();
    await expectAccessible(page, 'the record page, signed in');
    await screenshot(page, 'opac-07-hold-placed');
    const holds = await server.app.services.circulation.holds.ofPatron(ada.id);
    expect(holds.map((h) => [h.recordId, h.pickupBranchId, h.status])).toEqual([
      [lib.records.film, lib.central.id, 'waiting'],
    ]);
  });

  it('shows a hold refusal in the API’s words', async () => {
    await page.goto(`${server.baseUrl}/record/${lib.records.novel}`);
    await page.getByLabel('Pick up at').waitFor();
    await page.getByRole('button', { name: 'Place hold' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText('The hold was not placed: The patron has this title checked out already')
      .waitFor();
    await screenshot(page, 'opac-08-hold-refused');
    expect(await server.app.services.circulation.holds.ofPatron(ada.id)).toHaveLength(1);

    // A record that does not exist says so.
    await page.goto(`${server.baseUrl}/record/01900000-0000-7000-8000-000000000000`);
    await page.getByRole('heading', { level: 1, name: 'Record not found' }).waitFor();
  });

  it('lists loans, holds and fines in My account; renews until refused; suspends and cancels the hold', async () => {
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('link', { name: 'My account' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    const loans = page.locator('section[aria-labelledby="loans-heading"]');
    const holdsSection = page.locator('section[aria-labelledby="holds-heading"]');
    await loans.getByRole('heading', { name: 'A novel' }).waitFor();
    await holdsSection.getByRole('heading', { name: 'A film' }).waitFor();
    await holdsSection.getByText('Waiting: number 1 in the queue').waitFor();
    const finesSection = page.locator('section[aria-labelledby="fines-heading"]');
    await finesSection.getByText('Printing, 15 pages').waitFor();
    await expect(finesSection.textContent()).resolves.toMatch(/You owe .*1\.50/);
    await expectAccessible(page, 'My account');
    await screenshot(page, 'opac-09-account');

    // Renew: twice allowed, the third refused with its reason.
    const renew = loans.getByRole('button', { name: 'Renew' });
    await renew.focus();
    await page.keyboard.press('Enter');
    await loans
      .getByRole('status')
      .getByText(/^Renewed “A novel”: now due/)
      .waitFor();
    await loans.getByText('Renewed once').waitFor();
    await screenshot(page, 'opac-10-renewed');
    await page.keyboard.press('Enter');
    await loans.getByText('Renewed 2 times').waitFor();
    await page.keyboard.press('Enter');
    await loans
      .getByRole('status')
      .getByText('“A novel” was not renewed: Renewed 2 times already; 2 allowed')
      .waitFor();
    await screenshot(page, 'opac-11-renew-refused');
    const [loan] = await server.app.services.circulation.circulation.loansOf(ada.id, 'current');
    expect(loan?.renewals).toBe(2);

    // Suspend, then resume, then cancel the hold.
    await holdsSection.getByRole('button', { name: 'Suspend' }).focus();
    await page.keyboard.press('Enter');
    await holdsSection.getByText('Suspended until you resume it').waitFor();
    await holdsSection.getByRole('status').getByText('Hold on “A film” suspended').waitFor();
    await screenshot(page, 'opac-12-hold-suspended');
    // The same button now resumes, and keeps the focus.
    expect(await focused(page)).toContain('"Resume"');
    await page.keyboard.press('Enter');
    await holdsSection.getByText('Waiting: number 1 in the queue').waitFor();
    await holdsSection.getByRole('button', { name: 'Cancel hold' }).focus();
    await page.keyboard.press('Enter');
    await holdsSection.getByRole('status').getByText('Hold on “A film” cancelled.').waitFor();
    await holdsSection.getByText('You have no holds').waitFor();
    expect(await focused(page)).toContain('h2#holds-heading');
    await screenshot(page, 'opac-13-hold-cancelled');
    expect(await server.app.services.circulation.holds.ofPatron(ada.id)).toEqual([]);
  });

  it('changes contact details and notice preferences, switches to Spanish, and signs out', async () => {
    const details = page.locator('section[aria-labelledby="details-heading"]');
    await details.getByLabel('Phone').focus();
    await page.keyboard.type('555-0100');
    await details.getByLabel('By post').focus();
    await page.keyboard.press('Space');
    await details.getByRole('button', { name: 'Save changes' }).focus();
    await page.keyboard.press('Enter');
    await details.getByRole('status').getByText('Your details are saved.').waitFor();
    const { patron } = await server.app.services.patrons.me({ type: 'patron', patronId: ada.id });
    expect([patron.phone, patron.noticeChannel]).toEqual(['555-0100', 'print']);
    await screenshot(page, 'opac-14-details-saved');

    // A bad e-mail address is refused, the field focused, and nothing changes.
    await details.getByLabel('Email', { exact: true }).fill('not an address');
    await details.getByRole('button', { name: 'Save changes' }).click();
    await details.getByRole('status').getByText('Not saved: enter an e-mail address like').waitFor();
    expect(await focused(page)).toMatch(/^input#email/);
    expect((await server.app.services.patrons.me({ type: 'patron', patronId: ada.id })).patron.email).toBe(
      'ada@example.org',
    );

    await page.getByLabel('Language', { exact: true }).selectOption('es');
    await page.getByRole('heading', { level: 1, name: 'Mi cuenta' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('es');
    await page.getByRole('heading', { name: 'Préstamos' }).waitFor();
    await expectAccessible(page, 'My account in Spanish');
    await screenshot(page, 'opac-15-account-spanish');
    await page.getByLabel('Idioma', { exact: true }).selectOption('en');

    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Search the catalog' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    // Signed out, My account sends to sign in first.
    await page.goto(`${server.baseUrl}/account`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
  });

  it('fits a phone screen (360 × 740)', async () => {
    const phone = await browser.newPage({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    await phone.goto(`${server.baseUrl}/?q=jazz`);
    await phone.getByText('2 results for “jazz”').waitFor();
    // Nothing wider than the screen: no sideways scrolling.
    expect(await layoutWidth(phone)).toBeLessThanOrEqual(360);
    await expectAccessible(phone, 'search results on a phone');
    await screenshot(phone, 'opac-phone-search');
    await phone.goto(`${server.baseUrl}/record/${jazzFilm}`);
    await phone.getByRole('heading', { level: 1, name: 'Jazz on film' }).waitFor();
    await phone.getByRole('cell', { name: 'Available' }).waitFor();
    expect(await layoutWidth(phone)).toBeLessThanOrEqual(360);
    await screenshot(phone, 'opac-phone-record');
    await phone.close();
  });
});
