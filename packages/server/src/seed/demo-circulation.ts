import { randomInt } from 'node:crypto';
import type { App } from '../app.ts';
import { type Actor, systemActor } from '../kernel/actor.ts';
import { fixedClock } from '../kernel/clock.ts';
import type { Branch } from '../modules/branches/index.ts';
import { createCirculation, type RuleInput } from '../modules/circulation/index.ts';
import { patronByCard, patronById } from '../modules/patrons/index.ts';
import { isGuessable } from '../modules/staff/index.ts';

const SEED = systemActor('seed');
const DAY = 86_400_000;

/** A demo patron who can log in to the public catalog (their PIN is generated and printed once). */
export interface DemoPatronLogin {
  name: string;
  cardBarcode: string;
  pin: string;
}

const DEFAULT_RULE: RuleInput = {
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
  holdsAllowed: 10,
  holdShelfDays: 7,
  lostAfterDays: 45,
  lostProcessingFeeMinor: 500,
  refundLostOnReturn: true,
  chargeClosedDays: false,
};

const PATRONS: [first: string, last: string, category: string, birth: string | null][] = [
  ['Maya', 'Okafor', 'ADULT', '1987-03-14'],
  ['Daniel', 'Kowalski', 'ADULT', '1979-11-02'],
  ['Priya', 'Raman', 'ADULT', '1992-06-21'],
  ['Tomás', 'Herrera', 'ADULT', '1985-01-30'],
  ['Grace', 'Liu', 'ADULT', '1990-09-09'],
  ['Samuel', 'Adeyemi', 'ADULT', '1975-04-18'],
  ['Hannah', 'Schmidt', 'ADULT', '1998-12-05'],
  ['Omar', 'Haddad', 'ADULT', '1983-07-27'],
  ['Eleanor', 'Brooks', 'SENIOR', '1948-02-11'],
  ['Walter', 'Nguyen', 'SENIOR', '1952-10-23'],
  ['Lily', 'Okafor', 'CHILD', '2016-05-02'],
  ['Noah', 'Kowalski', 'CHILD', '2014-08-19'],
  ['Zara', 'Raman', 'CHILD', '2018-03-07'],
  ['Ines', 'Moreau', 'STAFF', '1988-06-01'],
];

/**
 * A lively demo library for the desk: patron categories and circulation rules, patrons of each
 * category (children with a guarantor), current and overdue loans, waiting and trapped holds, a
 * transit, fines with a partial payment, and one open dispute. The past is played through
 * circulation itself with a clock set back, so every loan, fine and hold is what the rules make.
 */
