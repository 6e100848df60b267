import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdministrator } from '../../src/seed/seed.ts';
import { createTestApp } from '../create-test-app.ts';
import { createTestServer } from '../create-test-server.ts';
import { testDialects } from '../dialects.ts';
import { makePatron, makeStaffUser, TEST_PASSWORD } from '../factories.ts';
import { rowCounts } from '../row-counts.ts';
import { childEnv, STACKS_BIN } from '../spawn-server.ts';

/** Passwords long enough for the length rule that are still refused. */
const GUESSABLE_PASSWORDS = [
  '123456789012',
  'aaaaaaaaaaaa',
  'Password123!',
  ' '.repeat(12),
  '\t \t \t \t \t ',
  'abcdefghijkl',
  '0987654321',
  'P@ssw0rd2024',
  'qwertyuiop12',
  'abababababab',
];

/** PINs refused as trivial or common. */
const TRIVIAL_PINS = [
  '0000',
  '1234',
  '1111',
  '2222',
  '12345',
  '4321',
  '9876',
  '7890',
  '1212',
  '99999999',
  '2580',
  '1122',
];

describe.each(testDialects())('password and PIN rules on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let admin: string;

  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'boss', ['*']);
    admin = await s.login('boss');
    // The category and branch new patrons are registered in.
    await makePatron(s.app);
  });
  afterAll(async () => s.close());

  it.each(GUESSABLE_PASSWORDS)('refuses %j for a new staff account, writing nothing', async (password) => {
    const before = await rowCounts(s.app.database.db);
    const res = await s.as(admin, {
      method: 'POST',
      url: '/api/staff/users',
      payload: { username: 'newcomer', displayName: 'New', password },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('WEAK_PASSWORD');
    if (password.trim() !== '') expect(res.body).not.toContain(password);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it('accepts a passphrase', async () => {
    const res = await s.as(admin, {
      method: 'POST',
      url: '/api/staff/users',
      payload: { username: 'fine', displayName: 'Fine', password: 'heron at dusk over the lake' },
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('refuses a guessable password or the current one when an administrator resets it', async () => {
    const user = await makeStaffUser(s.app, 'resetme', []);
    for (const password of [...GUESSABLE_PASSWORDS, TEST_PASSWORD]) {
      const res = await s.as(admin, {
        method: 'PATCH',
        url: `/api/staff/users/${user.id}`,
        payload: { password },
      });
      expect(res.statusCode, password).toBe(400);
      expect(res.json().error.code).toBe('WEAK_PASSWORD');
    }
    const current = await s.as(admin, {
      method: 'PATCH',
      url: `/api/staff/users/${user.id}`,
      payload: { password: TEST_PASSWORD },
    });
    expect(current.json().error.message).toMatch(/current/);
    await s.login('resetme');
    const ok = await s.as(admin, {
      method: 'PATCH',
      url: `/api/staff/users/${user.id}`,
      payload: { password: 'a different long passphrase' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    await s.login('resetme', 'a different long passphrase');
  });

  it('refuses a guessable password or the current one when staff change their own', async () => {
    await makeStaffUser(s.app, 'changer', []);
    const cookie = await s.login('changer');
    for (const newPassword of [...GUESSABLE_PASSWORDS, TEST_PASSWORD]) {
      const res = await s.as(cookie, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: TEST_PASSWORD, newPassword },
      });
      expect(res.statusCode, newPassword).toBe(400);
      expect(res.json().error.code).toBe('WEAK_PASSWORD');
    }
    const ok = await s.as(cookie, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'my own new passphrase' },
    });
    expect(ok.statusCode, ok.body).toBe(204);
  });

  it.each(TRIVIAL_PINS)(
    'refuses the PIN %s when a patron is registered and when staff set it',
    async (pin) => {
      const before = await rowCounts(s.app.database.db);
      const branch = (await s.app.services.branches.listBranches())[0]!;
      const created = await s.as(admin, {
        method: 'POST',
        url: '/api/patrons',
        payload: {
          firstName: 'Trivial',
          lastName: 'Pin',
          categoryCode: 'ADULT',
          homeBranchId: branch.id,
          pin,
        },
      });
      expect(created.statusCode, created.body).toBe(400);
      expect(created.json().error.code).toBe('INVALID_PIN');
      expect(await rowCounts(s.app.database.db)).toEqual(before);
      const patron = await makePatron(s.app, { pin: '2468' });
      const set = await s.as(admin, {
        method: 'PUT',
        url: `/api/patrons/${patron.id}/pin`,
        payload: { pin },
      });
      expect(set.statusCode, set.body).toBe(400);
      expect(set.json().error.code).toBe('INVALID_PIN');
      expect(set.json().error.details).toEqual({ field: 'pin' });
    },
  );

  it('refuses the current PIN as the new one', async () => {
    const patron = await makePatron(s.app, { pin: '2468' });
    const res = await s.as(admin, {
      method: 'PUT',
      url: `/api/patrons/${patron.id}/pin`,
      payload: { pin: '2468' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PIN');
    expect(res.json().error.message).toMatch(/current/);
  });

  it('allows longer PINs and passphrases up to 64 characters, which then sign in', async () => {
    const patron = await makePatron(s.app, { pin: '2468' });
    for (const pin of ['80417365', '4096215873', 'heron at dusk', 'x'.repeat(30) + 'y'.repeat(34)]) {
      const res = await s.as(admin, {
        method: 'PUT',
        url: `/api/patrons/${patron.id}/pin`,
        payload: { pin },
      });
      expect(res.statusCode, `${pin}: ${res.body}`).toBe(204);
      const login = await s.http.inject({
        method: 'POST',
        url: '/api/patron/login',
        payload: { cardBarcode: patron.cardBarcode, pin },
        remoteAddress: '10.5.0.1',
      });
      expect(login.statusCode, pin).toBe(200);
    }
    const tooLong = await s.as(admin, {
      method: 'PUT',
      url: `/api/patrons/${patron.id}/pin`,
      payload: { pin: 'heron at dusk '.repeat(5) },
    });
    expect(tooLong.statusCode).toBe(400);
  });

  it('refuses a guessable STACKS_ADMIN_PASSWORD at first start', async () => {
    // (A password of spaces only is already refused as a setting: see config.ts.)
    for (const password of ['Password123!', '123456789012', 'aaaaaaaaaaaa']) {
      const t = await createTestApp(dialect, { env: { STACKS_ADMIN_PASSWORD: password } });
      try {
        await expect(ensureAdministrator(t.app)).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
        expect(await t.app.services.staff.countUsers()).toBe(0);
      } finally {
        await t.close();
      }
    }
  });
});

describe('stacks user add', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stacks-passwords-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a common password read from standard input', () => {
    const add = (password: string) =>
      spawnSync(process.execPath, [STACKS_BIN, 'user', 'add', 'jdoe'], {
        env: childEnv({ STACKS_DATA_DIR: join(dir, 'data'), STACKS_SEED_DEMO: 'false' }),
        input: `${password}\n`,
        encoding: 'utf8',
        cwd: dir,
        timeout: 120_000,
        killSignal: 'SIGKILL',
      });
    const weak = add('Password123!');
    expect(weak.status, weak.stderr).toBe(1);
    expect(weak.stderr).toMatch(/guess/);
    expect(weak.stdout + weak.stderr).not.toContain('Password123!');
    const fine = add('heron at dusk over the lake');
    expect(fine.status, fine.stderr).toBe(0);
  });
});
