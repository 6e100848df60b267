import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase, withFreshConnection } from './create-test-app.ts';
import { testDialects } from './dialects.ts';
import { loginOver, type ServerProcess, spawnServer } from './spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from './timeouts.ts';

// These tests start server processes: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

describe('stacks serve, as a new user starts it', () => {
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates the data folder, seeds the demo library, prints a working login, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stacks-serve-'));
    dirs.push(dir);
    // The first start builds the web clients and seeds the demo library; its time is measured by the
    // startup benchmark, not asserted here.
    const server = await spawnServer({ STACKS_DATA_DIR: join(dir, 'data') }, 60_000);
    servers.push(server);

    const health = await fetch(`${server.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'sqlite' });

    const password = /Password \(shown only this once[^)]*\): (\S+)/.exec(server.output())?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    // The demo patron's card and PIN are printed once too, and open the public catalog.
    const demo = /card (\d+), PIN (\d{4})/.exec(server.output());
    expect(demo).not.toBeNull();
    const patronLogin = await fetch(`${server.baseUrl}/api/patron/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cardBarcode: demo![1], pin: demo![2] }),
    });
    expect(patronLogin.status).toBe(200);
    const opac = await fetch(`${server.baseUrl}/`);
    expect(await opac.text()).toContain('/assets/');
    expect(server.output()).toContain('Administrator login: admin');
    const cookie = await loginOver(server.baseUrl, 'admin', password!);
    const branches = (await (
      await fetch(`${server.baseUrl}/api/branches`, { headers: { cookie } })
    ).json()) as { code: string; timeZone: string }[];
    expect(branches.map((b: { code: string }) => b.code).sort()).toEqual(['CENTRAL', 'LAKESIDE']);
    expect(new Set(branches.map((b: { timeZone: string }) => b.timeZone)).size).toBe(2);

    expect(await server.stop('SIGTERM')).toBe(0);

    // The second start finds the administrator and prints no password.
    const again = await spawnServer({ STACKS_DATA_DIR: join(dir, 'data') });
    servers.push(again);
    expect(again.output()).not.toContain('Password');
    expect((await fetch(`${again.baseUrl}/api/health`)).status).toBe(200);
    await loginOver(again.baseUrl, 'admin', password!);
  });

  it('takes the administrator password from STACKS_ADMIN_PASSWORD and never prints it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stacks-serve-'));
    dirs.push(dir);
    const server = await spawnServer({
      STACKS_DATA_DIR: dir,
      STACKS_ADMIN_PASSWORD: 'a chosen secret passphrase',
      STACKS_SEED_DEMO: 'false',
    });
    servers.push(server);
    expect(server.output()).not.toContain('a chosen secret passphrase');
    await loginOver(server.baseUrl, 'admin', 'a chosen secret passphrase');
  });

  it('refuses to start with a bad setting, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stacks-serve-'));
    dirs.push(dir);
    await expect(spawnServer({ STACKS_DATA_DIR: dir, STACKS_SESSION_TTL_HOURS: 'forever' })).rejects.toThrow(
      /STACKS_SESSION_TTL_HOURS: "forever" is not a whole number/,
    );
  });
});

describe.each(testDialects())('a server killed with SIGKILL during writes on %s', (dialect) => {
  let db: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    await db?.drop();
  });

  it('loses nothing it acknowledged and starts again on the same database', async () => {
    db = await createTestDatabase(dialect);
    const env: Record<string, string> =
      db.options.dialect === 'postgres'
        ? {
            STACKS_DATA_DIR: db.dataDir,
            DATABASE_URL: db.options.url,
            STACKS_ADMIN_PASSWORD: 'a chosen secret passphrase',
            STACKS_SEED_DEMO: 'false',
          }
        : {
            STACKS_DATA_DIR: db.dataDir,
            STACKS_ADMIN_PASSWORD: 'a chosen secret passphrase',
            STACKS_SEED_DEMO: 'false',
          };
    const server = await spawnServer(env);
    servers.push(server);
    const cookie = await loginOver(server.baseUrl, 'admin', 'a chosen secret passphrase');

    // Four writers add roles as fast as they can; the server is killed while they are at it.
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 2000; i++) {
        try {
          const res = await fetch(`${server.baseUrl}/api/staff/roles`, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json' },
            body: JSON.stringify({ name: `role ${w}-${i}`, permissions: ['audit.read'] }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    await server.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);

    if (db.options.dialect === 'sqlite') {
      const sqlite = new BetterSqlite3(db.options.file);
      try {
        expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        sqlite.close();
      }
    }
    const restarted = await spawnServer(env);
    servers.push(restarted);
    const after = await loginOver(restarted.baseUrl, 'admin', 'a chosen secret passphrase');
    const roles = (await (
      await fetch(`${restarted.baseUrl}/api/staff/roles`, { headers: { cookie: after } })
    ).json()) as {
      id: string;
      name: string;
      permissions: string[];
    }[];
    const stored = new Map(roles.map((r) => [r.id, r]));
    for (const id of acknowledged) {
      expect(stored.get(id)?.permissions, `role ${id}`).toEqual(['audit.read']);
    }
    // Each role and its permission commit together or not at all: no written role lacks its permission.
    const written = roles.filter((r) => r.name.startsWith('role '));
    expect(written.length).toBeGreaterThanOrEqual(acknowledged.length);
    for (const role of written) expect(role.permissions, role.name).toEqual(['audit.read']);
  });
});

