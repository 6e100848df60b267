import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase, testConfig } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { makeBranch } from '../../test/factories.ts';
import { runStacks, spawnServer } from '../../test/spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../../test/timeouts.ts';
import { createApp } from '../app.ts';
import { openDatabase } from '../db/database.ts';
import { insertTestPatron, SMTP_PASSWORD, startSmtpServer } from '../modules/notices/notices.test-support.ts';

// These tests run the `stacks` command several times each: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

describe.each(testDialects())('stacks jobs on %s', (dialect) => {
  let database: TestDatabase;
  let dbEnv: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    dbEnv =
      database.options.dialect === 'postgres'
        ? { DATABASE_URL: database.options.url, STACKS_DATA_DIR: join(database.dataDir, 'data') }
        : { STACKS_DATA_DIR: database.dataDir };
  });
  afterAll(async () => database.drop());

  /** Runs the `stacks` command as an operator (or cron) would. */
  function stacks(args: string[], env: Record<string, string> = {}) {
    return runStacks(args, { cwd: database.dataDir, env: { STACKS_SEED_DEMO: 'false', ...dbEnv, ...env } });
  }

  it.each([[['jobs']], [['jobs', 'list']], [['jobs', 'run']]])(
    'explains itself with --help: stacks %s',
    (args) => {
      const result = stacks([...args, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: stacks jobs/);
    },
  );

  it('lists the jobs and runs one, printing its summary', () => {
    const list = stacks(['jobs', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^notices-send +every minute\n {2}Send the e-mail notices/m);
    expect(list.stdout).toContain('never run');

    const run = stacks(['jobs', 'run', 'notices-send']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('sent: 0\nfailed: 0\nretrying: 0\n');
    expect(stacks(['jobs', 'list']).stdout).toMatch(/last run \S+: ok \(sent 0, failed 0, retrying 0\)/);
  });

  it('exits 1 when the job fails or does not exist', () => {
    const failed = stacks(['jobs', 'run', 'notices-send'], {
      SMTP_URL: 'ftp://mail.example',
      NOTICE_FROM: 'a@b.example',
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'stacks: notices-send failed: SMTP_URL must start with smtp:// or smtps://',
    );
    expect(stacks(['jobs', 'list']).stdout).toContain('error: SMTP_URL must start with smtp://');
    const unknown = stacks(['jobs', 'run', 'no-such-job']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no job "no-such-job"');
  });

  it('exits 2 and does nothing while another process holds the lease', async () => {
    const handle = openDatabase(database.options);
    try {
      await handle.db
        .updateTable('job_leases')
        .set({ holder: 'elsewhere:1', lease_until: '2999-01-01T00:00:00.000Z', last_outcome: 'ok' })
        .where('name', '=', 'notices-send')
        .execute();
      const held = stacks(['jobs', 'run', 'notices-send']);
      expect(held.code).toBe(2);
      expect(held.stderr).toContain('notices-send is running already');
      expect(held.stdout).toBe('');
      expect(stacks(['jobs', 'list']).stdout).toContain('running now');
      await handle.db
        .updateTable('job_leases')
        .set({ holder: null, lease_until: null })
        .where('name', '=', 'notices-send')
        .execute();
    } finally {
      await handle.close();
    }
  });

  it('stacks serve sends a notice queued before it started, from its scheduler', async () => {
    const smtp = await startSmtpServer();
    try {
      const app = await createApp(testConfig(database));
      try {
        const branch = await makeBranch(app, 'MAIN');
        const patron = await insertTestPatron(app, {
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'ada@example.org',
          branchId: branch.id,
        });
        await app.database.db.transaction().execute((trx) =>
          app.services.notices.enqueue(trx, app.clock.now(), {
            patron,
            kind: 'hold_available',
            dedupeKey: 'hold:serve-test',
            data: { title: 'Kindred', pickupBranch: 'Main', pickUpBy: '2026-12-15' },
          }),
        );
        // The earlier tests ran notices-send a moment ago; make it due now, as on a fresh install.
        await app.database.db.deleteFrom('job_leases').where('name', '=', 'notices-send').execute();
      } finally {
        await app.close();
      }
      const server = await spawnServer({
        ...dbEnv,
        STACKS_SEED_DEMO: 'false',
        STACKS_ADMIN_PASSWORD: 'a test passphrase',
        SMTP_URL: smtp.url,
        NOTICE_FROM: 'notices@library.example',
      });
      try {
        await expect.poll(() => smtp.messages.length, { timeout: 20_000 }).toBe(1);
        expect(smtp.messages[0]!.subject).toBe('Your hold is ready: Kindred');
        expect(server.output()).not.toContain(SMTP_PASSWORD);
      } finally {
        await server.stop();
      }
    } finally {
      await smtp.close();
    }
  });
});
