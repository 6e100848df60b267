import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FixedClock, fixedClock } from '../../src/kernel/clock.ts';
import { makeTestLibrary, type TestLibrary } from '../circulation-fixture.ts';
import { createTestDatabase, type TestDatabase, withFreshConnection } from '../create-test-app.ts';
import { createTestServer } from '../create-test-server.ts';
import { testDialects } from '../dialects.ts';
import { makeStaffUser, testActor } from '../factories.ts';
import { loginOver, type ServerProcess, spawnServer } from '../spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../timeouts.ts';

const DAY = 86_400_000;
/** Monday 2026-03-16, 11:00 in New York (Central's time zone, the test patrons' home branch). */
const START = '2026-03-16T15:00:00.000Z';
/** Today at Central plus the ADULT category's 12 months: the furthest a renewal may reach. */
const ONE_PERIOD_AHEAD = '2027-03-16';

/**
 * Abuse of the desk and the patron record: membership renewal repeated until the card runs for a century,
 * the rule explainer used as a card-number oracle by staff who may not read patrons, and one item checked
 * in many times at once. Everything goes through HTTP with real sessions.
 */
describe.each(testDialects())('circulation abuse on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let clock: FixedClock;
  let lib: TestLibrary;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    clock = fixedClock(START);
    s = await createTestServer(dialect, { clock });
    lib = await makeTestLibrary(s.app);
    const people: [string, string[]][] = [
      ['manager', ['patrons.read', 'patrons.manage']],
      ['desk', ['circulation.desk']],
      ['deskreader', ['circulation.desk', 'patrons.read']],
    ];
    for (const [name, permissions] of people) {
      await makeStaffUser(s.app, name, permissions);
      cookies[name] = await s.login(name);
    }
  });
  afterAll(async () => s.close());
  beforeEach(() => clock.set(START));

  const db = () => s.app.database.db;

  async function renewalAudits(patronId: string) {
    return db()
      .selectFrom('audit_log')
      .select('changes')
      .where('entity_type', '=', 'patron')
      .where('entity_id', '=', patronId)
      .where('action', '=', 'patron.renewed')
      .execute();
  }

  describe('membership renewal', () => {
    const renew = (patronId: string, key?: string, where: 'header' | 'body' = 'header') =>
      s.as(cookies.manager!, {
        method: 'POST',
        url: `/api/patrons/${patronId}/renew`,
        ...(key === undefined
          ? {}
          : where === 'header'
            ? { headers: { 'idempotency-key': key } }
            : { payload: { idempotencyKey: key } }),
      });

    it('17 renewals in a row never move the expiry beyond one period ahead of today', async () => {
      const ann = await lib.patron('Renata');
      await s.app.services.patrons.update(testActor, ann.id, { expiresOn: '2026-04-30' });
      for (let i = 0; i < 17; i++) {
        const res = await renew(ann.id, `renew-${i}`);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().expiresOn).toBe(ONE_PERIOD_AHEAD);
      }
      // Without a key too.
      expect((await renew(ann.id)).json().expiresOn).toBe(ONE_PERIOD_AHEAD);
      const row = await db()
        .selectFrom('patrons')
        .select('expires_on')
        .where('id', '=', ann.id)
        .executeTakeFirst();
      expect(row?.expires_on).toBe(ONE_PERIOD_AHEAD);
      // The one renewal that moved the date is audited, from the old expiry.
      const audits = await renewalAudits(ann.id);
      expect(audits).toHaveLength(1);
      expect(JSON.parse(audits[0]!.changes!)).toMatchObject({
        expiresOn: { from: '2026-04-30', to: ONE_PERIOD_AHEAD },
      });

      // A lapsed card renews from today.
      const lapsed = await lib.patron('Lapsed');
      await db()
        .updateTable('patrons')
        .set({ expires_on: '2025-01-31' })
        .where('id', '=', lapsed.id)
        .execute();
      expect((await renew(lapsed.id, 'lapsed-1')).json().expiresOn).toBe(ONE_PERIOD_AHEAD);
      expect((await renew(lapsed.id, 'lapsed-2')).json().expiresOn).toBe(ONE_PERIOD_AHEAD);
    });

    it('the same key twice renews once and answers the same, even a day later', async () => {
      const ben = await lib.patron('Benno');
      await s.app.services.patrons.update(testActor, ben.id, { expiresOn: '2026-04-30' });
      const first = await renew(ben.id, 'desk-click-1');
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json().expiresOn).toBe(ONE_PERIOD_AHEAD);
      const again = await renew(ben.id, 'desk-click-1');
      expect(again.statusCode).toBe(200);
      expect(again.json().expiresOn).toBe(first.json().expiresOn);
      // The retry arrives the next day: still the first answer, not a second renewal.
      clock.advance(DAY);
      cookies.manager = await s.login('manager');
      const late = await renew(ben.id, 'desk-click-1', 'body');
      expect(late.statusCode).toBe(200);
      expect(late.json().expiresOn).toBe(ONE_PERIOD_AHEAD);
      expect(await renewalAudits(ben.id)).toHaveLength(1);
      // A new key the next day is a new renewal: one period from that day, no further.
      expect((await renew(ben.id, 'desk-click-2')).json().expiresOn).toBe('2027-03-17');
      expect(await renewalAudits(ben.id)).toHaveLength(2);

      // Header and body naming different keys: refused, nothing written.
      const both = await s.as(cookies.manager!, {
        method: 'POST',
        url: `/api/patrons/${ben.id}/renew`,
        headers: { 'idempotency-key': 'one' },
        payload: { idempotencyKey: 'two' },
      });
      expect(both.statusCode).toBe(400);
      expect(both.json().error.code).toBe('INVALID_IDEMPOTENCY_KEY');
      const tooLong = await renew(ben.id, 'k'.repeat(201));
      expect(tooLong.statusCode).toBe(400);
      expect(await renewalAudits(ben.id)).toHaveLength(2);
    });

    it('renews once when the same renewal arrives many times at once', async () => {
      const cy = await lib.patron('Cyra');
      await s.app.services.patrons.update(testActor, cy.id, { expiresOn: '2026-04-30' });
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => renew(cy.id, i % 2 === 0 ? 'burst' : `burst-${i}`)),
      );
      for (const a of answers) {
        expect(a.statusCode, a.body).toBe(200);
        expect(a.json().expiresOn).toBe(ONE_PERIOD_AHEAD);
      }
      expect(await renewalAudits(cy.id)).toHaveLength(1);
    });
  });

  describe('the rule explainer', () => {
    const explain = (who: string, query: Record<string, string>) =>
      s.as(cookies[who]!, {
        method: 'GET',
        url: `/api/circulation/rules/explain?${new URLSearchParams({ branchId: lib.central.id, ...query })}`,
      });

    it('looks up a card only for staff who may read patrons, and answers the same for every card', async () => {
      const cy = await lib.patron('Cyrus', { category: 'CHILD', cardBarcode: '2999001' });
      const items: Record<string, string>[] = [{ itemType: 'BOOK' }, { itemBarcode: '3000001' }, {}];
      for (const rest of items) {
        const known = await explain('desk', { patronBarcode: cy.cardBarcode, ...rest });
        const unknown = await explain('desk', { patronBarcode: '2999999', ...rest });
        expect(known.statusCode, known.body).toBe(403);
        expect(unknown.statusCode, unknown.body).toBe(403);
        expect(known.json()).toEqual(unknown.json());
        expect(known.json().error).toMatchObject({
          code: 'FORBIDDEN',
          details: { permission: 'patrons.read' },
        });
        expect(known.body).not.toContain('CHILD');
      }

      // Categories and items stay open to the desk.
      const byCategory = await explain('desk', { patronCategory: 'CHILD', itemBarcode: '3000001' });
      expect(byCategory.statusCode, byCategory.body).toBe(200);
      expect(byCategory.json().scope).toMatchObject({ patronCategory: 'CHILD', itemType: 'BOOK' });

      // With patrons.read the card is looked up.
      const allowed = await explain('deskreader', { patronBarcode: cy.cardBarcode, itemType: 'BOOK' });
      expect(allowed.statusCode, allowed.body).toBe(200);
      expect(allowed.json().scope.patronCategory).toBe('CHILD');
      const missing = await explain('deskreader', { patronBarcode: '2999999', itemType: 'BOOK' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('PATRON_NOT_FOUND');
    });
  });

  describe('one item checked in many times at once', () => {
    const checkin = (branchId: string, itemBarcode: string, returnedAt?: string) =>
      s.as(cookies.desk!, {
        method: 'POST',
        url: '/api/circulation/checkin',
        payload: { itemBarcode, branchId, ...(returnedAt === undefined ? {} : { returnedAt }) },
      });
    /** Moves the clock and logs the desk in again (a session does not last a month). */
    const setClock = async (at: Date) => {
      clock.set(at);
      cookies.desk = await s.login('desk');
    };

    afterEach(async () => {
      // Leave the items on the shelf for the next case: end the loans and holds, receive the transits.
      await db()
        .updateTable('loans')
        .set({ returned_at: START, status: 'returned' })
        .where('returned_at', 'is', null)
        .execute();
      await db().updateTable('holds').set({ status: 'cancelled' }).execute();
      await db().updateTable('transits').set({ status: 'received', received_at: START }).execute();
      await db().updateTable('items').set({ status: 'available' }).execute();
    });

    /** How many of each write one return makes, for the loan and item given. */
    async function writes(loanId: string, itemId: string) {
      const count = async (q: Promise<{ n: number | string | bigint }[]>) => Number((await q)[0]!.n);
      return {
        returnedLoans: await count(
          db()
            .selectFrom('loans')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('id', '=', loanId)
            .where('returned_at', 'is not', null)
            .execute(),
        ),
        openLoans: await count(
          db()
            .selectFrom('loans')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('item_id', '=', itemId)
            .where('returned_at', 'is', null)
            .execute(),
        ),
        fines: await count(
          db()
            .selectFrom('account_lines')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('loan_id', '=', loanId)
            .execute(),
        ),
        transits: await count(
          db()
            .selectFrom('transits')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('item_id', '=', itemId)
            .where('status', '=', 'in_transit')
            .execute(),
        ),
        trappedHolds: await count(
          db()
            .selectFrom('holds')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('item_id', '=', itemId)
            .where('status', 'in', ['ready', 'in_transit'])
            .execute(),
        ),
        holdNotices: await count(
          db()
            .selectFrom('notices')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('kind', '=', 'hold_available')
            .execute(),
        ),
      };
    }

    it.each([
      ['a hold at another branch: one transit', 'elsewhere', 0],
      ['a hold here: one trap on the hold shelf', 'here', 1],
      ['no hold: reshelved once', 'none', 2],
      ['a book-drop return dated three days back', 'backdated', 3],
    ] as const)('answers the same every time, %s', async (_name, hold, n) => {
      // Each case later than the one before: the film's loans end in the order they went out.
      await setClock(new Date(Date.parse(START) + n * 100 * DAY));
      const desk = s.app.services.circulation;
      const borrower = await lib.patron(`Borrower${hold}`);
      const waiting = await lib.patron(`Waiter${hold}`);
      // The film (Lakeside's only copy) goes out and comes back 30 days late, with an overdue fine.
      const out = await desk.circulation.checkout(testActor, {
        patronBarcode: borrower.cardBarcode,
        itemBarcode: '3000030',
      });
      if (hold === 'here' || hold === 'elsewhere')
        await desk.holds.place(testActor, {
          patronId: waiting.id,
          recordId: lib.records.film,
          pickupBranchId: hold === 'here' ? lib.lakeside.id : lib.central.id,
        });
      const noticesBefore = (await writes(out.loan.id, out.loan.itemId)).holdNotices;
      await setClock(new Date(Date.parse(out.loan.dueAt) + 30 * DAY));
      const returnedAt =
        hold === 'backdated' ? new Date(clock.now().getTime() - 3 * DAY).toISOString() : undefined;

      const answers = await Promise.all(
        Array.from({ length: 10 }, () => checkin(lib.lakeside.id, '3000030', returnedAt)),
      );
      for (const a of answers) expect(a.statusCode, a.body).toBe(200);
      const bodies = answers.map((a) => a.json());
      const first = bodies.filter((b) => b.alreadyCheckedIn === false);
      expect(first).toHaveLength(1);
      expect(first[0].overdueFineMinor).toBeGreaterThan(0);
      for (const b of bodies) {
        expect(b.loan?.id).toBe(out.loan.id);
        expect(b.loan.status).toBe('returned');
        expect(b.loan.patronBarcode).toBe(borrower.cardBarcode);
        expect(b.routing.action).toBe(first[0].routing.action);
      }
      for (const repeat of bodies.filter((b) => b.alreadyCheckedIn)) {
        expect(repeat.overdueFineMinor).toBe(0);
        expect(repeat.loan.returnedAt).toBe(first[0].loan.returnedAt);
        expect(repeat.loan.fineChargedMinor).toBe(first[0].overdueFineMinor);
        expect(repeat.routing).toMatchObject(first[0].routing);
      }
      expect(first[0].routing.action).toBe(
        hold === 'elsewhere' ? 'transit' : hold === 'here' ? 'hold_shelf' : 'reshelve',
      );

      // A later retry, on its own, says the same.
      const later = (await checkin(lib.lakeside.id, '3000030', returnedAt)).json();
      expect(later).toMatchObject({ alreadyCheckedIn: true, overdueFineMinor: 0, loan: { id: out.loan.id } });

      expect(await writes(out.loan.id, out.loan.itemId)).toEqual({
        returnedLoans: 1,
        openLoans: 0,
        fines: 1,
        transits: hold === 'elsewhere' ? 1 : 0,
        trappedHolds: hold === 'here' || hold === 'elsewhere' ? 1 : 0,
        holdNotices: noticesBefore + (hold === 'here' ? 1 : 0),
      });
    });

    it('names no earlier borrower when an item that came back long ago is scanned again', async () => {
      const borrower = await lib.patron('Longago');
      await s.app.services.circulation.circulation.checkout(testActor, {
        patronBarcode: borrower.cardBarcode,
        itemBarcode: '3000003',
      });
      await checkin(lib.lakeside.id, '3000003');
      await setClock(new Date(clock.now().getTime() + 3 * DAY));
      const later = await checkin(lib.lakeside.id, '3000003');
      expect(later.statusCode).toBe(200);
      expect(later.json()).toMatchObject({ alreadyCheckedIn: true, loan: null });
      expect(later.body).not.toContain(borrower.cardBarcode);
    });
  });
});

