import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStacks } from '../../test/spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../../test/timeouts.ts';
import { migrationNames } from '../db/migrate.ts';

// These tests run the `stacks` command several times each: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

/** Runs the `stacks` command as a user would, in a data folder of the test's own. */
function stacks(dir: string, args: string[], input?: string, env: Record<string, string> = {}) {
  return runStacks(args, { cwd: dir, env: { STACKS_DATA_DIR: join(dir, 'data'), ...env }, input });
}

describe('the stacks command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stacks-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [[]],
    [['serve']],
    [['migrate']],
    [['seed']],
    [['user', 'add']],
    [['token', 'create']],
    [['backup']],
    [['config']],
  ])('explains itself with --help: stacks %s', (args) => {
    const result = stacks(dir, [...args, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: stacks/);
  });

  it('exits 2 with a message for an unknown command', () => {
    const result = stacks(dir, ['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('migrates, seeds, adds a user from standard input, and creates a token for it', () => {
    const migrate = stacks(dir, ['migrate']);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain(`up to date (${migrationNames.length} migrations)`);
    expect(stacks(dir, ['migrate', '--status']).stdout).toContain('pending: none');

    const seed = stacks(dir, ['seed']);
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toMatch(
      /Created the administrator "admin"\.\nPassword \(shown only this once\): \S{20}\nAdded the demo library\./,
    );
    expect(stacks(dir, ['seed']).stdout).toContain('no administrator was created');

    const add = stacks(
      dir,
      ['user', 'add', 'jdoe', '--name', 'Jo Doe', '--role', 'Branch manager'],
      'a long passphrase\n',
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^Added jdoe \(\S+\) with Branch manager\.$/m);
    expect(add.stdout + add.stderr).not.toContain('a long passphrase');

    const weak = stacks(dir, ['user', 'add', 'weak'], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('at least 10 characters');

    const noRole = stacks(dir, ['user', 'add', 'someone', '--role', 'Wizard'], 'a long passphrase\n');
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toMatch(/there is no role "Wizard" \(roles: .*Administrator/);

    const noPassword = stacks(dir, ['user', 'add', 'someone']);
    expect(noPassword.code).toBe(2);

    const token = stacks(dir, [
      'token',
      'create',
      '--user',
      'jdoe',
      '--name',
      'kiosk 1',
      '--permission',
      'audit.read',
    ]);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
    expect(stacks(dir, ['token', 'create', '--user', 'ghost', '--name', 'x']).code).toBe(2);
  });

  it('backs up the SQLite database to a new file that opens and holds the data', () => {
    const file = join(dir, 'backup.db');
    const result = stacks(dir, ['backup', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const copy = new BetterSqlite3(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select username from staff_users order by username').pluck().all()).toEqual([
        'admin',
        'jdoe',
      ]);
    } finally {
      copy.close();
    }
    const again = stacks(dir, ['backup', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already');
  });

  it('explains pg_dump instead of backing up PostgreSQL', () => {
    const result = stacks(dir, ['backup', join(dir, 'x.dump')], undefined, {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pg_dump --format=custom');
  });

  it('names a bad setting and exits 2', () => {
    writeFileSync(join(dir, 'stacks.toml'), 'port = 8080\ncolour = "blue"\n');
    const result = stacks(dir, ['config']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/stacks\.toml: unknown setting "colour"/);
    rmSync(join(dir, 'stacks.toml'));
    const shown = stacks(dir, ['config'], undefined, {
      STACKS_ADMIN_PASSWORD: 'a secret passphrase',
      SMTP_URL: 'smtp://notices:smtp-secret@mail.example:587',
    });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/admin_password\s+\(set\)/);
    expect(shown.stdout).not.toContain('a secret passphrase');
    expect(shown.stdout).toMatch(/smtp_url\s+smtp:\/\/notices:\*\*\*@mail\.example:587/);
    expect(shown.stdout).not.toContain('smtp-secret');
  });
});