describe.skipIf(!testDialects().includes('postgres'))('two server processes on one PostgreSQL', () => {
  let db: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    await db?.drop();
  });

  it('share sessions, and exactly one of two simultaneous checkouts of an item through both wins', async () => {
    db = await createTestDatabase('postgres');
    if (db.options.dialect !== 'postgres') throw new Error('unreachable');
    const env = {
      STACKS_DATA_DIR: db.dataDir,
      DATABASE_URL: db.options.url,
      STACKS_ADMIN_PASSWORD: 'a chosen secret passphrase',
    };
    // Started together: both migrate and seed the same empty database.
    const [a, b] = await Promise.all([spawnServer(env, 60_000), spawnServer(env, 60_000)]);
    servers.push(a, b);
    expect(a.baseUrl).not.toBe(b.baseUrl);
    const cookie = await loginOver(a.baseUrl, 'admin', 'a chosen secret passphrase');
    const me = await fetch(`${b.baseUrl}/api/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'admin' });
    const branches = (await (
      await fetch(`${b.baseUrl}/api/branches`, { headers: { cookie } })
    ).json()) as unknown[];
    expect(branches).toHaveLength(2);

    // Two desks on two processes check out the same item at the same moment: one loan, the other refused.
    const options = db.options;
    const { items, cards } = await withFreshConnection(options, async (fresh) => ({
      items: await fresh.db
        .selectFrom('items')
        .select('barcode')
        .where('status', '=', 'available')
        .where('item_type', '=', 'BOOK')
        .orderBy('barcode')
        .limit(5)
        .execute(),
      // Two patrons free to borrow: nothing overdue and nothing owed in the demo data (no block refuses them).
      cards: await fresh.db
        .selectFrom('patrons')
        .select('card_barcode')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('loans')
                .select('loans.id')
                .whereRef('loans.patron_id', '=', 'patrons.id')
                .where('loans.returned_at', 'is', null)
                .where('loans.due_at', '<', new Date().toISOString()),
            ),
          ),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('account_lines')
                .select('account_lines.id')
                .whereRef('account_lines.patron_id', '=', 'patrons.id'),
            ),
          ),
        )
        .orderBy('card_barcode')
        .limit(2)
        .execute(),
    }));
    expect(cards).toHaveLength(2);
    for (const { barcode } of items) {
      const results = await Promise.all(
        [a, b].map((server, i) =>
          fetch(`${server.baseUrl}/api/circulation/checkout`, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json' },
            body: JSON.stringify({ patronBarcode: cards[i]!.card_barcode, itemBarcode: barcode }),
          }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, `item ${barcode}`).toEqual([201, 409]);
    }
    const loans = await withFreshConnection(options, (fresh) =>
      fresh.db
        .selectFrom('loans')
        .innerJoin('items', 'items.id', 'loans.item_id')
        .select('items.barcode')
        .where('loans.returned_at', 'is', null)
        .where(
          'items.barcode',
          'in',
          items.map((i) => i.barcode),
        )
        .execute(),
    );
    expect(loans).toHaveLength(items.length);

    expect(
      (await fetch(`${b.baseUrl}/api/auth/logout`, { method: 'POST', headers: { cookie } })).status,
    ).toBe(204);
    expect((await fetch(`${a.baseUrl}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
  });
});
