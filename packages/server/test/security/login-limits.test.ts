import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Patron } from '../../src/modules/patrons/index.ts';
import { createTestDatabase, type TestDatabase } from '../create-test-app.ts';
import { createTestServer } from '../create-test-server.ts';
import { testDialects } from '../dialects.ts';
import { makePatron, makeStaffUser, TEST_PASSWORD } from '../factories.ts';
import { type ServerProcess, spawnServer } from '../spawn-server.ts';

/** The default of STACKS_LOGIN_MAX_FAILURES: failed logins allowed per name in the window. */
const LIMIT = 10;

/** How many answers had each status, e.g. `{ 401: 10, 429: 20 }`. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe.each(testDialects())('log-in limits under concurrency on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let patron: Patron;
  const PIN = '2468';

  beforeAll(async () => {
    s = await createTestServer(dialect);
    patron = await makePatron(s.app, { pin: PIN });
    await makeStaffUser(s.app, 'victim', []);
  });
  afterAll(async () => s.close());

  it('lets at most the limit of 301 simultaneous patron sign-ins for one card be checked', async () => {
    const signIn = (pin: string) =>
      s.http.inject({
        method: 'POST',
        url: '/api/patron/login',
        payload: { cardBarcode: patron.cardBarcode, pin },
        remoteAddress: '10.1.0.1',
      });
    // 300 guesses and, last, the right PIN: all sent at once.
    const guesses = Array.from({ length: 300 }, (_, i) => String(1000 + i * 7).padStart(4, '0'));
    const answers = await Promise.all([...guesses.filter((g) => g !== PIN), PIN].map(signIn));
    const counts = tally(answers.map((a) => a.statusCode));
    const checked = (counts[401] ?? 0) + (counts[200] ?? 0);
    expect(checked, JSON.stringify(counts)).toBeLessThanOrEqual(LIMIT);
    expect(counts[429] ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(answers.length - LIMIT);
    for (const a of answers.filter((x) => x.statusCode === 429)) {
      expect(a.json().error.code).toBe('RATE_LIMITED');
      expect(a.headers['retry-after']).toBe('900');
    }
    // Once the limit is reached the right PIN does not get in either, not even in a burst of its own.
    const again = await Promise.all(Array.from({ length: 20 }, () => signIn(PIN)));
    expect(tally(again.map((a) => a.statusCode))).toEqual({ 429: 20 });
    // Every attempt that was checked is recorded; none beyond the limit.
    const rows = await s.app.database.db
      .selectFrom('login_attempts')
      .select('succeeded')
      .where('ip', '=', '10.1.0.1')
      .execute();
    expect(rows.length).toBe(checked);
    // Without the limit every one of the 301 is hashed with scrypt, which takes minutes on a small machine.
  }, 300_000);

  it('refuses 30 simultaneous wrong staff passwords beyond the limit with 429', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.http.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'victim', password: `wrong password ${i}` },
          remoteAddress: '10.2.0.1',
        }),
      ),
    );
    expect(tally(answers.map((a) => a.statusCode))).toEqual({ 401: LIMIT, 429: 30 - LIMIT });
    const right = await s.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'victim', password: TEST_PASSWORD },
      remoteAddress: '10.2.0.2',
    });
    expect(right.statusCode).toBe(429);
  });

  it('limits one client address across many user names at five times the limit', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 * LIMIT + 15 }, (_, i) =>
        s.http.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: `nobody${i}`, password: 'wrong password' },
          remoteAddress: '10.3.0.1',
        }),
      ),
    );
    expect(tally(answers.map((a) => a.statusCode))).toEqual({ 401: 5 * LIMIT, 429: 15 });
  }, 120_000);

  it('counts a successful log-in as no failure', async () => {
    await makeStaffUser(s.app, 'regular', []);
    for (let i = 0; i < LIMIT + 5; i++) {
      const res = await s.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'regular', password: TEST_PASSWORD },
        remoteAddress: '10.4.0.1',
      });
      expect(res.statusCode).toBe(200);
    }
  }, 120_000);
});

describe.skipIf(!testDialects().includes('postgres'))('log-in limits across two server processes', () => {
  let db: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop('SIGKILL');
    await db?.drop();
  });

  it('refuses 60 simultaneous wrong passwords sent through both beyond the limit', async () => {
    db = await createTestDatabase('postgres');
    if (db.options.dialect !== 'postgres') throw new Error('unreachable');
    const env = {
      STACKS_DATA_DIR: db.dataDir,
      DATABASE_URL: db.options.url,
      STACKS_ADMIN_PASSWORD: 'a chosen secret passphrase',
      STACKS_SEED_DEMO: 'false',
    };
    const a = await spawnServer(env, 60_000);
    servers.push(a);
    const b = await spawnServer(env, 60_000);
    servers.push(b);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${(i % 2 === 0 ? a : b).baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: `wrong password ${i}` }),
        }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(tally(statuses)).toEqual({ 401: LIMIT, 429: 60 - LIMIT });
    // Both processes refused some: the limit holds between them, not within each.
    expect(statuses.filter((status, i) => status === 429 && i % 2 === 0).length).toBeGreaterThan(0);
    expect(statuses.filter((status, i) => status === 429 && i % 2 === 1).length).toBeGreaterThan(0);
  }, 120_000);
});
