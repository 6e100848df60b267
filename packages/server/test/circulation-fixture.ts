import type { App } from '../src/app.ts';
import { systemActor } from '../src/kernel/actor.ts';
import type { Branch } from '../src/modules/branches/index.ts';
import type { RuleInput } from '../src/modules/circulation/index.ts';
import type { Patron } from '../src/modules/patrons/index.ts';

const SEED = systemActor('test');

/** The default rule of the test library: 21 days, 2 renewals, 25 a day after 1 day's grace, capped at 500. */
export const DEFAULT_RULE: RuleInput = {
  branchId: null,
  patronCategory: null,
  itemType: null,
  loanPeriod: 21,
  loanUnit: 'days',
  renewalsAllowed: 2,
  renewalPeriod: null,
  maxLoans: null,
  finePerUnitMinor: 25,
  graceUnits: 1,
  maxFineMinor: 500,
  holdsAllowed: 5,
  holdShelfDays: 7,
  lostAfterDays: 30,
  lostProcessingFeeMinor: 500,
  refundLostOnReturn: true,
  chargeClosedDays: false,
};

export interface TestLibrary {
  central: Branch;
  lakeside: Branch;
  /** Record ids by name. */
  records: Record<'novel' | 'atlas' | 'laptop' | 'film', string>;
  patron(name: string, overrides?: { category?: string; cardBarcode?: string }): Promise<Patron>;
}

/**
 * A small library for circulation tests: Central (New York; Mon–Fri 09:00–20:00, Sat 10:00–17:00,
 * closed Christmas Day) and Lakeside (Chicago; Tue–Sat 10:00–18:00); item types BOOK, DVD, REF
 * (library use only) and LAPTOP (4-hour loans); categories ADULT and CHILD; items:
 * novel  3000001 (Central), 3000002 (Central), 3000003 (Lakeside)
 * atlas  3000010 (REF, Central)
 * laptop 3000020 (Central)
 * film   3000030 (DVD, Lakeside)
 */
export async function makeTestLibrary(app: App): Promise<TestLibrary> {
  const { branches, catalog, patrons, circulation } = app.services;
  const library = await branches.createLibrary(SEED, { code: 'TL', name: 'Test Library' });
  const weekdays = (opens: string, closes: string, days: number[]) =>
    days.map((weekday) => ({ weekday, opens, closes }));
  const central = await branches.createBranch(SEED, {
    libraryId: library.id,
    code: 'CENTRAL',
    name: 'Central',
    timeZone: 'America/New_York',
    openingHours: [...weekdays('09:00', '20:00', [1, 2, 3, 4, 5]), ...weekdays('10:00', '17:00', [6])],
  });
  const lakeside = await branches.createBranch(SEED, {
    libraryId: library.id,
    code: 'LAKESIDE',
    name: 'Lakeside',
    timeZone: 'America/Chicago',
    openingHours: weekdays('10:00', '18:00', [2, 3, 4, 5, 6]),
  });
  await branches.addClosedDay(SEED, { branchId: null, date: '2026-12-25', reason: 'Christmas Day' });
  for (const [code, name, isCirculating] of [
    ['BOOK', 'Book', true],
    ['DVD', 'DVD', true],
    ['REF', 'Reference', false],
    ['LAPTOP', 'Laptop', true],
  ] as const) {
    await catalog.createItemType(SEED, { code, name, isCirculating });
  }
  await patrons.createCategory(SEED, {
    code: 'ADULT',
    name: 'Adult',
    loanLimit: 5,
    fineLimitMinor: 1000,
    enrolmentMonths: 12,
  });
  await patrons.createCategory(SEED, {
    code: 'CHILD',
    name: 'Child',
    loanLimit: 3,
    fineLimitMinor: 500,
    enrolmentMonths: 12,
  });
  await circulation.policies.create(SEED, DEFAULT_RULE);
  await circulation.policies.create(SEED, {
    ...DEFAULT_RULE,
    itemType: 'LAPTOP',
    loanPeriod: 4,
    loanUnit: 'hours',
    renewalsAllowed: 0,
    finePerUnitMinor: 100,
    graceUnits: 0,
    maxFineMinor: null,
  });

  const record = async (title: string) =>
    (
      await catalog.createRecord(SEED, {
        leader: '00000nam a2200000 a 4500',
        fields: [
          { tag: '008', value: '200101s2020    xxu           000 0 eng d' },
          { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
        ],
      })
    ).id;
  const records = {
    novel: await record('A novel'),
    atlas: await record('An atlas'),
    laptop: await record('A laptop'),
    film: await record('A film'),
  };
  const item = async (recordId: string, barcode: string, branchId: string, itemType: string) =>
    catalog.addItem(SEED, recordId, {
      barcode,
      branchId,
      itemType,
      status: 'available',
      priceMinor: 2000,
      callNumber: `FIC ${barcode}`,
    });
  await item(records.novel, '3000001', central.id, 'BOOK');
  await item(records.novel, '3000002', central.id, 'BOOK');
  await item(records.novel, '3000003', lakeside.id, 'BOOK');
  await item(records.atlas, '3000010', central.id, 'REF');
  await item(records.laptop, '3000020', central.id, 'LAPTOP');
  await item(records.film, '3000030', lakeside.id, 'DVD');

  let n = 0;
  return {
    central,
    lakeside,
    records,
    async patron(name, overrides = {}) {
      n++;
      return patrons.register(SEED, {
        firstName: name,
        lastName: 'Tester',
        email: `${name.toLowerCase()}@example.org`,
        categoryCode: overrides.category ?? 'ADULT',
        homeBranchId: central.id,
        cardBarcode: overrides.cardBarcode ?? `2000${String(n).padStart(3, '0')}`,
        allowDuplicate: true,
      });
    },
  };
}