/** Two `stacks serve` processes on one PostgreSQL database, checking one item in through both at once. */
describe.skipIf(!testDialects().includes('postgres'))('one check-in through two server processes', () => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop('SIGKILL');
    await database?.drop();
  });

  it(
    'ends the loan once; every other answer reports that same loan as already checked in',
    async () => {
      database = await createTestDatabase('postgres');
      if (database.options.dialect !== 'postgres') throw new Error('unreachable');
      const password = 'a chosen secret passphrase';
      const env = {
        STACKS_DATA_DIR: database.dataDir,
        DATABASE_URL: database.options.url,
        STACKS_ADMIN_PASSWORD: password,
      };
      const [a, b] = await Promise.all([spawnServer(env, 60_000), spawnServer(env, 60_000)]);
      servers.push(a, b);
      const cookie = await loginOver(a.baseUrl, 'admin', password);
      const options = database.options;
      const open = await withFreshConnection(options, (fresh) =>
        fresh.db
          .selectFrom('loans')
          .innerJoin('items', 'items.id', 'loans.item_id')
          .select(['loans.id', 'items.barcode'])
          .where('loans.returned_at', 'is', null)
          .orderBy('loans.id')
          .limit(10)
          .execute(),
      );
      expect(open.length).toBeGreaterThan(0);
      const chargesBefore = new Map(
        (
          await withFreshConnection(options, (fresh) =>
            fresh.db
              .selectFrom('account_lines')
              .select(['loan_id', (eb) => eb.fn.countAll<number>().as('n')])
              .where('kind', '=', 'overdue')
              .where(
                'loan_id',
                'in',
                open.map((l) => l.id),
              )
              .groupBy('loan_id')
              .execute(),
          )
        ).map((c) => [c.loan_id, Number(c.n)]),
      );
      for (const loan of open) {
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            fetch(`${(i % 2 === 0 ? a : b).baseUrl}/api/circulation/checkin`, {
              method: 'POST',
              headers: { cookie, 'content-type': 'application/json' },
              body: JSON.stringify({ itemBarcode: loan.barcode }),
            }),
          ),
        );
        const bodies = await Promise.all(
          answers.map(async (r) => ({
            status: r.status,
            body: (await r.json()) as {
              alreadyCheckedIn?: boolean;
              loan?: { id: string } | null;
              item?: { status: string };
            },
          })),
        );
        for (const { status, body } of bodies) {
          expect(status, JSON.stringify(body)).toBe(200);
          expect(body.loan?.id, JSON.stringify(body)).toBe(loan.id);
          expect(body.item?.status, JSON.stringify(body)).toBe(bodies[0]!.body.item?.status);
        }
        expect(bodies.filter((x) => x.body.alreadyCheckedIn === false)).toHaveLength(1);
      }
      const overdueCharges = await withFreshConnection(options, (fresh) =>
        fresh.db
          .selectFrom('account_lines')
          .select(['loan_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('kind', '=', 'overdue')
          .where(
            'loan_id',
            'in',
            open.map((l) => l.id),
          )
          .groupBy('loan_id')
          .execute(),
      );
      // At most one overdue charge more than the demo data had, posted by the one check-in that won.
      for (const loan of open) {
        const after = Number(overdueCharges.find((c) => c.loan_id === loan.id)?.n ?? 0);
        expect(
          after - (chargesBefore.get(loan.id) ?? 0),
          `overdue charges of loan ${loan.id}`,
        ).toBeLessThanOrEqual(1);
      }
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
