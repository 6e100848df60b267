/**
 * Test support for the fines tests only (no production code imports it): patrons inserted as rows,
 * since fines tests need patrons to charge, not the patrons module's rules.
 */
import type { Executor } from '../../db/database.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { BranchService } from '../branches/index.ts';
import type { CatalogService } from '../catalog/index.ts';

/** The parts of the app the fixtures use (the app itself, as tests pass it). */
interface App {
  database: { db: Executor };
  clock: Clock;
  services: { branches: BranchService; catalog: CatalogService };
}

let cards = 0;

/** Adds a patron (and the category `ADULT` and a branch when missing) and returns its id. */
export async function insertPatron(
  app: App,
  name: { first: string; last: string } = { first: 'Pat', last: 'Ron' },
): Promise<string> {
  const db = app.database.db;
  const now = app.clock.now().toISOString();
  await db
    .insertInto('patron_categories')
    .values({
      code: 'ADULT',
      name: 'Adult',
      loan_limit: 30,
      fine_limit_minor: 1000,
      enrolment_months: 12,
      age_min: null,
      age_max: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  let branch = (await app.services.branches.listBranches())[0];
  if (!branch) {
    const libraries = await app.services.branches.listLibraries();
    const actor = { type: 'system', name: 'test' } as const;
    const library =
      libraries[0] ??
      (await app.services.branches.createLibrary(actor, { code: 'TEST', name: 'Test Library' }));
    branch = await app.services.branches.createBranch(actor, {
      libraryId: library.id,
      code: 'MAIN',
      name: 'Main branch',
      timeZone: 'America/New_York',
    });
  }
  const id = newId(Date.parse(now));
  cards++;
  await db
    .insertInto('patrons')
    .values({
      id,
      card_barcode: `2${String(cards).padStart(13, '0')}`,
      first_name: name.first,
      last_name: name.last,
      name_key: `${name.last} ${name.first}`.toLowerCase(),
      birth_date: null,
      email: null,
      email_key: null,
      phone: null,
      address: null,
      category_code: 'ADULT',
      home_branch_id: branch.id,
      pin_hash: null,
      expires_on: '2030-01-01',
      notes: null,
      guarantor_id: null,
      notice_channel: 'email',
      language: 'en',
      keep_history: false,
      status: 'active',
      merged_into_id: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

let items = 0;

/**
 * Adds a record, an item and a loan of it to the patron (the loan row inserted directly: circulation's
 * rules are not what fines tests are about). Returns the loan and item ids.
 */
export async function insertLoan(app: App, patronId: string): Promise<{ loanId: string; itemId: string }> {
  const actor = { type: 'system', name: 'test' } as const;
  const catalog = app.services.catalog;
  if (!(await catalog.listItemTypes()).some((t) => t.code === 'BOOK'))
    await catalog.createItemType(actor, { code: 'BOOK', name: 'Book', isCirculating: true });
  const branch = (await app.services.branches.listBranches())[0]!;
  items++;
  const record = await catalog.createRecord(actor, {
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '008', value: '990101s2001    nyu           000 0 eng d' },
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: `Lost book ${items}` }] },
    ],
  });
  const item = await catalog.addItem(actor, record.id, {
    barcode: `3100000${String(items).padStart(7, '0')}`,
    branchId: branch.id,
    itemType: 'BOOK',
    status: 'available',
  });
  const now = app.clock.now();
  const loanId = newId(now.getTime());
  await app.database.db
    .insertInto('loans')
    .values({
      id: loanId,
      item_id: item.id,
      patron_id: patronId,
      branch_id: branch.id,
      rule_id: null,
      checked_out_at: now.toISOString(),
      due_at: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
      loan_unit: 'days',
      renewals: 0,
      fine_per_unit_minor: 25,
      grace_units: 0,
      max_fine_minor: null,
      charge_closed_days: false,
      fine_charged_minor: 0,
      status: 'lost',
      lost_at: now.toISOString(),
      returned_at: null,
      returned_branch_id: null,
      checked_out_by: 'system:test',
      override_reason: null,
      anonymised_at: null,
    })
    .execute();
  return { loanId, itemId: item.id };
}
