import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestLibrary, type TestLibrary } from '../../../test/circulation-fixture.ts';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser } from '../../../test/factories.ts';
import { rowCounts as countRows } from '../../../test/row-counts.ts';
import { type Actor, systemActor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import { type FixedClock, fixedClock } from '../../kernel/clock.ts';
import { setFinesCharged } from './circulation-repository.ts';

const DESK = systemActor('desk');
const DAY = 86_400_000;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal, but it went through');
}

type App = Awaited<ReturnType<typeof createTestApp>>['app'];

describe.each(testDialects())('circulation scenarios on %s', (dialect) => {
  let app: App;
  let close: () => Promise<void>;
  let clock: FixedClock;
  let lib: TestLibrary;

  beforeEach(async () => {
    // Friday 2026-12-04, 10:00 in New York.
    clock = fixedClock('2026-12-04T15:00:00Z');
    const t = await createTestApp(dialect, { clock });
    app = t.app;
    close = t.close;
    lib = await makeTestLibrary(app);
  });
  afterEach(async () => close());

  const desk = () => app.services.circulation.circulation;
  const holds = () => app.services.circulation.holds;

  it('a loan due on a closed day falls due the next open day, at closing time', async () => {
    const ann = await lib.patron('Ann');
    const out = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    // 21 days from Friday Dec 4 is Christmas Day (closed): Saturday Dec 26, 17:00 in New York.
    expect(out.loan.dueAt).toBe('2026-12-26T22:00:00.000Z');
    expect(out.dueDateNote).toMatch(/2026-12-25 is closed \(Christmas Day\)/);
    expect(out.patron.cardBarcode).toBe(ann.cardBarcode);
  });

  it('an hourly loan falls due inside opening hours', async () => {
    const ann = await lib.patron('Ann');
    clock.set('2026-12-04T23:00:00Z'); // 18:00 in New York; Central closes at 20:00
    const out = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000020' });
    expect(out.loan.dueAt).toBe('2026-12-05T01:00:00.000Z');
    expect(out.dueDateNote).toBe('brought forward to closing time');
  });

  it('charges an overdue fine after the grace period, capped, once, at check-in', async () => {
    const ann = await lib.patron('Ann');
    const out = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000002' });
    // Back the day after the due date: within the one day of grace.
    clock.set(new Date(Date.parse(out.loan.dueAt) + DAY));
    const early = await desk().checkin(DESK, { itemBarcode: '3000002' });
    expect(early.overdueFineMinor).toBe(0);
    // Again: out on Sunday Dec 27, due Monday Jan 18 (Jan 17 is a Sunday), back Friday Jan 22: 4 days.
    const again = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000002' });
    clock.set(new Date(Date.parse(again.loan.dueAt) + 4 * DAY));
    const late = await desk().checkin(DESK, { itemBarcode: '3000002' });
    expect(again.loan.dueAt).toBe('2027-01-19T01:00:00.000Z');
    expect(late.overdueFineMinor).toBe(100);
    // A long overdue reaches the cap (500) and no more.
    const third = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000002' });
    clock.set(new Date(Date.parse(third.loan.dueAt) + 100 * DAY));
    const capped = await desk().checkin(DESK, { itemBarcode: '3000002' });
    expect(capped.overdueFineMinor).toBe(500);
    // The retried check-in charges nothing more.
    const retry = await desk().checkin(DESK, { itemBarcode: '3000002' });
    expect(retry.alreadyCheckedIn).toBe(true);
    expect(retry.overdueFineMinor).toBe(0);
    const balance = await app.database.db
      .transaction()
      .execute((trx) => app.services.fines.balanceOf(trx, ann.id));
    expect(balance.balanceMinor).toBe(late.overdueFineMinor + 500);
  });

  it('the daily accrual and a later check-in never charge the same day twice', async () => {
    const ann = await lib.patron('Ann');
    const out = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    const job = app.services.circulation.jobs.find((j) => j.name === 'fines-accrual')!;
    clock.set(new Date(Date.parse(out.loan.dueAt) + 5 * DAY));
    const first = await job.run({ now: clock.now(), actor: systemActor('fines-accrual') });
    expect(first.loansCharged).toBe(1);
    const repeat = await job.run({ now: clock.now(), actor: systemActor('fines-accrual') });
    expect(repeat.loansCharged).toBe(0);
    clock.advance(2 * DAY);
    const back = await desk().checkin(DESK, { itemBarcode: '3000001' });
    const balance = await app.database.db
      .transaction()
      .execute((trx) => app.services.fines.balanceOf(trx, ann.id));
    expect(balance.balanceMinor).toBe(back.overdueFineMinor);
    expect(back.overdueFineMinor).toBeGreaterThan(0);
    expect(first.charged).not.toBe(repeat.charged);
  });

  it('the batched accrual moves only the loans whose posted fine is still what it read', async () => {
    const ann = await lib.patron('Ann');
    const one = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    const two = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000002' });
    const moved = await app.database.db.transaction().execute((trx) =>
      setFinesCharged(trx, [
        { id: one.loan.id, from: 0, to: 125 },
        // Read before another desk posted something on it: stale, so left alone.
        { id: two.loan.id, from: 50, to: 125 },
      ]),
    );
    expect([...moved]).toEqual([one.loan.id]);
    const rows = await app.database.db
      .selectFrom('loans')
      .select(['id', 'fine_charged_minor'])
      .where('id', 'in', [one.loan.id, two.loan.id])
      .execute();
    const charged = new Map(rows.map((r) => [r.id, Number(r.fine_charged_minor)]));
    expect(charged.get(one.loan.id)).toBe(125);
    expect(charged.get(two.loan.id)).toBe(0);
  });

  it('a book-drop checkin backdated to before the accrual takes back the days it should not have charged', async () => {
    const ann = await lib.patron('Ann');
    const out = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    const due = Date.parse(out.loan.dueAt); // Saturday Dec 26, 17:00 New York
    const job = app.services.circulation.jobs.find((j) => j.name === 'fines-accrual')!;
    // The job runs on Friday Jan 1 (6 days after, Sunday closed: 5 days -> 125).
    clock.set(new Date(due + 6 * DAY));
    await job.run({ now: clock.now(), actor: systemActor('fines-accrual') });
    const balance = () =>
      app.database.db.transaction().execute((trx) => app.services.fines.balanceOf(trx, ann.id));
    expect((await balance()).balanceMinor).toBe(125);
    // Found in the book drop: it came back on Tuesday Dec 29 (Sunday closed, 2 days late -> 50).
    const back = await desk().checkin(DESK, {
      itemBarcode: '3000001',
      returnedAt: new Date(due + 3 * DAY).toISOString(),
    });
    expect(back.overdueFineMinor).toBe(50);
    expect((await balance()).balanceMinor).toBe(50);
  });

  it('refuses a renewal because of a hold, and a patron with the permission may override it', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000030' });
    await holds().place(DESK, {
      patronId: ben.id,
      recordId: lib.records.film,
      pickupBranchId: lib.lakeside.id,
    });
    const error = await refusal(desk().renew(DESK, { itemBarcode: '3000030' }));
    expect(error.code).toBe('RENEWAL_BLOCKED_BY_HOLD');
    expect(error.details?.refusals).toEqual([
      { code: 'RENEWAL_BLOCKED_BY_HOLD', message: 'Another patron is waiting for A film', overridable: true },
    ]);
    // A patron renewing their own loan cannot override.
    const loans = await desk().loansOf(ann.id, 'current');
    const asPatron: Actor = { type: 'patron', patronId: ann.id };
    expect(
      (await refusal(desk().renew(asPatron, { loanId: loans[0]!.id, override: { reason: 'please' } }))).code,
    ).toBe('RENEWAL_BLOCKED_BY_HOLD');
    const clerk = await makeStaffUser(app, 'clerk', ['circulation.desk']);
    const clerkActor: Actor = {
      type: 'staff',
      id: clerk.id,
      username: 'clerk',
      permissions: new Set(['circulation.desk']),
      via: 'session',
    };
    expect(
      (
        await refusal(
          desk().renew(clerkActor, { itemBarcode: '3000030', override: { reason: 'manager ok' } }),
        )
      ).code,
    ).toBe('OVERRIDE_NOT_ALLOWED');
    const renewed = await desk().renew(DESK, {
      itemBarcode: '3000030',
      override: { reason: 'patron is travelling' },
    });
    expect(renewed.loan.renewals).toBe(1);
    expect(renewed.overridden.map((r) => r.code)).toEqual(['RENEWAL_BLOCKED_BY_HOLD']);
  });

  it('traps a hold at check-in at the pickup branch, and sends an item from another branch in transit', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    const cy = await lib.patron('Cy');
    // Ann has the film (Lakeside); Ben waits for it at Central; Cy waits for the novel at Lakeside.
    await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000030' });
    const benHold = await holds().place(DESK, {
      patronId: ben.id,
      recordId: lib.records.film,
      pickupBranchId: lib.central.id,
    });
    expect(benHold.queuePosition).toBe(1);
    const back = await desk().checkin(DESK, { itemBarcode: '3000030', branchId: lib.lakeside.id });
    expect(back.routing).toMatchObject({
      action: 'transit',
      toBranchId: lib.central.id,
      reason: 'hold',
      patronName: 'Ben Tester',
    });
    // Scanned again at Lakeside (a retry): still the same transit, nothing new.
    const retry = await desk().checkin(DESK, { itemBarcode: '3000030', branchId: lib.lakeside.id });
    expect(retry.alreadyCheckedIn).toBe(true);
    expect(retry.routing).toMatchObject({
      action: 'transit',
      transitId: (back.routing as { transitId: string }).transitId,
    });
    expect(await holds().transits({ toBranchId: lib.central.id })).toHaveLength(1);
    // Received at Central: on the hold shelf for Ben, who is told.
    const received = await desk().checkin(DESK, { itemBarcode: '3000030', branchId: lib.central.id });
    expect(received.routing).toMatchObject({
      action: 'hold_shelf',
      holdId: benHold.id,
      patronBarcode: ben.cardBarcode,
    });
    expect((await holds().get(benHold.id)).status).toBe('ready');
    expect(await holds().transits({ toBranchId: lib.central.id })).toHaveLength(0);
    // Cy: a waiting hold at Lakeside on the novel, checked in at Lakeside -> straight to the hold shelf.
    await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000003' });
    const cyHold = await holds().place(DESK, {
      patronId: cy.id,
      recordId: lib.records.novel,
      pickupBranchId: lib.lakeside.id,
    });
    // Two copies on the shelf at Central: the pull list there lists one for Cy.
    const pull = await holds().pullList(lib.central.id);
    expect(pull.map((p) => p.holdId)).toEqual([cyHold.id]);
    const trapped = await desk().checkin(DESK, { itemBarcode: '3000003', branchId: lib.lakeside.id });
    expect(trapped.routing).toMatchObject({ action: 'hold_shelf', holdId: cyHold.id });
    // Ben checks out his film: the hold is fulfilled.
    const out = await desk().checkout(DESK, { patronBarcode: ben.cardBarcode, itemBarcode: '3000030' });
    expect(out.filledHoldId).toBe(benHold.id);
    const notices = await app.database.db
      .selectFrom('notices')
      .select(['kind', 'patron_id'])
      .orderBy('created_at')
      .execute();
    expect(notices).toEqual([
      { kind: 'hold_available', patron_id: ben.id },
      { kind: 'hold_available', patron_id: cy.id },
    ]);
  });

  it('passes an uncollected hold to the next patron when its shelf time runs out', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000030' });
    const first = await holds().place(DESK, {
      patronId: ann.id,
      recordId: lib.records.novel,
      pickupBranchId: lib.central.id,
    });
    clock.advance(60_000);
    const second = await holds().place(DESK, {
      patronId: ben.id,
      recordId: lib.records.novel,
      pickupBranchId: lib.central.id,
    });
    expect((await holds().get(second.id)).queuePosition).toBe(2);
    // Another patron may not take the copy meant for the queue... the copy is pulled and trapped for Ann.
    const trapped = await desk().checkin(DESK, { itemBarcode: '3000001', branchId: lib.central.id });
    expect(trapped.routing).toMatchObject({ action: 'hold_shelf', holdId: first.id });
    const ready = await holds().get(first.id);
    // Ann does not come: 7 days later (and past the shelf date) the job passes the copy to Ben.
    clock.set(new Date(`${ready.shelfExpiresOn}T23:00:00Z`));
    clock.advance(DAY);
    const job = app.services.circulation.jobs.find((j) => j.name === 'holds-expiry')!;
    const summary = await job.run({ now: clock.now(), actor: systemActor('holds-expiry') });
    expect(summary).toMatchObject({ expired: 1, passedOn: 1 });
    expect((await holds().get(first.id)).status).toBe('expired');
    const benHold = await holds().get(second.id);
    expect(benHold.status).toBe('ready');
    expect(benHold.itemBarcode).toBe('3000001');
    const shelf = await holds().holdShelf(lib.central.id);
    expect(shelf.ready.map((h) => h.id)).toEqual([second.id]);
  });

  it('bills a lost item and refunds the lost fee when it comes back', async () => {
    const ann = await lib.patron('Ann');
    const out = await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    clock.set(new Date(Date.parse(out.loan.dueAt) + 31 * DAY));
    const job = app.services.circulation.jobs.find((j) => j.name === 'lost-items')!;
    expect(await job.run({ now: clock.now(), actor: systemActor('lost-items') })).toMatchObject({
      declaredLost: 1,
    });
    const balance = () =>
      app.database.db.transaction().execute((trx) => app.services.fines.balanceOf(trx, ann.id));
    // Overdue fine (capped 500) + price 2000 + processing 500.
    expect((await balance()).balanceMinor).toBe(3000);
    const back = await desk().checkin(DESK, { itemBarcode: '3000001' });
    expect(back.lostFeeRefundedMinor).toBe(2000);
    expect(back.routing.action).toBe('reshelve');
    expect((await balance()).balanceMinor).toBe(1000);
    const lostNotices = await app.database.db
      .selectFrom('notices')
      .select('kind')
      .where('kind', '=', 'lost')
      .execute();
    expect(lostNotices).toHaveLength(1);
  });

  it('refuses checkouts with codes the desk can show, and writes nothing', async () => {
    const ann = await lib.patron('Ann');
    const before = await countRows(app.database.db);
    const cases: [() => Promise<unknown>, string][] = [
      [() => desk().checkout(DESK, { patronBarcode: 'nope', itemBarcode: '3000001' }), 'PATRON_NOT_FOUND'],
      [() => desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '999' }), 'ITEM_NOT_FOUND'],
      [
        () => desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000010' }),
        'ITEM_NOT_LOANABLE',
      ],
      [
        () =>
          desk().checkout(DESK, {
            patronBarcode: ann.cardBarcode,
            itemBarcode: '3000001',
            branchId: '01900000-0000-7000-8000-000000000000',
          }),
        'BRANCH_NOT_FOUND',
      ],
      [
        () => desk().checkin(DESK, { itemBarcode: '3000001', returnedAt: '2030-01-01T00:00:00Z' }),
        'INVALID_RETURN_DATE',
      ],
      [() => desk().renew(DESK, { itemBarcode: '3000001' }), 'ITEM_NOT_CHECKED_OUT'],
    ];
    for (const [attempt, code] of cases) expect((await refusal(attempt())).code).toBe(code);
    expect(await countRows(app.database.db)).toEqual(before);

    // Blocked and expired patrons.
    await app.services.patrons.addBlock(DESK, ann.id, 'Lost card reported');
    const blocked = await refusal(
      desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' }),
    );
    expect(blocked.code).toBe('PATRON_BLOCKED');
    const bea = await lib.patron('Bea');
    clock.set('2028-01-01T15:00:00Z');
    const expired = await refusal(
      desk().checkout(DESK, { patronBarcode: bea.cardBarcode, itemBarcode: '3000001' }),
    );
    expect(expired.code).toBe('PATRON_EXPIRED');
    expect(expired.message).toMatch(/Membership expired on/);
    // An override needs a reason.
    expect(
      (
        await refusal(
          desk().checkout(DESK, {
            patronBarcode: bea.cardBarcode,
            itemBarcode: '3000001',
            override: { reason: ' ' },
          }),
        )
      ).code,
    ).toBe('INVALID_OVERRIDE');
  });

  it('two desks checking out the same item at the same moment: one loan, the other a conflict', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    const results = await Promise.allSettled([
      desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' }),
      desk().checkout(DESK, { patronBarcode: ben.cardBarcode, itemBarcode: '3000001' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['ITEM_CHECKOUT_CONFLICT', 'ITEM_ALREADY_CHECKED_OUT']).toContain(
      (failed.reason as AppError).code,
    );
    const loans = await app.database.db.selectFrom('loans').select('id').execute();
    expect(loans).toHaveLength(1);
  });

  it('anonymises returned loans after the privacy period unless the patron keeps their history', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    await app.services.patrons.update(DESK, ben.id, { keepHistory: true });
    await desk().checkout(DESK, { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    await desk().checkout(DESK, { patronBarcode: ben.cardBarcode, itemBarcode: '3000002' });
    await desk().checkin(DESK, { itemBarcode: '3000001' });
    await desk().checkin(DESK, { itemBarcode: '3000002' });
    const job = app.services.circulation.jobs.find((j) => j.name === 'anonymise-history')!;
    expect(await job.run({ now: clock.now(), actor: systemActor('anonymise-history') })).toEqual({
      anonymised: 0,
    });
    clock.advance(31 * DAY);
    expect(await job.run({ now: clock.now(), actor: systemActor('anonymise-history') })).toEqual({
      anonymised: 1,
    });
    expect(await desk().loansOf(ann.id, 'history')).toEqual([]);
    expect(await desk().loansOf(ben.id, 'history')).toHaveLength(1);
    const anonymous = await app.database.db
      .selectFrom('loans')
      .select('patron_id')
      .where('patron_id', 'is', null)
      .execute();
    expect(anonymous).toHaveLength(1);
  });

  it('explains which rule applies and why', async () => {
    const ann = await lib.patron('Ann');
    const answer = await app.services.circulation.policies.explain({
      branchId: lib.central.id,
      patronBarcode: ann.cardBarcode,
      itemBarcode: '3000020',
    });
    expect(answer.winner?.itemType).toBe('LAPTOP');
    expect(answer.candidates.map((c) => c.matches)).toEqual([true, true]);
    expect(answer.summary).toMatch(/^2 of 2 rules match CENTRAL \/ ADULT \/ LAPTOP/);
    expect(answer.outcome?.loan).toBe('4 hours');
    expect(answer.outcome?.fine).toBe(
      "1.00 USD per hour after 0 hours' grace, no cap; closed days not charged",
    );
  });
});
