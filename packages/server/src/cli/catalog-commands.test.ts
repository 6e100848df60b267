import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStacks } from '../../test/spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../../test/timeouts.ts';
import { parseIso2709 } from '../marc/index.ts';

// These tests run the `stacks` command several times each: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

const MARC = new URL('../../../../testdata/marc/', import.meta.url).pathname;
const XSD = new URL('../../../../testdata/sru-oai/marcxml/MARC21slim.xsd', import.meta.url).pathname;
const HOLDINGS = new Set(['852', '876', '952']);
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function stacks(dir: string, args: string[]) {
  const env = {
    STACKS_DATA_DIR: join(dir, 'data'),
    STACKS_SEED_DEMO: 'false',
    STACKS_ADMIN_PASSWORD: 'a test passphrase',
  };
  return runStacks(args, { cwd: dir, env });
}

describe('stacks import and export', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stacks-catalog-cli-'));
    expect(stacks(dir, ['seed', '--no-demo']).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports files of every format, reports broken records by position, and adds nothing on a second run', () => {
    const files = [
      join(MARC, 'marc-perl/test.mrc'),
      join(MARC, 'marc-perl/camel.usmarc'),
      join(MARC, 'marc-perl/badldr.usmarc'),
      join(MARC, 'marc4j/sample1a.xml'),
    ];
    const first = stacks(dir, [
      'import',
      ...files,
      '--on-duplicate',
      'add',
      '--report',
      join(dir, 'report.json'),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/test\.mrc \(iso2709\): 9 read, 9 added/);
    expect(first.stdout).toMatch(/sample1a\.xml \(marcxml\): \d+ read/);
    expect(first.stdout).toMatch(
      /badldr\.usmarc \(iso2709\): 8 read, 6 added, 0 overlaid, 0 matched and skipped, 2 failed/,
    );
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(
      report.find((r: { file: string }) => r.file.endsWith('badldr.usmarc')).report.problems.length,
    ).toBeGreaterThan(0);

    const again = stacks(dir, ['import', join(MARC, 'marc-perl/camel.usmarc'), '--on-duplicate', 'overlay']);
    expect(again.stdout).toMatch(/10 read, 0 added, 0 overlaid, 10 matched and skipped, 0 failed/);
  });

  it('refuses bad options with exit code 2', () => {
    expect(
      stacks(dir, ['import', join(MARC, 'marc-perl/camel.usmarc'), '--on-duplicate', 'merge']).code,
    ).toBe(2);
    expect(stacks(dir, ['import', join(MARC, 'marc-perl/camel.usmarc'), '--match', 'shoe-size']).code).toBe(
      2,
    );
    expect(stacks(dir, ['import', join(dir, 'missing.mrc')]).stderr).toContain('no such file');
    expect(stacks(dir, ['export', '--format', 'pdf', '--out', 'x']).code).toBe(2);
  });

  it('exports UTF-8 records field for field as they were imported (holdings tags become items)', () => {
    const out = join(dir, 'all.mrc');
    const result = stacks(dir, ['export', '--format', 'iso2709', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const exported = parseIso2709(readFileSync(out));
    expect(exported.every((r) => r.problems.length === 0)).toBe(true);
    const written = new Set(
      exported.map((r) => JSON.stringify(r.record!.fields.filter((f) => !HOLDINGS.has(f.tag)))),
    );
    const original = parseIso2709(readFileSync(join(MARC, 'marc-perl/test.mrc')));
    expect(original).toHaveLength(9);
    for (const r of original)
      expect(written.has(JSON.stringify(r.record!.fields.filter((f) => !HOLDINGS.has(f.tag))))).toBe(true);
    expect(
      stacks(dir, ['export', '--format', 'iso2709', '--query', 'perl', '--out', join(dir, 'perl.mrc')])
        .stdout,
    ).toContain('Exported 10 record(s)');
  });

  it.skipIf(!has('yaz-marcdump'))('writes ISO 2709 that yaz-marcdump reads without complaint', () => {
    const out = join(dir, 'yaz.mrc');
    expect(stacks(dir, ['export', '--format', 'iso2709', '--out', out]).code).toBe(0);
    const yaz = spawnSync('yaz-marcdump', ['-n', '-v', out], { encoding: 'utf8' });
    expect(yaz.status).toBe(0);
    expect(yaz.stderr).toBe('');
    const count = spawnSync('sh', ['-c', `yaz-marcdump ${out} | grep -c '^[0-9][0-9][0-9][0-9][0-9]'`], {
      encoding: 'utf8',
    });
    expect(Number(count.stdout.trim())).toBe(parseIso2709(readFileSync(out)).length);
  });

  it.skipIf(!has('xmllint'))('writes MARCXML that validates against MARC21slim.xsd', () => {
    const out = join(dir, 'all.xml');
    expect(stacks(dir, ['export', '--format', 'marcxml', '--out', out]).code).toBe(0);
    const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, out], { encoding: 'utf8' });
    expect(lint.stderr).toContain('validates');
    expect(lint.status).toBe(0);
  });

  it('writes MARC-in-JSON as one array', () => {
    const out = join(dir, 'all.json');
    expect(stacks(dir, ['export', '--format', 'json', '--query', 'perl', '--out', out]).code).toBe(0);
    const records = JSON.parse(readFileSync(out, 'utf8'));
    expect(records).toHaveLength(10);
    expect(records[0]).toHaveProperty('leader');
  });
});
