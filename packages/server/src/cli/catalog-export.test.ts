import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase, testConfig } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { testActor } from '../../test/factories.ts';
import { runStacks } from '../../test/spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../../test/timeouts.ts';
import { createApp } from '../app.ts';
import { controlValue, parseIso2709, parseMarcXml } from '../marc/index.ts';
import { DAMAGED, goodRecord, storeAsIs } from '../modules/catalog/export.test-support.ts';
import { writeWholeFile } from './catalog-commands.ts';

// These tests run the `stacks` command several times each: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

const XSD = new URL('../../../../testdata/sru-oai/marcxml/MARC21slim.xsd', import.meta.url).pathname;
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * `stacks export` of a catalog holding a damaged record among good ones: the file is complete, exit
 * code 0, the summary names the repairs and `--report` has each one with the record's id and 001.
 */
describe.each(testDialects())('stacks export of a damaged catalog on %s', (dialect) => {
  let database: TestDatabase;
  let dbEnv: Record<string, string>;
  let damagedId: string;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    dbEnv =
      database.options.dialect === 'postgres'
        ? { DATABASE_URL: database.options.url, STACKS_DATA_DIR: join(database.dataDir, 'data') }
        : { STACKS_DATA_DIR: database.dataDir };
    const app = await createApp(testConfig(database));
    try {
      for (const title of ['A good record', 'Another good record'])
        await app.services.catalog.createRecord(testActor, goodRecord(title));
      damagedId = await storeAsIs(app, DAMAGED);
    } finally {
      await app.close();
    }
  });
  afterAll(async () => database.drop());

  function stacks(args: string[]) {
    return runStacks(args, { cwd: database.dataDir, env: { STACKS_SEED_DEMO: 'false', ...dbEnv } });
  }

  it('writes the whole ISO 2709 file, exits 0, and reports every repair with the record named', () => {
    const out = join(database.dataDir, 'all.mrc');
    const reportFile = join(database.dataDir, 'report.json');
    const result = stacks(['export', '--format', 'iso2709', '--out', out, '--report', reportFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Exported 3 record(s) to ${out} (iso2709): 1 repaired, 0 left out`);
    expect(result.stdout).toContain(`record 3 (id ${damagedId}, 001 dmg-1) error: field "0°1" left out`);
    expect(result.stdout).toContain(
      `record 3 (id ${damagedId}, 001 dmg-1) error: field 500 is 12,005 bytes, more than the 9,999 ISO 2709 allows; cut to 9,999 bytes`,
    );

    const results = parseIso2709(readFileSync(out));
    expect(results.map((r) => r.problems)).toEqual([[], [], []]);
    expect(results.map((r) => controlValue(r.record!, '001') ?? null)).toEqual([null, null, 'dmg-1']);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report).toMatchObject({ format: 'iso2709', records: 3, written: 3, repaired: 1, skipped: 0 });
    expect(report.problems.map((p: { tag: string; code: string }) => `${p.tag} ${p.code}`)).toEqual([
      '42 TAG_INVALID',
      '0°1 TAG_INVALID',
      '245 SUBFIELD_CODE_INVALID',
      '650 INDICATOR_INVALID',
      '500 FIELD_TOO_LONG',
    ]);
    expect(report.problems[0]).toMatchObject({
      recordIndex: 2,
      recordId: damagedId,
      controlNumber: 'dmg-1',
      severity: 'warning',
      message: 'tag "42" written as "042"',
    });

    if (!has('yaz-marcdump')) return;
    const yaz = spawnSync('yaz-marcdump', ['-n', '-v', out], { encoding: 'utf8' });
    expect(yaz.stderr).toBe('');
    expect(yaz.status).toBe(0);
  });

  it.skipIf(!has('xmllint'))('writes MARCXML that validates against MARC21slim.xsd, FMT kept', () => {
    const out = join(database.dataDir, 'all.xml');
    const result = stacks(['export', '--format', 'marcxml', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(marcxml): 1 repaired, 0 left out');
    const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, out], { encoding: 'utf8' });
    expect(lint.stderr).toContain('validates');
    expect(parseMarcXml(readFileSync(out)).map((r) => r.record!.fields.some((f) => f.tag === 'FMT'))).toEqual(
      [false, false, true],
    );
  });
});

describe(writeWholeFile.name, () => {
  it('writes nothing when the export stops, and leaves an older file as it was', async () => {
    const dir = (await createTestDatabase('sqlite')).dataDir;
    const path = join(dir, 'catalog.mrc');
    async function* failing() {
      yield 'first record';
      throw new Error('connection to the database lost');
    }
    await expect(writeWholeFile(path, failing())).rejects.toThrow('connection to the database lost');
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, 'yesterday’s export');
    await expect(writeWholeFile(path, failing())).rejects.toThrow();
    expect(readFileSync(path, 'utf8')).toBe('yesterday’s export');
    expect(readdirSync(dir)).toEqual(['catalog.mrc']);
    async function* whole() {
      yield 'a';
      yield Buffer.from('b');
    }
    await writeWholeFile(path, whole());
    expect(readFileSync(path, 'utf8')).toBe('ab');
  });
});
