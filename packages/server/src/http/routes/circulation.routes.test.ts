import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestLibrary, type TestLibrary } from '../../../test/circulation-fixture.ts';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser } from '../../../test/factories.ts';
import { systemActor } from '../../kernel/actor.ts';
import { fixedClock } from '../../kernel/clock.ts';

type Server = Awaited<ReturnType<typeof createTestServer>>;

describe.each(testDialects())('circulation over HTTP on %s', (dialect) => {
  let server: Server;
  let lib: TestLibrary;
  let desk: string;

  beforeEach(async () => {
    server = await createTestServer(dialect, { clock: fixedClock('2026-12-04T15:00:00Z') });
    lib = await makeTestLibrary(server.app);
    await makeStaffUser(server.app, 'desk', ['circulation.desk', 'patrons.read']);
    await makeStaffUser(server.app, 'reader', ['patrons.read']);
    desk = await server.login('desk');
  });
  afterEach(async () => server.close());

  const post = (cookie: string, url: string, payload: object) =>
    server.as(cookie, { method: 'POST', url, payload });

  it('checks out, shows the patron at the desk, renews and checks in', async () => {
    const ann = await lib.patron('Ann');
    const out = await post(desk, '/api/circulation/checkout', {
      patronBarcode: ann.cardBarcode,
      itemBarcode: '3000001',
    });
    expect(out.statusCode).toBe(201);
    expect(out.json()).toMatchObject({ loan: { itemBarcode: '3000001', dueAt: '2026-12-26T22:00:00.000Z' } });
    const glance = await server.as(desk, { method: 'GET', url: `/api/circulation/patrons/${ann.id}` });
    expect(glance.statusCode).toBe(200);
    expect(glance.json()).toMatchObject({ blocks: [], loans: [{ itemBarcode: '3000001', overdue: false }] });
    const renewed = await post(desk, '/api/circulation/renew', { itemBarcode: '3000001' });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().loan.renewals).toBe(1);
    const back = await post(desk, '/api/circulation/checkin', { itemBarcode: '3000001' });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ routing: { action: 'reshelve' }, alreadyCheckedIn: false });
  });

  it('answers refusals with the code, every reason, and 404/409 where they belong', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    const ref = await post(desk, '/api/circulation/checkout', {
      patronBarcode: ann.cardBarcode,
      itemBarcode: '3000010',
    });
    expect(ref.statusCode).toBe(422);
    expect(ref.json().error).toMatchObject({
      code: 'ITEM_NOT_LOANABLE',
      details: { refusals: [{ code: 'ITEM_NOT_LOANABLE', overridable: true }] },
    });
    const unknown = await post(desk, '/api/circulation/checkout', {
      patronBarcode: ann.cardBarcode,
      itemBarcode: 'X1',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('ITEM_NOT_FOUND');
    const badBody = await post(desk, '/api/circulation/checkout', { patronBarcode: ann.cardBarcode });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.message).toMatch(/itemBarcode/);
    await post(desk, '/api/circulation/checkout', { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    const taken = await post(desk, '/api/circulation/checkout', {
      patronBarcode: ben.cardBarcode,
      itemBarcode: '3000001',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('ITEM_ALREADY_CHECKED_OUT');
    // Without the desk permission: 403, nothing written.
    const reader = await server.login('reader');
    const denied = await post(reader, '/api/circulation/checkout', {
      patronBarcode: ben.cardBarcode,
      itemBarcode: '3000002',
    });
    expect(denied.statusCode).toBe(403);
    const anonymous = await server.http.inject({
      method: 'POST',
      url: '/api/circulation/checkin',
      payload: { itemBarcode: '3000001' },
    });
    expect(anonymous.statusCode).toBe(401);
    const loans = await server.app.database.db.selectFrom('loans').select('item_id').execute();
    expect(loans).toHaveLength(1);
  });

  it('concurrent checkouts of one item over HTTP: exactly one loan, the other 409', async () => {
    const ann = await lib.patron('Ann');
    const ben = await lib.patron('Ben');
    const [a, b] = await Promise.all([
      post(desk, '/api/circulation/checkout', { patronBarcode: ann.cardBarcode, itemBarcode: '3000002' }),
      post(desk, '/api/circulation/checkout', { patronBarcode: ben.cardBarcode, itemBarcode: '3000002' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual(
      [201, a.statusCode === 201 ? b.statusCode : a.statusCode].sort(),
    );
    expect([a.statusCode, b.statusCode].filter((s) => s === 201)).toHaveLength(1);
    expect([409, 422]).toContain(a.statusCode === 201 ? b.statusCode : a.statusCode);
  });

  it('a patron renews and holds from their own account, and only their own', async () => {
    const actor = systemActor('test');
    const ann = await server.app.services.patrons.register(actor, {
      firstName: 'Ann',
      lastName: 'Reader',
      categoryCode: 'ADULT',
      homeBranchId: lib.central.id,
      cardBarcode: '29990001',
      pin: '2468',
    });
    const ben = await lib.patron('Ben');
    await post(desk, '/api/circulation/checkout', { patronBarcode: ann.cardBarcode, itemBarcode: '3000001' });
    await post(desk, '/api/circulation/checkout', { patronBarcode: ben.cardBarcode, itemBarcode: '3000002' });
    const login = await server.http.inject({
      method: 'POST',
      url: '/api/patron/login',
      payload: { cardBarcode: '29990001', pin: '2468' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = `stacks_patron=${login.cookies.find((c) => c.name === 'stacks_patron')!.value}`;
    const mine = await server.as(cookie, { method: 'GET', url: '/api/patron/loans' });
    expect(mine.json().map((l: { itemBarcode: string }) => l.itemBarcode)).toEqual(['3000001']);
    const renewed = await post(cookie, `/api/patron/loans/${mine.json()[0].id}/renew`, {});
    expect(renewed.statusCode).toBe(200);
    const bensLoan = (await server.app.services.circulation.circulation.loansOf(ben.id, 'current'))[0]!;
    const notMine = await post(cookie, `/api/patron/loans/${bensLoan.id}/renew`, {});
    expect(notMine.statusCode).toBe(404);
    const hold = await post(cookie, '/api/patron/holds', {
      recordId: lib.records.film,
      pickupBranchId: lib.central.id,
    });
    expect(hold.statusCode).toBe(201);
    expect(hold.json()).toMatchObject({ patronId: ann.id, status: 'waiting', queuePosition: 1 });
    // A patron session does not open staff routes, and staff sessions do not open patron ones.
    expect((await post(cookie, '/api/circulation/checkin', { itemBarcode: '3000002' })).statusCode).toBe(401);
    expect((await server.as(desk, { method: 'GET', url: '/api/patron/loans' })).statusCode).toBe(401);
  });

  it('keeps null (no limit, no cap) as null in a rule, and 0 as 0', async () => {
    const admin = await makeStaffUser(server.app, 'policy', ['policies.manage']);
    void admin;
    const cookie = await server.login('policy');
    const rule = {
      branchId: null,
      patronCategory: 'CHILD',
      itemType: 'DVD',
      loanPeriod: 7,
      loanUnit: 'days',
      renewalsAllowed: 0,
      renewalPeriod: null,
      maxLoans: null,
      finePerUnitMinor: 0,
      graceUnits: 0,
      maxFineMinor: null,
      holdsAllowed: 0,
      holdShelfDays: 7,
      lostAfterDays: null,
      lostProcessingFeeMinor: 0,
      refundLostOnReturn: false,
      chargeClosedDays: false,
    };
    const created = await post(cookie, '/api/circulation/rules', rule);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      maxLoans: null,
      maxFineMinor: null,
      finePerUnitMinor: 0,
      holdsAllowed: 0,
    });
    const stored = (await server.app.services.circulation.policies.list()).find(
      (r) => r.id === created.json().id,
    );
    expect(stored).toMatchObject({ maxLoans: null, maxFineMinor: null });
    const patched = await server.as(cookie, {
      method: 'PATCH',
      url: `/api/circulation/rules/${created.json().id}`,
      payload: { maxLoans: 0 },
    });
    expect(patched.json()).toMatchObject({ maxLoans: 0, maxFineMinor: null });
  });

  it('explains a rule over HTTP', async () => {
    const ann = await lib.patron('Ann');
    const res = await server.as(desk, {
      method: 'GET',
      url: `/api/circulation/rules/explain?branchId=${lib.central.id}&patronBarcode=${ann.cardBarcode}&itemBarcode=3000001`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ winner: { itemType: null }, outcome: { loan: '21 days' } });
  });
});