export async function seedDemoCirculation(app: App, branches: Branch[]): Promise<DemoPatronLogin> {
  const { patrons, fines, notices, circulation } = app.services;
  const [central, lakeside] = branches;
  if (!central || !lakeside) throw new Error('the demo circulation needs the two demo branches');

  for (const c of [
    { code: 'ADULT', name: 'Adult', loanLimit: 30, fineLimitMinor: 1000, enrolmentMonths: 12, ageMin: 18 },
    { code: 'CHILD', name: 'Child', loanLimit: 15, fineLimitMinor: 500, enrolmentMonths: 12, ageMax: 17 },
    {
      code: 'SENIOR',
      name: 'Senior (65+)',
      loanLimit: 30,
      fineLimitMinor: 1000,
      enrolmentMonths: 24,
      ageMin: 65,
    },
    { code: 'STAFF', name: 'Library staff', loanLimit: 50, fineLimitMinor: null, enrolmentMonths: 36 },
  ]) {
    await patrons.createCategory(SEED, c);
  }
  const { policies } = circulation;
  await policies.create(SEED, DEFAULT_RULE);
  await policies.create(SEED, {
    ...DEFAULT_RULE,
    itemType: 'DVD',
    loanPeriod: 7,
    renewalsAllowed: 1,
    finePerUnitMinor: 100,
    maxFineMinor: 1000,
  });
  await policies.create(SEED, {
    ...DEFAULT_RULE,
    itemType: 'MAG',
    loanPeriod: 7,
    renewalsAllowed: 0,
    holdsAllowed: 0,
  });
  await policies.create(SEED, {
    ...DEFAULT_RULE,
    patronCategory: 'CHILD',
    finePerUnitMinor: 10,
    maxFineMinor: 200,
  });
  await policies.create(SEED, {
    ...DEFAULT_RULE,
    patronCategory: 'STAFF',
    loanPeriod: 42,
    finePerUnitMinor: 0,
    maxFineMinor: 0,
  });
  await policies.create(SEED, {
    ...DEFAULT_RULE,
    itemType: 'REF',
    loanPeriod: 0,
    renewalsAllowed: 0,
    holdsAllowed: 0,
  });

  const people: { id: string; cardBarcode: string; category: string }[] = [];
  // Four random digits that the PIN rules accept (not 0000, 1234 or another easily guessed PIN).
  let pin: string;
  do pin = String(randomInt(0, 10_000)).padStart(4, '0');
  while (isGuessable(pin));
  for (const [i, [firstName, lastName, category, birthDate]] of PATRONS.entries()) {
    const guardian = category === 'CHILD' ? people.find((p) => p.category === 'ADULT') : undefined;
    const p = await patrons.register(SEED, {
      firstName,
      lastName,
      birthDate,
      email: `${firstName.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')}.${lastName.toLowerCase()}@example.org`,
      categoryCode: category,
      homeBranchId: i % 3 === 2 ? lakeside.id : central.id,
      guarantorId: guardian?.id ?? null,
      language: i === 3 ? 'es' : 'en',
      keepHistory: i % 4 === 0,
      pin: i === 0 ? pin : null,
      allowDuplicate: true,
    });
    people.push({ id: p.id, cardBarcode: p.cardBarcode, category });
  }

  // Items to lend: available books and DVDs, a few per branch (read-only pick from the demo catalog).
  const items = await app.database.db
    .selectFrom('items')
    .select(['barcode', 'branch_id', 'item_type', 'record_id'])
    .where('status', '=', 'available')
    .where('item_type', 'in', ['BOOK', 'DVD'])
    .orderBy('barcode')
    .limit(80)
    .execute();
  let next = 0;
  const take = () => items[next++]!;

  // Circulation as it was some days ago: the same services with the clock set back.
  const now = app.clock.now();
  const past = fixedClock(now);
  const then = createCirculation(
    {
      database: app.database,
      clock: past,
      branches: app.services.branches,
      currency: app.config.currency,
      ports: { patrons: { byCard: patronByCard, byId: patronById }, fines, notices },
    },
    { anonymiseAfterDays: app.config.anonymise_after_days, autoRenew: false },
  );
  const at = (daysAgo: number) => past.set(new Date(now.getTime() - daysAgo * DAY));
  const desk: Actor = systemActor('demo-desk');
  const lend = (patron: number, daysAgo: number) => {
    at(daysAgo);
    const item = take();
    return then.circulation.checkout(desk, {
      patronBarcode: people[patron]!.cardBarcode,
      itemBarcode: item.barcode,
      branchId: item.branch_id,
    });
  };

  // Current loans for most, overdue ones for a few.
  for (let p = 0; p < 10; p++) {
    await lend(p, 3 + p);
    if (p % 2 === 0) await lend(p, 12);
  }
  for (const p of [1, 4, 7]) await lend(p, 30 + p); // overdue
  // Returned late earlier: fines on the account.
  for (const p of [1, 2, 5]) {
    const loan = await lend(p, 60);
    at(30);
    await then.circulation.checkin(desk, { itemBarcode: loan.loan.itemBarcode });
  }
  // A hold waiting for a copy out on loan, and one trapped on the hold shelf.
  const out = await lend(3, 5);
  at(2);
  await then.holds.place(desk, {
    patronId: people[0]!.id,
    recordId: out.loan.recordId,
    pickupBranchId: central.id,
  });
  const shelved = take();
  await then.holds.place(desk, {
    patronId: people[0]!.id,
    recordId: shelved.record_id,
    pickupBranchId: shelved.branch_id,
  });
  await then.circulation.checkin(desk, { itemBarcode: shelved.barcode, branchId: shelved.branch_id });
  // A hold for pickup at the other branch: in transit.
  const far = items.slice(next).find((i) => i.branch_id === lakeside.id);
  if (far) {
    next = items.indexOf(far) + 1;
    await then.holds.place(desk, {
      patronId: people[2]!.id,
      recordId: far.record_id,
      pickupBranchId: central.id,
    });
    await then.circulation.checkin(desk, { itemBarcode: far.barcode, branchId: lakeside.id });
  }
  past.set(now);
  // The overdue loans' fines so far, as the daily job would have posted them.
  const accrual = circulation.jobs.find((j) => j.name === 'fines-accrual');
  await accrual?.run({ now, actor: systemActor('fines-accrual') });

  // Fines: a partial payment, and a complaint about another charge.
  const accountOf = async (i: number) => fines.account(SEED, people[i]!.id);
  const first = await accountOf(1);
  const owed = first.totals.balanceMinor;
  if (owed > 0) await fines.pay(SEED, people[1]!.id, { amountMinor: Math.ceil(owed / 2), method: 'cash' });
  const disputed = (await accountOf(2)).lines.find((l) => l.amountMinor > 0);
  if (disputed)
    await fines.openDispute(SEED, people[2]!.id, {
      chargeIds: [disputed.id],
      complaint: 'I returned this through the book drop on the due date.',
    });
  return { name: `${PATRONS[0]![0]} ${PATRONS[0]![1]}`, cardBarcode: people[0]!.cardBarcode, pin };
}
