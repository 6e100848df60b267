import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { makeBranch, testActor } from '../../test/factories.ts';
import { runStacks } from '../../test/spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../../test/timeouts.ts';
import { fixedClock } from '../kernel/clock.ts';
import { exportPatronsWith, importPatronsWith } from './patron-commands.ts';

// These tests run the `stacks` command several times each: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

const CSV = [
  'card_barcode,first_name,last_name,birth_date,email,category,home_branch',
  'CLI-1,Ada,Lovelace,1990-12-10,ada@example.org,ADULT,MAIN',
  'CLI-2,Bad,Date,1990-02-30,,ADULT,MAIN',
  'CLI-3,Grace,Hopper,,,ADULT,MAIN',
].join('\r\n');

describe.each(testDialects())('patron CSV commands on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, { clock: fixedClock('2026-03-14T15:00:00.000Z') });
    await makeBranch(t.app, 'MAIN');
    await t.app.services.patrons.createCategory(testActor, {
      code: 'ADULT',
      name: 'Adults',
      loanLimit: 20,
      enrolmentMonths: 12,
    });
    dir = mkdtempSync(join(tmpdir(), 'stacks-patron-cli-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a file, printing what it did and each bad row, and writes a full report on request', async () => {
    const file = join(dir, 'patrons.csv');
    writeFileSync(file, CSV);
    const lines: string[] = [];
    const dry = await importPatronsWith(t.app, file, { onExisting: 'skip', dryRun: true }, (l) =>
      lines.push(l),
    );
    expect(dry).toMatchObject({ dryRun: true, created: 2, failed: 1 });
    expect(lines[0]).toMatch(/2 added, .* 1 failed, 0 warning\(s\) — dry run, nothing was written$/);
    expect(lines[1]).toBe('  error   row 3, birth_date: 1990-02-30 is not a date (YYYY-MM-DD)');
    expect((await t.app.services.patrons.search({ q: 'lovelace' })).total).toBe(0);

    lines.length = 0;
    const report = join(dir, 'report.json');
    await importPatronsWith(t.app, file, { onExisting: 'skip', report }, (l) => lines.push(l));
    expect(lines[0]).toBe(
      `${file}: 3 rows, 2 added, 0 updated, 0 unchanged, 0 skipped (card already registered), 1 failed, 0 warning(s)`,
    );
    expect(JSON.parse(readFileSync(report, 'utf8')).errors).toMatchObject([{ row: 3, column: 'birth_date' }]);
  });

  it('refuses bad options and missing files with exit code 2', async () => {
    const print = () => {};
    await expect(
      importPatronsWith(t.app, join(dir, 'none.csv'), { onExisting: 'skip' }, print),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('no such file'),
    });
    await expect(
      importPatronsWith(t.app, join(dir, 'patrons.csv'), { onExisting: 'merge' }, print),
    ).rejects.toMatchObject({ exitCode: 2 });
    await expect(
      importPatronsWith(t.app, join(dir, 'patrons.csv'), { onExisting: 'skip', batch: '0' }, print),
    ).rejects.toMatchObject({ exitCode: 2 });
  });

  it('exports every active patron to a file', async () => {
    const out = join(dir, 'out.csv');
    const lines: string[] = [];
    expect(await exportPatronsWith(t.app, out, (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([`Exported 2 patron(s) to ${out}`]);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      'card_barcode,first_name,last_name,birth_date,email,phone,address,category,home_branch,expires_on,notice_channel,language,notes',
    );
    expect(text).toContain('CLI-1,Ada,Lovelace,1990-12-10,ada@example.org,,,ADULT,MAIN,2027-03-14,email,en,');
  });
});

describe('stacks patrons, as an administrator runs it', () => {
  let dir: string;
  const stacks = (args: string[]) =>
    runStacks(args, {
      cwd: dir,
      env: {
        STACKS_DATA_DIR: join(dir, 'data'),
        STACKS_SEED_DEMO: 'false',
        STACKS_ADMIN_PASSWORD: 'a test passphrase',
      },
    });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stacks-patron-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('documents the columns in --help', () => {
    const help = stacks(['patrons', 'import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--on-existing <rule>');
    expect(help.stdout).toContain('--dry-run');
    expect(help.stdout).toContain('home_branch     branch code');
  });

  it('exits 1 when rows failed, 2 for a bad option, and exports', () => {
    const file = join(dir, 'patrons.csv');
    // A fresh database has no branches: every row fails, and says why.
    writeFileSync(file, CSV);
    const result = stacks(['patrons', 'import', file]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('3 failed');
    expect(result.stdout).toContain('row 2, home_branch: There is no branch with the code MAIN');
    expect(stacks(['patrons', 'import', file, '--on-existing', 'merge']).code).toBe(2);
    const out = join(dir, 'out.csv');
    const exported = stacks(['patrons', 'export', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^card_barcode,first_name/);
  });
});
