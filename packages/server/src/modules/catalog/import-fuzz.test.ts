import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { AppError } from '../../kernel/app-error.ts';
import { newId } from '../../kernel/ids.ts';
import { corpusBytes } from '../../marc/corpus.test-support.ts';
import { parseIso2709, toMarcJson } from '../../marc/index.ts';
import type { ExportFormat } from './export-service.ts';
import { exportAndReadBack, type Random, seeded, unexplained } from './roundtrip.test-support.ts';

/**
 * Fuzzing the import: corpus files with bytes flipped, inserted and deleted (seeded, so a failure
 * can be replayed) import without a crash, account for every record, keep the original of every
 * record they create, and the catalog they make exports completely in every format.
 */

/** Time spent mutating and importing, per dialect. */
const FUZZ_MS = 4000;

const SEEDS: { name: string; bytes: Buffer }[] = [
  { name: 'camel.usmarc', bytes: corpusBytes('marc-perl/camel.usmarc') },
  { name: 'diacritic.dat', bytes: corpusBytes('pymarc/diacritic.dat') },
  { name: 'hebrew2.marc', bytes: corpusBytes('marc-perl/hebrew2.marc') },
  { name: 'utf8_multirecord.marc', bytes: corpusBytes('ruby-marc/utf8_multirecord.marc') },
  { name: 'batch.xml', bytes: corpusBytes('pymarc/batch.xml') },
  { name: 'utf8.xml', bytes: corpusBytes('pymarc/utf8.xml') },
  {
    name: 'camel.json',
    bytes: Buffer.from(
      JSON.stringify(parseIso2709(corpusBytes('marc-perl/camel.usmarc')).map((r) => toMarcJson(r.record!))),
      'utf8',
    ),
  },
];

/** Bytes that mean something to a reader: delimiters, escape, markup, quotes. */
const SPECIAL = [
  0x1d, 0x1e, 0x1f, 0x1b, 0x00, 0x3c, 0x3e, 0x26, 0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0xff, 0xc3, 0xe2,
];

function mutate(r: Random, input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  for (let n = 1 + r.int(8); n > 0; n--) {
    const at = r.int(bytes.length + 1);
    switch (r.int(6)) {
      case 0: // flip one bit
        if (at < bytes.length) bytes[at]! ^= 1 << r.int(8);
        break;
      case 1: // overwrite with a byte readers care about
        if (at < bytes.length) bytes[at] = r.pick(SPECIAL);
        break;
      case 2: // insert bytes
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(
            Array.from({ length: 1 + r.int(4) }, () => (r.chance(0.5) ? r.pick(SPECIAL) : r.int(256))),
          ),
          bytes.subarray(at),
        ]);
        break;
      case 3: // delete a run
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          bytes.subarray(at + 1 + r.int(r.chance(0.2) ? 200 : 4)),
        ]);
        break;
      case 4: // repeat a run elsewhere
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          bytes.subarray(r.int(bytes.length), r.int(bytes.length)),
          bytes.subarray(at),
        ]);
        break;
      default: // cut the file short
        if (r.chance(0.3)) bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

describe.each(testDialects())('importing mutated MARC files on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let folder: string;
  const failures: string[] = [];
  let imports = 0;
  let refused = 0;
  let created = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    folder = mkdtempSync(join(tmpdir(), 'stacks-fuzz-'));
    await makeBranch(t.app, 'MAIN');
    await t.app.services.catalog.createItemType(testActor, {
      code: 'BOOK',
      name: 'Book',
      isCirculating: true,
    });
    const r = seeded(dialect === 'sqlite' ? 7 : 11);
    const started = performance.now();
    for (let round = 0; performance.now() - started < FUZZ_MS; round++) {
      const seed = r.pick(SEEDS);
      const path = join(folder, `${round}-${seed.name}`);
      writeFileSync(path, mutate(r, seed.bytes));
      const importId = newId();
      try {
        const { report } = await t.app.services.catalogImport.importFile(testActor, path, {
          onDuplicate: r.pick(['add', 'skip', 'overlay'] as const),
          defaultBranchCode: 'MAIN',
          defaultItemType: 'BOOK',
          importId,
        });
        imports++;
        created += report.created;
        if (report.created + report.skipped + report.failed + report.overlaid !== report.read)
          failures.push(`round ${round} (${seed.name}): the report does not account for every record`);
        const originals = await t.app.database.db
          .selectFrom('catalog_record_sources')
          .select('id')
          .where('import_id', '=', importId)
          .execute();
        if (originals.length !== report.created + report.overlaid)
          failures.push(
            `round ${round} (${seed.name}): ${originals.length} originals kept for ${report.created + report.overlaid} records`,
          );
      } catch (error) {
        // A file too broken to be taken for MARC is refused with a clear error; anything else is a crash.
        if (error instanceof AppError && error.code === 'INVALID_MARC') refused++;
        else failures.push(`round ${round} (${seed.name}): ${(error as Error).stack}`);
      }
    }
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('imports every mutated file without a crash, accounting for every record', () => {
    expect(failures).toEqual([]);
    expect(imports).toBeGreaterThan(10);
    expect(created).toBeGreaterThan(0);
    expect(refused).toBeLessThan(imports);
  });

  it.each<ExportFormat>(['iso2709', 'marcxml', 'json'])(
    'exports the catalog it made completely in %s',
    async (format) => {
      const { pairs, skipped } = await exportAndReadBack(t.app.services.catalogExport, format);
      expect(skipped).toEqual([]);
      const wrong = pairs.flatMap(({ id, expected, written, problems }) =>
        unexplained(expected, written, problems, format).map((what) => `${id}: ${what}`),
      );
      expect(wrong.slice(0, 20)).toEqual([]);
      expect(pairs.length).toBe(await t.app.services.catalog.countRecords());
    },
    120_000,
  );
});
