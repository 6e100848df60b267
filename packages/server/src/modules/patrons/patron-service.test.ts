import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makePatron, testActor } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import type { Executor } from '../../db/database.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { library14Config, validateBarcode } from '../../labels/index.ts';
import type { Branch } from '../branches/index.ts';
import {
  createPatronService,
  type NewPatron,
  type PatronService,
  patronByCard,
  patronById,
} from './index.ts';

/** What the test's hooks do; each test sets what it needs and resets afterwards. */
const hookState = {
  fees: [] as { patronId: string; amountMinor: number; kind: string }[],
  failFee: false,
  merges: [] as [string, string][],
  failMerge: false,
  obligations: [] as string[],
  deleted: [] as string[],
};

describe.each(testDialects())('patrons on %s', (dialect) => {
  // 02:00 UTC on 15 March is still 14 March in New York, where the branch is.
  const clock = fixedClock('2026-03-15T02:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let main: Branch;
  let patrons: PatronService;
  let db: Executor;

  beforeAll(async () => {
    t = await createTestApp(dialect, { clock, env: { STACKS_BARCODE_INSTITUTION: '0234' } });
    db = t.app.database.db;
    patrons = t.app.services.patrons;
    main = await makeBranch(t.app, 'MAIN', 'America/New_York');
    await patrons.createCategory(testActor, {
      code: 'ADULT',
      name: 'Adults',
      loanLimit: 20,
      fineLimitMinor: 1000,
      enrolmentMonths: 12,
      ageMin: 18,
    });
    await patrons.createCategory(testActor, {
      code: 'CHILD',
      name: 'Children',
      loanLimit: 5,
      enrolmentMonths: 24,
      ageMin: 0,
      ageMax: 12,
    });
    patrons.registerHooks({
      chargeFee: async (trx, _now, _actor, fee) => {
        // A real fines module writes a ledger line in the same transaction.
        await trx.selectFrom('patrons').select('id').where('id', '=', fee.patronId).executeTakeFirstOrThrow();
        if (hookState.failFee) throw new Error('ledger refused the fee');
        hookState.fees.push(fee);
      },
      onMerge: [
        async (_trx, _now, fromId, toId) => {
          if (hookState.failMerge) throw new Error('loans could not move');
          hookState.merges.push([fromId, toId]);
        },
      ],
      beforeDelete: [async () => hookState.obligations],
      onDelete: [
        async (_trx, _now, id) => {
          hookState.deleted.push(id);
        },
      ],
      exportData: [async (_trx, id) => ({ loans: [{ patronId: id, title: 'Middlemarch' }] })],
    });
  });
  afterAll(async () => t.close());

  const adult = (overrides: Partial<NewPatron> = {}): NewPatron => ({
    firstName: 'Ada',
    lastName: 'Lovelace',
    birthDate: '1990-12-10',
    email: null,
    categoryCode: 'ADULT',
    homeBranchId: main.id,
    ...overrides,
  });

  const auditOf = (entityId: string) =>
    t.app.services.audit.list({ entityType: 'patron', entityId, limit: 50 });

  describe('categories', () => {
    it('adds, changes and lists categories, auditing each change', async () => {
      const teen = await patrons.createCategory(testActor, {
        code: 'TEEN',
        name: 'Teens',
        loanLimit: 10,
        enrolmentMonths: 12,
        ageMin: 13,
        ageMax: 17,
      });
      expect(teen).toMatchObject({ code: 'TEEN', fineLimitMinor: null, ageMax: 17 });
      const changed = await patrons.updateCategory(testActor, 'TEEN', { loanLimit: 12, fineLimitMinor: 500 });
      expect(changed).toMatchObject({ loanLimit: 12, fineLimitMinor: 500, name: 'Teens' });
      const [entry] = await t.app.services.audit.list({
        entityType: 'patron_category',
        entityId: 'TEEN',
        limit: 1,
      });
      expect(entry).toMatchObject({
        action: 'patron_category.updated',
        changes: { loanLimit: { from: 10, to: 12 }, fineLimitMinor: { from: null, to: 500 } },
      });
      expect((await patrons.listCategories()).map((c) => c.code)).toEqual(['ADULT', 'CHILD', 'TEEN']);
      await patrons.deleteCategory(testActor, 'TEEN');
      await expect(patrons.getCategory('TEEN')).rejects.toMatchObject({ code: 'CATEGORY_NOT_FOUND' });
    });

    it.each([
      [{ loanLimit: -1 }, /loan limit/],
      [{ fineLimitMinor: -1 }, /fine limit/],
      [{ enrolmentMonths: 0 }, /1 to 120 months/],
      [{ enrolmentMonths: 121 }, /1 to 120 months/],
      [{ ageMin: 18, ageMax: 12 }, /minimum age \(18\) is above the maximum age \(12\)/],
      [{ code: 'has space' }, /category code/],
      [{ name: ' ' }, /needs a name/],
    ])('refuses %o with INVALID_CATEGORY and writes nothing', async (change, message) => {
      const before = await rowCounts(db);
      await expect(
        patrons.createCategory(testActor, {
          code: 'BAD',
          name: 'Bad',
          loanLimit: 1,
          enrolmentMonths: 12,
          ...change,
        }),
      ).rejects.toMatchObject({ code: 'INVALID_CATEGORY', message: expect.stringMatching(message) });
      expect(await rowCounts(db)).toEqual(before);
    });

    it('refuses a code that exists, a change that breaks the limits, and deleting a category in use', async () => {
      await expect(
        patrons.createCategory(testActor, { code: 'ADULT', name: 'Again', loanLimit: 1, enrolmentMonths: 1 }),
      ).rejects.toMatchObject({ code: 'CATEGORY_EXISTS' });
      await expect(patrons.updateCategory(testActor, 'ADULT', { ageMax: 10 })).rejects.toMatchObject({
        code: 'INVALID_CATEGORY',
      });
      await expect(patrons.updateCategory(testActor, 'NOPE', { loanLimit: 1 })).rejects.toMatchObject({
        code: 'CATEGORY_NOT_FOUND',
      });
      await makePatron(t.app, { categoryCode: 'ADULT', birthDate: null });
      const before = await rowCounts(db);
      await expect(patrons.deleteCategory(testActor, 'ADULT')).rejects.toMatchObject({
        code: 'CATEGORY_IN_USE',
        message: expect.stringMatching(/patron records? (is|are) in category ADULT/),
      });
      expect(await rowCounts(db)).toEqual(before);
    });
  });

  describe('registration', () => {
    it('registers with a generated library barcode and an expiry counted from the branch’s own date', async () => {
      const patron = await patrons.register(
        testActor,
        adult({ firstName: 'Grace', lastName: 'Hopper', pin: '2468' }),
      );
      expect(patron).toMatchObject({
        firstName: 'Grace',
        status: 'active',
        expiresOn: '2027-03-14',
        noticeChannel: 'print',
        language: 'en',
        keepHistory: false,
        hasPin: true,
      });
      expect(JSON.stringify(patron)).not.toContain('scrypt');
      expect(patron.cardBarcode).toMatch(/^20234\d{9}$/);
      expect(validateBarcode(library14Config('patron', '0234'), patron.cardBarcode).valid).toBe(true);
      const cards = await patrons.listCards(patron.id);
      expect(cards).toMatchObject([{ barcode: patron.cardBarcode, status: 'active', replacedAt: null }]);
      const stored = await db
        .selectFrom('patrons')
        .selectAll()
        .where('id', '=', patron.id)
        .executeTakeFirstOrThrow();
      expect(stored.pin_hash).toMatch(/^scrypt\$/);
      expect(stored.name_key).toBe('hopper grace');
      const [entry] = await auditOf(patron.id);
      expect(entry).toMatchObject({
        action: 'patron.registered',
        actorType: 'system',
        changes: { cardBarcode: patron.cardBarcode, categoryCode: 'ADULT', expiresOn: '2027-03-14' },
      });
      expect(JSON.stringify(entry)).not.toMatch(/Grace|Hopper|1234/);
    });

    it('gives each patron a different generated card, and takes a pre-printed card as given', async () => {
      const a = await makePatron(t.app);
      const b = await makePatron(t.app);
      expect(a.cardBarcode).not.toBe(b.cardBarcode);
      const printed = await makePatron(t.app, { cardBarcode: 'P-000123', email: 'ada@example.org' });
      expect(printed).toMatchObject({ cardBarcode: 'P-000123', noticeChannel: 'email' });
    });

    it.each([
      [{ firstName: '  ' }, 'INVALID_NAME'],
      [{ lastName: '' }, 'INVALID_NAME'],
      [{ lastName: '---' }, 'INVALID_NAME'],
      [{ email: 'not-an-address' }, 'INVALID_EMAIL'],
      [{ birthDate: '2026-02-30' }, 'INVALID_BIRTH_DATE'],
      [{ birthDate: '2026-03-14' }, 'INVALID_BIRTH_DATE'],
      [{ birthDate: '2030-01-01' }, 'INVALID_BIRTH_DATE'],
      [{ birthDate: '1850-01-01' }, 'INVALID_BIRTH_DATE'],
      [{ expiresOn: '2026-13-01' }, 'INVALID_DATE'],
      [{ expiresOn: '2026-03-13' }, 'INVALID_DATE'],
      [{ categoryCode: 'NOPE' }, 'CATEGORY_NOT_FOUND'],
      [{ homeBranchId: '01900000-0000-7000-8000-000000000000' }, 'BRANCH_NOT_FOUND'],
      [{ birthDate: '2015-06-01' }, 'AGE_OUTSIDE_CATEGORY'],
      [{ categoryCode: 'CHILD', birthDate: '2018-01-01' }, 'GUARANTOR_REQUIRED'],
      [{ guarantorId: '01900000-0000-7000-8000-000000000000' }, 'GUARANTOR_NOT_FOUND'],
      [{ pin: '12' }, 'INVALID_PIN'],
      [{ pin: '1234' }, 'INVALID_PIN'],
      [{ cardBarcode: 'has space' }, 'INVALID_BARCODE'],
      [{ noticeChannel: 'email' as const }, 'INVALID_NOTICE_CHANNEL'],
      [{ language: 'English' }, 'INVALID_LANGUAGE'],
    ])('refuses %o with %s and writes nothing', async (change, code) => {
      const before = await rowCounts(db);
      await expect(
        patrons.register(testActor, adult({ firstName: 'Nobody', ...change })),
      ).rejects.toMatchObject({
        code,
      });
      expect(await rowCounts(db)).toEqual(before);
    });

    it('says why an age does not fit and that minors need an adult guarantor', async () => {
      await expect(patrons.register(testActor, adult({ birthDate: '2015-06-01' }))).rejects.toMatchObject({
        message: 'The patron is 10; category ADULT is for ages 18 and up; choose another category',
      });
      const child = adult({ firstName: 'Kim', categoryCode: 'CHILD', birthDate: '2018-01-01' });
      await expect(patrons.register(testActor, child)).rejects.toMatchObject({
        message: 'Patrons in category CHILD are minors and need a guarantor: an active adult patron',
      });
      const parent = await makePatron(t.app, { firstName: 'Parent', birthDate: '1980-01-01' });
      const kim = await patrons.register(testActor, { ...child, guarantorId: parent.id });
      expect(kim).toMatchObject({ guarantorId: parent.id, expiresOn: '2028-03-14' });
      // A minor cannot answer for another minor.
      await expect(
        patrons.register(testActor, { ...child, firstName: 'Lee', guarantorId: kim.id }),
      ).rejects.toMatchObject({ code: 'GUARANTOR_NOT_ELIGIBLE' });
    });

    it('refuses a card barcode any card ever had, replaced ones included', async () => {
      const holder = await makePatron(t.app, { cardBarcode: 'TAKEN-1' });
      await patrons.replaceCard(testActor, holder.id, { reason: 'lost' });
      const before = await rowCounts(db);
      for (const cardBarcode of ['TAKEN-1', holder.cardBarcode])
        await expect(makePatron(t.app, { cardBarcode })).rejects.toMatchObject({ code: 'PATRON_CARD_TAKEN' });
      expect(await rowCounts(db)).toEqual(before);
    });
  });

  describe('possible duplicates', () => {
    it('refuses the same folded name and birth date, or the same e-mail, naming the candidates', async () => {
      const first = await patrons.register(
        testActor,
        adult({ firstName: 'Jürgen', lastName: 'Müller', birthDate: '1970-05-05', email: 'JM@example.org' }),
      );
      const before = await rowCounts(db);
      const error = await patrons
        .register(testActor, adult({ firstName: 'JURGEN', lastName: 'MULLER', birthDate: '1970-05-05' }))
        .catch((e) => e);
      expect(error).toMatchObject({
        code: 'PATRON_POSSIBLE_DUPLICATE',
        details: {
          candidates: [
            {
              id: first.id,
              name: 'Jürgen Müller',
              cardBarcode: first.cardBarcode,
              birthDate: '1970-05-05',
              email: 'JM@example.org',
            },
          ],
        },
      });
      await expect(
        patrons.register(
          testActor,
          adult({ firstName: 'Other', lastName: 'Person', email: 'jm@EXAMPLE.org ' }),
        ),
      ).rejects.toMatchObject({ code: 'PATRON_POSSIBLE_DUPLICATE' });
      expect(await rowCounts(db)).toEqual(before);

      // A different birth date is a different person.
      await patrons.register(
        testActor,
        adult({ firstName: 'Jurgen', lastName: 'Muller', birthDate: '1971-05-05' }),
      );
      // Staff may register anyway after checking; the audit entry says whom it resembled.
      const second = await patrons.register(
        testActor,
        adult({ firstName: 'Jurgen', lastName: 'Muller', birthDate: '1970-05-05', allowDuplicate: true }),
      );
      const [entry] = await auditOf(second.id);
      expect(entry!.changes).toMatchObject({ possibleDuplicateOf: [first.id] });
    });

    it('lets a form check before saving, leaving out the patron being edited', async () => {
      const found = await patrons.findDuplicates({
        firstName: 'jurgen',
        lastName: 'müller',
        birthDate: '1970-05-05',
      });
      expect(found.length).toBe(2);
      const again = await patrons.findDuplicates({
        firstName: 'Jurgen',
        lastName: 'Muller',
        birthDate: '1970-05-05',
        excludeId: found[0]!.id,
      });
      expect(again.map((c) => c.id)).toEqual([found[1]!.id]);
      expect(
        await patrons.findDuplicates({ firstName: 'No', lastName: 'One', birthDate: null, email: null }),
      ).toEqual([]);
    });
  });

  describe('search', () => {
    let zoe: Awaited<ReturnType<typeof makePatron>>;
    beforeAll(async () => {
      zoe = await makePatron(t.app, {
        firstName: 'Zoë',
        lastName: "O'Brien-Núñez",
        email: 'zoe.obrien@example.org',
        phone: '(555) 010-4477',
      });
      for (let i = 0; i < 5; i++)
        await makePatron(t.app, { firstName: `Paging${i}`, lastName: 'Searchable' });
    });

    it.each([['zoe'], ['nunez zo'], ['ZO NÚÑ'], ['brien']])('finds a patron by name words %j', async (q) => {
      const page = await patrons.search({ q });
      expect(page.patrons.map((p) => p.id)).toContain(zoe.id);
    });

    it('finds by card barcode, e-mail (any case) and phone digits, and not by a word inside a name', async () => {
      for (const q of [zoe.cardBarcode, 'ZOE.OBRIEN@example.org', '555 010 4477', '5550104477']) {
        expect(
          (await patrons.search({ q })).patrons.map((p) => p.id),
          q,
        ).toEqual([zoe.id]);
      }
      expect((await patrons.search({ q: 'rien' })).total).toBe(0);
    });

    it('pages results by name', async () => {
      const first = await patrons.search({ q: 'searchable', pageSize: 2 });
      expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
      const third = await patrons.search({ q: 'searchable', pageSize: 2, page: 3 });
      expect(third.patrons.map((p) => p.firstName)).toEqual(['Paging4']);
    });
  });

  describe('changes', () => {
    it('changes a record and audits the before and after of each changed field', async () => {
      const p = await makePatron(t.app, { firstName: 'Edit', lastName: 'Me', phone: '555-1000' });
      const changed = await patrons.update(testActor, p.id, {
        phone: '555-2000',
        email: 'edit.me@example.org',
        noticeChannel: 'email',
        language: 'es',
        firstName: 'Edit',
      });
      expect(changed).toMatchObject({ phone: '555-2000', noticeChannel: 'email', language: 'es' });
      const [entry] = await auditOf(p.id);
      expect(entry).toMatchObject({
        action: 'patron.updated',
        changes: {
          phone: { from: '555-1000', to: '555-2000' },
          email: { from: null, to: 'edit.me@example.org' },
          noticeChannel: { from: 'print', to: 'email' },
          language: { from: 'en', to: 'es' },
        },
      });
      expect(entry!.changes).not.toHaveProperty('firstName');
      // Taking away the e-mail address moves notices to print.
      expect(await patrons.update(testActor, p.id, { email: null })).toMatchObject({
        noticeChannel: 'print',
      });
    });

    it('refuses a change to look like another patron, and bad values, writing nothing', async () => {
      const a = await makePatron(t.app, { firstName: 'Twin', lastName: 'One', birthDate: '1985-01-01' });
      const b = await makePatron(t.app, { firstName: 'Twin', lastName: 'Two', birthDate: '1985-01-01' });
      const before = await rowCounts(db);
      await expect(patrons.update(testActor, b.id, { lastName: 'One' })).rejects.toMatchObject({
        code: 'PATRON_POSSIBLE_DUPLICATE',
        details: { candidates: [expect.objectContaining({ id: a.id })] },
      });
      await expect(patrons.update(testActor, b.id, { email: 'bad' })).rejects.toMatchObject({
        code: 'INVALID_EMAIL',
      });
      await expect(patrons.update(testActor, b.id, { guarantorId: b.id })).rejects.toMatchObject({
        code: 'GUARANTOR_NOT_ELIGIBLE',
      });
      await expect(
        patrons.update(testActor, '01900000-0000-7000-8000-000000000000', { phone: '1' }),
      ).rejects.toMatchObject({ code: 'PATRON_NOT_FOUND' });
      expect(await rowCounts(db)).toEqual(before);
    });

    it('renews membership to one period from today, no further, also once it has passed', async () => {
      const p = await makePatron(t.app, { expiresOn: '2026-06-30' });
      expect((await patrons.renew(testActor, p.id)).expiresOn).toBe('2027-03-14');
      expect((await patrons.renew(testActor, p.id)).expiresOn).toBe('2027-03-14');
      const lapsed = await makePatron(t.app);
      await db.updateTable('patrons').set({ expires_on: '2025-01-31' }).where('id', '=', lapsed.id).execute();
      expect((await patrons.renew(testActor, lapsed.id)).expiresOn).toBe('2027-03-14');
      const [entry] = await auditOf(lapsed.id);
      expect(entry).toMatchObject({
        action: 'patron.renewed',
        changes: { expiresOn: { from: '2025-01-31', to: '2027-03-14' } },
      });
    });

    it('sets and clears a PIN without logging it', async () => {
      const p = await makePatron(t.app);
      await expect(patrons.setPin(testActor, p.id, '12')).rejects.toMatchObject({ code: 'INVALID_PIN' });
      await patrons.setPin(testActor, p.id, '985314');
      expect((await patrons.getPatron(p.id)).hasPin).toBe(true);
      await patrons.setPin(testActor, p.id, null);
      expect((await patrons.getPatron(p.id)).hasPin).toBe(false);
      const actions = (await auditOf(p.id)).map((e) => e.action);
      expect(actions.slice(0, 2)).toEqual(['patron.pin_cleared', 'patron.pin_set']);
      expect(JSON.stringify(await auditOf(p.id))).not.toContain('985314');
    });
  });

  describe('blocks', () => {
    it('adds, lists and lifts manual blocks; circulation sees only those in force', async () => {
      const p = await makePatron(t.app);
      const first = await patrons.addBlock(testActor, p.id, '  Damaged three books  ');
      const second = await patrons.addBlock(testActor, p.id, 'Address unknown');
      expect(first).toMatchObject({
        reason: 'Damaged three books',
        createdBy: 'system:test',
        liftedAt: null,
      });
      const lifted = await patrons.liftBlock(testActor, p.id, first.id);
      expect(lifted).toMatchObject({ liftedAt: '2026-03-15T02:00:00.000Z', liftedBy: 'system:test' });
      expect((await patrons.listBlocks(p.id)).map((b) => b.id).sort()).toEqual([first.id, second.id].sort());
      expect((await patrons.listBlocks(p.id, { includeLifted: false })).map((b) => b.id)).toEqual([
        second.id,
      ]);
      const circ = await patronByCard(db, p.cardBarcode);
      expect(circ.manualBlocks).toEqual([
        { id: second.id, reason: 'Address unknown', createdAt: second.createdAt },
      ]);
    });

    it('refuses an empty reason, lifting twice, and a block of another patron', async () => {
      const p = await makePatron(t.app);
      const other = await makePatron(t.app);
      await expect(patrons.addBlock(testActor, p.id, '   ')).rejects.toMatchObject({
        code: 'INVALID_REASON',
      });
      const block = await patrons.addBlock(testActor, p.id, 'Reason');
      await expect(patrons.liftBlock(testActor, other.id, block.id)).rejects.toMatchObject({
        code: 'PATRON_BLOCK_NOT_FOUND',
      });
      await patrons.liftBlock(testActor, p.id, block.id);
      await expect(patrons.liftBlock(testActor, p.id, block.id)).rejects.toMatchObject({
        code: 'PATRON_BLOCK_LIFTED',
      });
    });
  });

  describe('cards', () => {
    it('replaces a card: the old one stops working with the day it was replaced, history is kept', async () => {
      const p = await makePatron(t.app);
      const old = p.cardBarcode;
      const { patron, card } = await patrons.replaceCard(testActor, p.id, { reason: 'lost' });
      expect(patron.cardBarcode).toBe(card.barcode);
      expect(card.barcode).not.toBe(old);
      expect(await patrons.listCards(p.id)).toMatchObject([
        { barcode: card.barcode, status: 'active' },
        { barcode: old, status: 'replaced', replacedAt: '2026-03-15T02:00:00.000Z', replaceReason: 'lost' },
      ]);
      await expect(patronByCard(db, old)).rejects.toMatchObject({
        code: 'PATRON_CARD_REPLACED',
        message: "This card was replaced on 2026-03-15; ask for the patron's current card",
      });
      await expect(patrons.getByCard(old)).rejects.toMatchObject({ code: 'PATRON_CARD_REPLACED' });
      expect((await patrons.getByCard(card.barcode)).id).toBe(p.id);
      const [entry] = await auditOf(p.id);
      expect(entry).toMatchObject({
        action: 'patron.card_replaced',
        changes: { from: old, to: card.barcode },
      });
    });

    it('charges a replacement fee in the same transaction, and undoes the replacement when the charge fails', async () => {
      const p = await makePatron(t.app);
      hookState.fees = [];
      await patrons.replaceCard(testActor, p.id, { feeMinor: 150, cardBarcode: 'FEE-CARD-1' });
      expect(hookState.fees).toEqual([
        expect.objectContaining({ patronId: p.id, amountMinor: 150, kind: 'card_replacement' }),
      ]);
      hookState.failFee = true;
      const before = await rowCounts(db);
      await expect(patrons.replaceCard(testActor, p.id, { feeMinor: 150 })).rejects.toThrow(
        'ledger refused the fee',
      );
      hookState.failFee = false;
      expect(await rowCounts(db)).toEqual(before);
      expect((await patrons.getPatron(p.id)).cardBarcode).toBe('FEE-CARD-1');
    });

    it('refuses a fee when no module charges fees, rather than forgetting it', async () => {
      const bare = createPatronService({
        db,
        clock,
        branches: t.app.services.branches,
        barcodeInstitution: '0234',
      });
      const p = await makePatron(t.app);
      const before = await rowCounts(db);
      await expect(bare.replaceCard(testActor, p.id, { feeMinor: 100 })).rejects.toMatchObject({
        code: 'PATRON_FEE_UNAVAILABLE',
      });
      expect(await rowCounts(db)).toEqual(before);
      await expect(bare.replaceCard(testActor, p.id, { feeMinor: -1 })).rejects.toMatchObject({
        code: 'INVALID_FEE',
      });
    });

    it('refuses a new barcode another card has, and a replacement for a patron no longer active', async () => {
      const p = await makePatron(t.app);
      const other = await makePatron(t.app);
      const before = await rowCounts(db);
      await expect(
        patrons.replaceCard(testActor, p.id, { cardBarcode: other.cardBarcode }),
      ).rejects.toMatchObject({ code: 'PATRON_CARD_TAKEN' });
      expect(await rowCounts(db)).toEqual(before);
      expect((await patrons.getByCard(p.cardBarcode)).id).toBe(p.id);
      await patrons.deletePatron(testActor, other.id);
      await expect(patrons.replaceCard(testActor, other.id, {})).rejects.toMatchObject({
        code: 'PATRON_INACTIVE',
      });
    });

    it('prints the card as a one-page PDF', async () => {
      const p = await makePatron(t.app, { firstName: 'Zoë', lastName: 'Card' });
      const pdf = await patrons.cardPdf(p.id);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length).toBe(1);
      const preprinted = await makePatron(t.app, { cardBarcode: 'LIB-77' });
      expect((await patrons.cardPdf(preprinted.id)).length).toBeGreaterThan(1000);
    });
  });

  describe('merging duplicates', () => {
    it('moves cards (retired), blocks and guarantees to the kept patron and marks the duplicate merged', async () => {
      const keep = await makePatron(t.app, { firstName: 'Keep', birthDate: '1960-01-01' });
      const dup = await makePatron(t.app, { firstName: 'Dup', birthDate: '1960-01-01' });
      const child = await makePatron(t.app, {
        categoryCode: 'CHILD',
        birthDate: '2019-01-01',
        guarantorId: dup.id,
      });
      const block = await patrons.addBlock(testActor, dup.id, 'Unpaid bill');
      hookState.merges = [];
      const kept = await patrons.merge(testActor, { keepId: keep.id, mergeId: dup.id });
      expect(kept.id).toBe(keep.id);
      expect(hookState.merges).toEqual([[dup.id, keep.id]]);
      const cards = await patrons.listCards(keep.id);
      expect(cards.map((c) => [c.barcode, c.status])).toEqual(
        expect.arrayContaining([
          [keep.cardBarcode, 'active'],
          [dup.cardBarcode, 'replaced'],
        ]),
      );
      expect((await patrons.listBlocks(keep.id)).map((b) => b.id)).toEqual([block.id]);
      expect((await patrons.getPatron(child.id)).guarantorId).toBe(keep.id);
      expect(await patrons.getPatron(dup.id)).toMatchObject({ status: 'merged', mergedIntoId: keep.id });
      await expect(patronByCard(db, dup.cardBarcode)).rejects.toMatchObject({ code: 'PATRON_CARD_REPLACED' });
      expect((await patronById(db, dup.id)).status).toBe('merged');
      const [entry] = await auditOf(keep.id);
      expect(entry).toMatchObject({
        action: 'patron.merged',
        changes: { mergedId: dup.id, cardsMoved: 1, blocksMoved: 1 },
      });
      // A merged record no longer counts as a duplicate and cannot be merged again.
      expect(
        (await patrons.findDuplicates({ firstName: 'Dup', lastName: 'Tester', birthDate: '1960-01-01' }))
          .length,
      ).toBe(0);
      await expect(patrons.merge(testActor, { keepId: keep.id, mergeId: dup.id })).rejects.toMatchObject({
        code: 'PATRON_INACTIVE',
      });
    });

    it('refuses merging a patron into itself, and leaves everything as it was when a step fails', async () => {
      const a = await makePatron(t.app);
      const b = await makePatron(t.app);
      await expect(patrons.merge(testActor, { keepId: a.id, mergeId: a.id })).rejects.toMatchObject({
        code: 'PATRON_MERGE_SAME',
      });
      hookState.failMerge = true;
      const before = await rowCounts(db);
      await expect(patrons.merge(testActor, { keepId: a.id, mergeId: b.id })).rejects.toThrow(
        'loans could not move',
      );
      hookState.failMerge = false;
      expect(await rowCounts(db)).toEqual(before);
      expect((await patrons.getByCard(b.cardBarcode)).status).toBe('active');
    });
  });

  describe('privacy', () => {
    it('exports everything about a patron, with what other modules add', async () => {
      const p = await makePatron(t.app, { email: 'export.me@example.org', notes: 'Prefers large print' });
      await patrons.addBlock(testActor, p.id, 'Lost item');
      const data = await patrons.exportData(p.id, testActor);
      expect(data).toMatchObject({
        patron: { id: p.id, email: 'export.me@example.org', notes: 'Prefers large print' },
        cards: [{ barcode: p.cardBarcode }],
        blocks: [{ reason: 'Lost item' }],
        loans: [{ patronId: p.id, title: 'Middlemarch' }],
      });
      expect(JSON.stringify(data)).not.toContain('pin');
      expect((await auditOf(p.id))[0]!.action).toBe('patron.exported');
    });

    it('refuses to delete while other modules report obligations or the patron guarantees a minor', async () => {
      const p = await makePatron(t.app, { birthDate: '1975-01-01' });
      hookState.obligations = ['has 2 items on loan', 'owes 3.50'];
      const before = await rowCounts(db);
      await expect(patrons.deletePatron(testActor, p.id)).rejects.toMatchObject({
        code: 'PATRON_HAS_OBLIGATIONS',
        details: { reasons: ['has 2 items on loan', 'owes 3.50'] },
      });
      hookState.obligations = [];
      await makePatron(t.app, { categoryCode: 'CHILD', birthDate: '2020-02-02', guarantorId: p.id });
      const afterChild = await rowCounts(db);
      await expect(patrons.deletePatron(testActor, p.id)).rejects.toMatchObject({
        code: 'PATRON_HAS_OBLIGATIONS',
        details: { reasons: ['is the guarantor of 1 active patron; name another guarantor first'] },
      });
      expect(await rowCounts(db)).toEqual(afterChild);
      expect(before.patrons).toBe(afterChild.patrons! - 1);
    });

    it('empties a deleted patron’s personal data but keeps the row; the card stops working', async () => {
      const p = await makePatron(t.app, {
        firstName: 'Forget',
        lastName: 'Me',
        birthDate: '1991-09-09',
        email: 'forget.me@example.org',
        phone: '555-9999',
        address: '1 Privacy Lane',
        notes: 'Reads mysteries',
        pin: '4231',
      });
      await patrons.addBlock(testActor, p.id, 'Some reason');
      const older = await makePatron(t.app, {
        firstName: 'Forget',
        lastName: 'Me',
        email: 'old.me@example.org',
      });
      await patrons.merge(testActor, { keepId: p.id, mergeId: older.id });
      hookState.deleted = [];
      await patrons.deletePatron(testActor, p.id);
      expect(hookState.deleted).toEqual([p.id]);
      const row = await db.selectFrom('patrons').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        first_name: 'Deleted',
        last_name: 'Deleted',
        birth_date: null,
        email: null,
        email_key: null,
        phone: null,
        address: null,
        notes: null,
        pin_hash: null,
        status: 'deleted',
      });
      // The record merged into this one described the same person: it is emptied as well.
      expect(await patrons.getPatron(older.id)).toMatchObject({
        firstName: 'Deleted',
        email: null,
        status: 'deleted',
        mergedIntoId: p.id,
      });
      expect(await patrons.listBlocks(p.id)).toEqual([]);
      await expect(patronByCard(db, p.cardBarcode)).rejects.toMatchObject({ code: 'PATRON_CARD_REPLACED' });
      expect((await patrons.search({ q: 'forget' })).total).toBe(0);
      const entries = await auditOf(p.id);
      expect(entries[0]).toMatchObject({ action: 'patron.deleted', changes: null });
      await expect(patrons.deletePatron(testActor, p.id)).rejects.toMatchObject({ code: 'PATRON_INACTIVE' });
      await expect(patrons.update(testActor, p.id, { phone: '1' })).rejects.toMatchObject({
        code: 'PATRON_INACTIVE',
      });
    });
  });

  describe('for circulation', () => {
    it('looks a patron up by card with the category limits, in the caller’s transaction', async () => {
      const p = await makePatron(t.app, { email: 'circ@example.org', language: 'es', keepHistory: true });
      const found = await db.transaction().execute((trx) => patronByCard(trx, ` ${p.cardBarcode} `));
      expect(found).toEqual({
        id: p.id,
        cardBarcode: p.cardBarcode,
        firstName: p.firstName,
        lastName: 'Tester',
        birthDate: null,
        email: 'circ@example.org',
        language: 'es',
        noticeChannel: 'email',
        categoryCode: 'ADULT',
        homeBranchId: main.id,
        expiresOn: '2027-03-14',
        keepHistory: true,
        status: 'active',
        category: { code: 'ADULT', name: 'Adults', loanLimit: 20, fineLimitMinor: 1000 },
        manualBlocks: [],
      });
      expect(await patronById(db, p.id)).toEqual(found);
    });

    it('answers PATRON_NOT_FOUND for an unknown card or id', async () => {
      await expect(patronByCard(db, 'NO-SUCH-CARD')).rejects.toMatchObject({ code: 'PATRON_NOT_FOUND' });
      await expect(patronById(db, '01900000-0000-7000-8000-000000000000')).rejects.toMatchObject({
        code: 'PATRON_NOT_FOUND',
      });
    });
  });
});
