import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestLibrary, type TestLibrary } from '../../../test/circulation-fixture.ts';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { systemActor } from '../../kernel/actor.ts';
import { fixedClock } from '../../kernel/clock.ts';

type Server = Awaited<ReturnType<typeof createTestServer>>;
const SEED = systemActor('test');

describe.each(testDialects())('a patron’s own account over HTTP on %s', (dialect) => {
  let server: Server;
  let lib: TestLibrary;
  let cookie: string;
  let annId: string;

  beforeEach(async () => {
    server = await createTestServer(dialect, { clock: fixedClock('2026-12-04T15:00:00Z') });
    lib = await makeTestLibrary(server.app);
    const ann = await server.app.services.patrons.register(SEED, {
      firstName: 'Ann',
      lastName: 'Reader',
      email: 'ann@example.org',
      categoryCode: 'ADULT',
      homeBranchId: lib.central.id,
      cardBarcode: '29990001',
      pin: '2468',
    });
    annId = ann.id;
    const login = await server.http.inject({
      method: 'POST',
      url: '/api/patron/login',
      payload: { cardBarcode: '29990001', pin: '2468' },
    });
    cookie = `stacks_patron=${login.cookies.find((c) => c.name === 'stacks_patron')!.value}`;
  });
  afterEach(async () => server.close());

  it('shows my fines, lets me dispute one, and never anyone else’s', async () => {
    const ben = await lib.patron('Ben');
    const fee = await server.app.services.fines.addFee(SEED, annId, {
      kind: 'damage',
      amountMinor: 350,
      description: 'Water damage',
    });
    await server.app.services.fines.addFee(SEED, ben.id, {
      kind: 'printing',
      amountMinor: 20,
      description: 'Prints',
    });
    const account = await server.as(cookie, { method: 'GET', url: '/api/patron/account' });
    expect(account.statusCode).toBe(200);
    expect(account.json()).toMatchObject({ patronId: annId, totals: { balanceMinor: 350 } });
    expect(account.json().lines).toHaveLength(1);
    const dispute = await server.as(cookie, {
      method: 'POST',
      url: '/api/patron/disputes',
      payload: { chargeIds: [fee.id], complaint: 'It was wet when I borrowed it.' },
    });
    expect(dispute.statusCode).toBe(201);
    expect(dispute.json()).toMatchObject({ status: 'open' });
    const bens = (await server.app.services.fines.account(SEED, ben.id)).lines[0]!;
    const notMine = await server.as(cookie, {
      method: 'POST',
      url: '/api/patron/disputes',
      payload: { chargeIds: [bens.id], complaint: 'Not mine' },
    });
    expect(notMine.statusCode).toBeGreaterThanOrEqual(400);
    expect((await server.app.services.fines.account(SEED, ben.id)).disputes).toEqual([]);
  });

  it('lets me change my contact details and history choice, but nothing else', async () => {
    const changed = await server.as(cookie, {
      method: 'PATCH',
      url: '/api/patron/me',
      payload: { phone: '+1 555 0101', noticeChannel: 'print', keepHistory: true },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().patron).toMatchObject({
      phone: '+1 555 0101',
      noticeChannel: 'print',
      keepHistory: true,
    });
    expect(changed.json().patron.notes).toBeUndefined();
    const category = await server.as(cookie, {
      method: 'PATCH',
      url: '/api/patron/me',
      payload: { categoryCode: 'CHILD' },
    });
    expect(category.statusCode).toBe(400);
    const anonymous = await server.http.inject({ method: 'GET', url: '/api/patron/account' });
    expect(anonymous.statusCode).toBe(401);
  });
});
