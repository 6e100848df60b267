import { PERMISSIONS } from '@stacks/contract';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsvField } from '../../src/csv/index.ts';
import { MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR } from '../../src/kernel/money.ts';
import type { MarcRecord } from '../../src/marc/index.ts';
import { writeIso2709 } from '../../src/marc/index.ts';
import { overdueFine } from '../../src/modules/circulation/overdue.ts';
import { DEFAULT_RULE } from '../circulation-fixture.ts';
import { createTestServer } from '../create-test-server.ts';
import { testDialects } from '../dialects.ts';
import { makeBranch, makePatron, makeStaffUser, testActor } from '../factories.ts';
import { rowCounts } from '../row-counts.ts';

const NUL = '\u0000';
const someId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

const marcJson = (title: string) => ({
  leader: '00000nam a2200000 a 4500',
  fields: [
    { '008': '990101s2001    nyu           000 0 eng d' },
    { '245': { ind1: '1', ind2: '0', subfields: [{ a: title }] } },
  ],
});

const marcRecord = (title: string): MarcRecord => ({
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '008', value: '990101s2001    nyu           000 0 eng d' },
    { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
  ],
});

describe.each(testDialects())('input at the edge on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let admin: string;
  let branchId: string;
  const db = () => s.app.database.db;

  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'admin', Object.keys(PERMISSIONS));
    admin = await s.login('admin');
    branchId = (await makeBranch(s.app)).id;
    await s.app.services.catalog.createItemType(testActor, {
      code: 'BOOK',
      name: 'Book',
      isCirculating: true,
    });
  });
  afterAll(async () => s.close());

  /** The answer to a request, after checking it wrote nothing. */
  async function refusedWithoutWriting(request: InjectOptions, cookie?: string) {
    const before = await rowCounts(db());
    const res = cookie ? await s.as(cookie, request) : await s.http.inject(request);
    expect(await rowCounts(db())).toEqual(before);
    return res;
  }

  async function waitForImport(id: string) {
    let job = (await s.as(admin, { method: 'GET', url: `/api/catalog/imports/${id}` })).json();
    for (let i = 0; i < 200 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await s.as(admin, { method: 'GET', url: `/api/catalog/imports/${id}` })).json();
    }
    return job;
  }

  describe('U+0000 (NUL) in any input is refused with 400 naming the field, and nothing is written', () => {
    it.each([
      [
        'staff log-in',
        'POST',
        '/api/auth/login',
        { username: `admin${NUL}`, password: 'x' },
        'body/username',
      ],
      [
        'staff log-in',
        'POST',
        '/api/auth/login',
        { username: 'admin', password: `pass${NUL}` },
        'body/password',
      ],
      [
        'patron log-in',
        'POST',
        '/api/patron/login',
        { cardBarcode: `2123${NUL}`, pin: '1234' },
        'body/cardBarcode',
      ],
      ['a search query string', 'GET', `/api/catalog/search?q=perl%00`, undefined, 'querystring/q'],
    ])('anonymous %s', async (_what, method, url, payload, field) => {
      const res = await refusedWithoutWriting({ method: method as 'GET', url, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_CHARACTER', details: { field } });
      expect(res.json().error.message).toContain(field);
    });

    it.each([
      [
        'patron create',
        'POST',
        '/api/patrons',
        () => ({ firstName: `Ann${NUL}`, lastName: 'Lee', categoryCode: 'ADULT', homeBranchId: branchId }),
        'body/firstName',
      ],
      [
        'record create (MARC-in-JSON)',
        'POST',
        '/api/catalog/records',
        () => marcJson(`Bad${NUL}title`),
        'body/fields/1/245/subfields/0/a',
      ],
      [
        'record create, a NUL in a subfield code',
        'POST',
        '/api/catalog/records',
        () => ({
          leader: '00000nam a2200000 a 4500',
          fields: [{ '245': { ind1: '1', ind2: '0', subfields: [{ [`a${NUL}`]: 'Title' }] } }],
        }),
        'body/fields/0/245/subfields/0/a\\u0000',
      ],
      [
        'record replace',
        'PUT',
        `/api/catalog/records/${someId}`,
        () => ({ marc: marcJson(`Bad${NUL}`) }),
        'body/marc/fields/1/245/subfields/0/a',
      ],
      [
        'a barcode look-up URL parameter',
        'GET',
        '/api/patrons/by-card/2123%00',
        () => undefined,
        'params/barcode',
      ],
      [
        'an item search by barcode',
        'GET',
        '/api/catalog/items?barcode=3123%00',
        () => undefined,
        'querystring/barcode',
      ],
      [
        'a patron CSV import',
        'POST',
        '/api/patrons/import',
        () => `first_name,last_name,category,home_branch\r\nAnn${NUL},Lee,ADULT,MAIN\r\n`,
        'body',
      ],
    ])('%s', async (_what, method, url, payload, field) => {
      const body = payload();
      const res = await refusedWithoutWriting(
        {
          method: method as 'GET',
          url,
          payload: body as never,
          headers: typeof body === 'string' ? { 'content-type': 'text/csv' } : {},
        },
        admin,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'INVALID_CHARACTER', details: { field } });
    });

    it('keeps other control characters as they are', async () => {
      const res = await s.as(admin, {
        method: 'POST',
        url: '/api/catalog/records',
        payload: marcJson('Tab\there, bell\u0007 and unit separator\u001f kept'),
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().marc.fields[1]['245'].subfields[0].a).toBe(
        'Tab\there, bell\u0007 and unit separator\u001f kept',
      );
    });

    it.each([
      ['ISO 2709', 'application/marc', () => Buffer.from(writeIso2709(marcRecord(`Nul${NUL}byte`)))],
      ['MARC-in-JSON', 'application/json', () => Buffer.from(JSON.stringify([marcJson(`Nul${NUL}byte`)]))],
    ])(
      'an %s import with a NUL byte reports that record as a problem at its position',
      async (_f, type, file) => {
        const bad = file();
        const good =
          type === 'application/json'
            ? Buffer.from(JSON.stringify([marcJson(`Nul${NUL}byte`), marcJson(`Clean ${type}`)]))
            : Buffer.concat([bad, Buffer.from(writeIso2709(marcRecord(`Clean ${type}`)))]);

        // Only the bad record: nothing in the catalog changes.
        const before = await rowCounts(db());
        const started = await s.as(admin, {
          method: 'POST',
          url: '/api/catalog/imports?onDuplicate=add',
          payload: bad,
          headers: { 'content-type': type },
        });
        expect(started.statusCode).toBe(202);
        const job = await waitForImport(started.json().id);
        expect(job).toMatchObject({ status: 'done', report: { read: 1, created: 0, failed: 1 } });
        expect(job.report.problems).toEqual([
          expect.objectContaining({
            recordIndex: 0,
            severity: 'error',
            message: expect.stringMatching(/245 \$a.*U\+0000/),
          }),
        ]);
        const after = await rowCounts(db());
        const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
        // The import job's own row and its audit entry; nothing in the catalog.
        expect(changed.sort()).toEqual(['audit_log', 'catalog_imports']);

        // The bad record first, a good one after it: the good one is imported.
        const mixed = await s.as(admin, {
          method: 'POST',
          url: '/api/catalog/imports?onDuplicate=add',
          payload: good,
          headers: { 'content-type': type },
        });
        const done = await waitForImport(mixed.json().id);
        expect(done).toMatchObject({ status: 'done', report: { read: 2, created: 1, failed: 1 } });
        expect(done.report.problems[0]).toMatchObject({
          recordIndex: 0,
          byteOffset: type === 'application/json' ? 1 : 0,
          severity: 'error',
        });
      },
    );
  });

  describe('money has a documented maximum per amount and per account', () => {
    let patronId: string;
    beforeAll(async () => {
      patronId = (await makePatron(s.app)).id;
    });

    it('takes an amount of exactly MAX_AMOUNT_MINOR and refuses one more at the edge', async () => {
      const fee = (amountMinor: number) => ({
        method: 'POST' as const,
        url: `/api/patrons/${patronId}/fees`,
        payload: { kind: 'manual', amountMinor, description: 'Big' },
      });
      for (const amount of [MAX_AMOUNT_MINOR + 1, Number.MAX_SAFE_INTEGER]) {
        const refused = await refusedWithoutWriting(fee(amount), admin);
        expect(refused.statusCode).toBe(400);
        expect(refused.json().error).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: { issues: [{ field: 'body/amountMinor' }] },
        });
      }
      const taken = await s.as(admin, fee(MAX_AMOUNT_MINOR));
      expect(taken.statusCode).toBe(201);
      expect(taken.json().amountMinor).toBe(MAX_AMOUNT_MINOR);
      const paid = await s.as(admin, {
        method: 'POST',
        url: `/api/patrons/${patronId}/payments`,
        payload: { amountMinor: MAX_AMOUNT_MINOR, method: 'cash' },
      });
      expect(paid.statusCode).toBe(201);
    });

    it('refuses the service an amount over the maximum too (callers other than HTTP)', async () => {
      const staff = {
        type: 'staff' as const,
        id: someId,
        username: 'x',
        permissions: new Set(['fines.collect']),
        via: 'session' as const,
      };
      await expect(
        s.app.services.fines.addFee(staff, patronId, {
          kind: 'manual',
          amountMinor: MAX_AMOUNT_MINOR + 1,
          description: 'Too big',
        }),
      ).rejects.toMatchObject({ code: 'AMOUNT_TOO_LARGE' });
    });

    it.each([
      [
        'a payment',
        () => `/api/patrons/${patronId}/payments`,
        { amountMinor: MAX_AMOUNT_MINOR + 1, method: 'cash' },
        'amountMinor',
      ],
      [
        'a waiver',
        () => `/api/patrons/${patronId}/waivers`,
        { chargeIds: [someId], amountMinor: MAX_AMOUNT_MINOR + 1, reason: 'r' },
        'amountMinor',
      ],
      [
        'a refund',
        () => `/api/patrons/${patronId}/refunds`,
        { amountMinor: MAX_AMOUNT_MINOR + 1, method: 'cash', reason: 'r' },
        'amountMinor',
      ],
      [
        'a dispute resolution',
        () => `/api/disputes/${someId}/resolve`,
        { outcome: 'waived_part', amountMinor: MAX_AMOUNT_MINOR + 1, resolution: 'r' },
        'amountMinor',
      ],
      [
        'a circulation rule’s fine',
        () => '/api/circulation/rules',
        { ...DEFAULT_RULE, finePerUnitMinor: MAX_AMOUNT_MINOR + 1 },
        'finePerUnitMinor',
      ],
      [
        'a circulation rule’s cap',
        () => '/api/circulation/rules',
        { ...DEFAULT_RULE, maxFineMinor: MAX_AMOUNT_MINOR + 1 },
        'maxFineMinor',
      ],
      [
        'a circulation rule’s processing fee',
        () => '/api/circulation/rules',
        { ...DEFAULT_RULE, lostProcessingFeeMinor: MAX_AMOUNT_MINOR + 1 },
        'lostProcessingFeeMinor',
      ],
      [
        'a patron category’s fine limit',
        () => '/api/patron-categories',
        {
          code: 'BIG',
          name: 'Big',
          loanLimit: 1,
          fineLimitMinor: MAX_BALANCE_MINOR + 1,
          enrolmentMonths: 12,
        },
        'fineLimitMinor',
      ],
      [
        'an item’s replacement price',
        () => `/api/catalog/records/${someId}/items`,
        { barcode: '31234000000001', branchId: someId, itemType: 'BOOK', priceMinor: MAX_AMOUNT_MINOR + 1 },
        'priceMinor',
      ],
      [
        'a card replacement fee',
        () => `/api/patrons/${patronId}/cards/replace`,
        { feeMinor: MAX_AMOUNT_MINOR + 1 },
        'feeMinor',
      ],
    ])('%s over the maximum is refused at the edge', async (_what, url, payload, field) => {
      const res = await refusedWithoutWriting({ method: 'POST', url: url(), payload }, admin);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toContain(field);
    });

    it('refuses a price, fine limit or rule over the maximum in the services too', async () => {
      const record = await s.app.services.catalog.createRecord(testActor, marcRecord('Priced'));
      await expect(
        s.app.services.catalog.addItem(testActor, record.id, {
          barcode: '31234000000002',
          branchId,
          itemType: 'BOOK',
          priceMinor: MAX_AMOUNT_MINOR + 1,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_PRICE' });
      await expect(
        s.app.services.patrons.createCategory(testActor, {
          code: 'HUGE',
          name: 'Huge',
          loanLimit: 1,
          fineLimitMinor: MAX_BALANCE_MINOR + 1,
          enrolmentMonths: 12,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_CATEGORY' });
      await expect(
        s.app.services.circulation.policies.create(testActor, {
          ...DEFAULT_RULE,
          lostProcessingFeeMinor: MAX_AMOUNT_MINOR + 1,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_CIRCULATION_RULE' });
    });

    it('keeps sums exact up to the account maximum, and refuses a charge past it', async () => {
      const patron = await makePatron(s.app);
      const fees = MAX_BALANCE_MINOR / MAX_AMOUNT_MINOR;
      for (let i = 0; i < fees; i++) {
        const res = await s.as(admin, {
          method: 'POST',
          url: `/api/patrons/${patron.id}/fees`,
          payload: { kind: 'manual', amountMinor: MAX_AMOUNT_MINOR, description: `Fee ${i}` },
        });
        expect(res.statusCode).toBe(201);
      }
      const over = await refusedWithoutWriting(
        {
          method: 'POST',
          url: `/api/patrons/${patron.id}/fees`,
          payload: { kind: 'printing', amountMinor: 1, description: 'One more' },
        },
        admin,
      );
      expect(over.statusCode).toBe(422);
      expect(over.json().error).toMatchObject({
        code: 'BALANCE_LIMIT',
        details: { owedMinor: MAX_BALANCE_MINOR, maxBalanceMinor: MAX_BALANCE_MINOR },
      });
      // A card replacement fee is refused the same way, and the card is not replaced.
      const card = await refusedWithoutWriting(
        { method: 'POST', url: `/api/patrons/${patron.id}/cards/replace`, payload: { feeMinor: 100 } },
        admin,
      );
      expect(card.statusCode).toBe(422);
      expect(card.json().error.code).toBe('BALANCE_LIMIT');

      const account = (await s.as(admin, { method: 'GET', url: `/api/patrons/${patron.id}/account` })).json();
      const lineSum = account.lines.reduce(
        (sum: number, l: { amountMinor: number }) => sum + l.amountMinor,
        0,
      );
      expect(account.totals).toMatchObject({
        balanceMinor: MAX_BALANCE_MINOR,
        outstandingMinor: MAX_BALANCE_MINOR,
      });
      expect(lineSum).toBe(MAX_BALANCE_MINOR);
      const summary = await s.app.services.fines.balanceOf(db(), patron.id);
      expect(summary.balanceMinor).toBe(MAX_BALANCE_MINOR);

      // Charges circulation works out (overdue fines, lost items) are reduced to what fits instead, so a
      // check-in or the daily accrual never fails on a patron at the limit.
      const paid = await s.as(admin, {
        method: 'POST',
        url: `/api/patrons/${patron.id}/payments`,
        payload: { amountMinor: 100, method: 'cash' },
      });
      expect(paid.statusCode).toBe(201);
      const now = new Date();
      await db()
        .transaction()
        .execute(async (trx) => {
          await s.app.services.fines.postCharge(trx, now, testActor, {
            patronId: patron.id,
            kind: 'overdue',
            amountMinor: 1000,
            description: 'Overdue: a book',
          });
          await s.app.services.fines.postCharges(trx, now, testActor, [
            { patronId: patron.id, kind: 'overdue', amountMinor: 500, description: 'Overdue: another book' },
          ]);
        });
      const after = (await s.as(admin, { method: 'GET', url: `/api/patrons/${patron.id}/account` })).json();
      expect(after.totals).toMatchObject({
        balanceMinor: MAX_BALANCE_MINOR,
        outstandingMinor: MAX_BALANCE_MINOR,
      });
      expect(after.lines[0]).toMatchObject({ kind: 'overdue', amountMinor: 100 });
      expect(after.lines).toHaveLength(fees + 2);
    });

    it('caps an uncapped overdue fine at the maximum amount', () => {
      const due = new Date('2026-01-01T12:00:00.000Z');
      const fine = overdueFine(
        due,
        new Date('2036-01-01T12:00:00.000Z'),
        {
          loanUnit: 'hours',
          finePerUnitMinor: 100_000_000,
          graceUnits: 0,
          maxFineMinor: null,
          chargeClosedDays: true,
        },
        { timeZone: 'UTC', hours: [], closedDays: [] } as never,
      );
      expect(fine).toMatchObject({ amountMinor: MAX_AMOUNT_MINOR, capped: true });
    });
  });

  describe('CSV exports neutralise formulas', () => {
    const names = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)'];

    it('writes cells starting with = + - @ behind a quote mark, and an import takes it off again', async () => {
      const ids: string[] = [];
      for (const [i, name] of names.entries())
        ids.push(
          (await makePatron(s.app, { firstName: name, lastName: `Formula${i}`, phone: '+1 555 0100' })).id,
        );
      const res = await s.as(admin, { method: 'GET', url: '/api/patrons/export.csv' });
      expect(res.statusCode).toBe(200);
      const text = res.body;
      expect(text).toContain(`,"'=HYPERLINK(""http://x"",""y"")",Formula0,`);
      expect(text).toContain(`,'+cmd|' /C calc'!A0,Formula1,`);
      expect(text).toContain(`,'-2+3,Formula2,`);
      expect(text).toContain(`,'@SUM(A1),Formula3,`);
      expect(text).toContain(",'+1 555 0100,");
      // No cell (quoted or not) starts with a character a spreadsheet reads as a formula.
      expect(text).not.toMatch(/(^|,|\n)"?([=+\-@\t]|\r(?!\n))/);
      expect(formatCsvField('\tx')).toBe("'\tx");
      expect(formatCsvField('\rx')).toBe(`"'\rx"`);

      const imported = await s.as(admin, {
        method: 'POST',
        url: '/api/patrons/import?onExisting=update',
        payload: text,
        headers: { 'content-type': 'text/csv' },
      });
      expect(imported.statusCode).toBe(200);
      for (const [i, id] of ids.entries()) {
        const patron = await s.app.services.patrons.getPatron(id);
        expect(patron).toMatchObject({ firstName: names[i], phone: '+1 555 0100' });
      }
    });
  });
});
