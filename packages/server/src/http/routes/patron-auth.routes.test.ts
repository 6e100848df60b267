import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makePatron, makeStaffUser, testActor } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import { fixedClock } from '../../kernel/clock.ts';
import type { Patron } from '../../modules/patrons/index.ts';

describe.each(testDialects())('patron sign-in to the public catalog on %s', (dialect) => {
  const clock = fixedClock('2026-03-14T15:00:00.000Z');
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let ada: Patron;
  let grace: Patron;
  let staff: string;
  let address = 0;

  beforeAll(async () => {
    s = await createTestServer(dialect, {
      clock,
      env: { STACKS_LOGIN_MAX_FAILURES: '3', STACKS_SESSION_TTL_HOURS: '2' },
    });
    ada = await makePatron(s.app, { firstName: 'Ada', pin: '2468', notes: 'Staff-only remark' });
    grace = await makePatron(s.app, { firstName: 'Grace', pin: '1357' });
    await makeStaffUser(s.app, 'clerk', ['*']);
    staff = await s.login('clerk');
  });
  afterAll(async () => s.close());

  /** Each test signs in from an address of its own, so failures in one never rate-limit another. */
  const signIn = (cardBarcode: string, pin: string, remoteAddress = `10.0.0.${++address}`) =>
    s.http.inject({ method: 'POST', url: '/api/patron/login', payload: { cardBarcode, pin }, remoteAddress });

  const cookieOf = (res: Awaited<ReturnType<typeof signIn>>) => {
    const cookie = res.cookies.find((c) => c.name === 'stacks_patron');
    return `stacks_patron=${cookie!.value}`;
  };

  it('signs in with card and PIN: an HttpOnly, SameSite=Strict cookie and the patron’s own record', async () => {
    const res = await signIn(ada.cardBarcode, '2468');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'stacks_patron')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(res.cookies.find((c) => c.name === 'stacks_session')).toBeUndefined();
    expect(res.json()).toMatchObject({
      patron: { id: ada.id, firstName: 'Ada', hasPin: true },
      cards: [{ barcode: ada.cardBarcode, status: 'active' }],
      sessionExpiresAt: '2026-03-14T17:00:00.000Z',
    });
    expect(res.body).not.toMatch(/scrypt|2468|Staff-only remark/);
    const stored = await s.app.database.db.selectFrom('patron_sessions').selectAll().execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(cookie.value);

    const me = await s.as(cookieOf(res), { method: 'GET', url: '/api/patron/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().patron.id).toBe(ada.id);
    expect(me.json().patron).not.toHaveProperty('notes');
  });

  it('shows a patron only their own record: a patron session opens no staff route, whatever the id', async () => {
    const cookie = cookieOf(await signIn(ada.cardBarcode, '2468'));
    for (const url of [`/api/patrons/${grace.id}`, `/api/patrons/${ada.id}`, '/api/patrons?q=grace']) {
      const res = await s.as(cookie, { method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.body).not.toContain('Grace');
    }
    const before = await rowCounts(s.app.database.db);
    const write = await s.as(cookie, {
      method: 'PUT',
      url: `/api/patrons/${grace.id}/pin`,
      payload: { pin: '0000' },
    });
    expect(write.statusCode).toBe(401);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it('does not take staff credentials on patron routes', async () => {
    const res = await s.as(staff, { method: 'GET', url: '/api/patron/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    expect((await s.http.inject({ method: 'GET', url: '/api/patron/me' })).statusCode).toBe(401);
    expect(
      (
        await s.http.inject({
          method: 'GET',
          url: '/api/patron/me',
          headers: { cookie: 'stacks_patron=forged' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('answers a wrong PIN, an unknown card and a patron without a PIN alike, with 401', async () => {
    const noPin = await makePatron(s.app);
    for (const [card, pin] of [
      [ada.cardBarcode, '0000'],
      ['NO-SUCH-CARD', '2468'],
      [noPin.cardBarcode, '1234'],
    ] as const) {
      const res = await signIn(card, pin);
      expect(res.statusCode, card).toBe(401);
      expect(res.json().error).toEqual({
        code: 'INVALID_CREDENTIALS',
        message: 'The card number or PIN is not right',
      });
      expect(res.cookies).toEqual([]);
    }
  });

  it('refuses a replaced card; the new card signs in', async () => {
    const p = await makePatron(s.app, { pin: '8642' });
    const { card } = await s.app.services.patrons.replaceCard(testActor, p.id, { reason: 'stolen' });
    expect((await signIn(p.cardBarcode, '8642')).statusCode).toBe(401);
    expect((await signIn(card.barcode, '8642')).statusCode).toBe(200);
  });

  it('rate-limits a card after too many failures, with 429 and Retry-After, even with the right PIN', async () => {
    const from = '10.9.9.9';
    for (let i = 0; i < 3; i++) expect((await signIn(grace.cardBarcode, '0000', from)).statusCode).toBe(401);
    const limited = await signIn(grace.cardBarcode, '1357', '10.9.9.10');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('900');
    // The attempts table names the card only by a hash.
    const names = await s.app.database.db.selectFrom('login_attempts').select('username').execute();
    expect(names.map((n) => n.username).join(' ')).not.toContain(grace.cardBarcode);
    clock.advance(16 * 60_000);
    expect((await signIn(grace.cardBarcode, '1357')).statusCode).toBe(200);
  });

  it('ends the session on sign-out, on a PIN change by staff, and when the patron is merged', async () => {
    const first = cookieOf(await signIn(ada.cardBarcode, '2468'));
    expect((await s.as(first, { method: 'POST', url: '/api/patron/logout' })).statusCode).toBe(204);
    expect((await s.as(first, { method: 'GET', url: '/api/patron/me' })).statusCode).toBe(401);

    const second = cookieOf(await signIn(ada.cardBarcode, '2468'));
    await s.as(staff, { method: 'PUT', url: `/api/patrons/${ada.id}/pin`, payload: { pin: '97531' } });
    expect((await s.as(second, { method: 'GET', url: '/api/patron/me' })).statusCode).toBe(401);

    const p = await makePatron(s.app, { pin: '5813' });
    const keep = await makePatron(s.app);
    const third = cookieOf(await signIn(p.cardBarcode, '5813'));
    await s.app.services.patrons.merge(testActor, { keepId: keep.id, mergeId: p.id });
    expect((await s.as(third, { method: 'GET', url: '/api/patron/me' })).statusCode).toBe(401);
  });

  it('lets a session expire after the staff session lifetime', async () => {
    const cookie = cookieOf(await signIn(grace.cardBarcode, '1357'));
    clock.advance(2 * 3_600_000 + 1000);
    expect((await s.as(cookie, { method: 'GET', url: '/api/patron/me' })).statusCode).toBe(401);
    expect(await s.app.services.patrons.purgeExpiredSessions()).toBeGreaterThan(0);
  });
});
