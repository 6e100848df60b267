import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { type MarcRecord, parseIso2709, readMarcFile } from '../../marc/index.ts';
import { asReadResults } from './import-service.ts';

const MARC = new URL('../../../../../testdata/marc/', import.meta.url);
const file = (name: string) => new URL(name, MARC).pathname;
const readResults = (name: string) => parseIso2709(readFileSync(file(name)));

function record(title: string, fields: MarcRecord['fields'] = []): MarcRecord {
  return {
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '008', value: '990101s2001    nyu           000 0 eng d' },
      { tag: '245', ind1: '0', ind2: '0', subfields: [{ code: 'a', value: title }] },
      ...fields,
    ],
  };
}
const f035 = (value: string) => ({ tag: '035', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value }] });
const f952 = (barcode: string, branch: string, type = 'BOOK') => ({
  tag: '952',
  ind1: ' ',
  ind2: ' ',
  subfields: [
    { code: 'a', value: branch },
    { code: 'o', value: 'QA76.73 .P22 W35' },
    { code: 'p', value: barcode },
    { code: 'y', value: type },
    { code: 'g', value: '39.95' },
  ],
});

describe.each(testDialects())('importing MARC on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const imports = () => t.app.services.catalogImport;
  const catalog = () => t.app.services.catalog;
  beforeAll(async () => {
    t = await createTestApp(dialect, { clock: fixedClock('2026-11-30T14:00:00.000Z') });
    await makeBranch(t.app, 'MAIN');
    await catalog().createItemType(testActor, { code: 'BOOK', name: 'Book', isCirculating: true });
  });
  afterAll(async () => t.close());

  it('imports a file and adds nothing when the same file is imported again', async () => {
    const first = await imports().importRecords(testActor, readResults('marc-perl/camel.usmarc'), {
      onDuplicate: 'skip',
    });
    expect(first).toMatchObject({ read: 10, created: 10, skipped: 0, failed: 0 });
    const again = await imports().importRecords(testActor, readResults('marc-perl/camel.usmarc'), {
      onDuplicate: 'overlay',
    });
    expect(again).toMatchObject({ read: 10, created: 0, overlaid: 0, skipped: 10, failed: 0 });
    expect((await catalog().search({ q: 'perl' })).total).toBe(10);
  });

  it.each([
    ['skip', { created: 0, overlaid: 0, skipped: 1 }, 'Old title'],
    ['overlay', { created: 0, overlaid: 1, skipped: 0 }, 'New title'],
    ['add', { created: 1, overlaid: 0, skipped: 0 }, 'Old title'],
  ] as const)(
    'applies the rule %s to a record matching by system number',
    async (rule, counts, titleAfter) => {
      const number = `(TEST)${rule}`;
      const old = await catalog().createRecord(testActor, record('Old title', [f035(number)]));
      const report = await imports().importRecords(
        testActor,
        asReadResults([record('New title', [f035(number)])]),
        { onDuplicate: rule },
      );
      expect(report).toMatchObject(counts);
      expect((await catalog().getRecord(old.id)).summary.title).toBe(titleAfter);
      if (rule === 'overlay')
        expect((await catalog().history(old.id)).map((v) => v.change)).toEqual(['overlaid', 'created']);
      if (rule === 'skip') expect(report.problems[0]?.message).toContain(`by system ${number}`);
    },
  );

  it('creates items from Koha 952 fields and reports those it cannot place', async () => {
    const report = await imports().importRecords(
      testActor,
      asReadResults([
        record('Items galore', [
          f035('(TEST)items'),
          f952('39000000000011', 'MAIN'),
          f952('39000000000029', 'NOWHERE'),
          f952('39000000000037', 'MAIN', 'ROCK'),
        ]),
      ]),
      { onDuplicate: 'skip' },
    );
    expect(report).toMatchObject({ created: 1, itemsCreated: 1, itemsFailed: 2 });
    expect(report.problems.map((p) => p.message)).toEqual([
      'item 39000000000029: unknown branch NOWHERE; give a default branch to import it; the 952 stays in the record',
      'item 39000000000037: unknown item type ROCK; give a default item type to import it; the 952 stays in the record',
    ]);
    const item = await catalog().findItemByBarcode('39000000000011');
    expect(item).toMatchObject({
      status: 'available',
      callNumber: 'QA76.73 .P22 W35',
      priceMinor: 3995,
      itemType: 'BOOK',
    });
    // The record is stored without the 952 that became an item (the item carries it); the two that
    // made no item stay in it.
    const stored = await catalog().getRecord(item!.recordId);
    expect(
      stored.marc.fields.filter((f) => f.tag === '952').map((f) => 'subfields' in f && f.subfields[2]?.value),
    ).toEqual(['39000000000029', '39000000000037']);

    const again = await imports().importRecords(
      testActor,
      asReadResults([record('Items galore', [f035('(TEST)items'), f952('39000000000011', 'MAIN')])]),
      { onDuplicate: 'skip', defaultBranchCode: 'MAIN' },
    );
    expect(again).toMatchObject({ created: 0, skipped: 1, itemsCreated: 0, itemsExisting: 1 });
  });

  it('creates items from 852 and 876 holdings fields', async () => {
    const report = await imports().importRecords(
      testActor,
      asReadResults([
        record('Holdings in 852', [
          {
            tag: '852',
            ind1: '0',
            ind2: ' ',
            subfields: [
              { code: 'b', value: 'main' },
              { code: 'c', value: 'STACKS' },
              { code: 'h', value: 'PS3545' },
              { code: 'i', value: '.H16' },
            ],
          },
          {
            tag: '876',
            ind1: ' ',
            ind2: ' ',
            subfields: [
              { code: 'p', value: '39000000000045' },
              { code: 'c', value: '$12.00' },
            ],
          },
        ]),
      ]),
      { onDuplicate: 'skip', defaultItemType: 'BOOK' },
    );
    expect(report).toMatchObject({ created: 1, itemsCreated: 1 });
    expect(await catalog().findItemByBarcode('39000000000045')).toMatchObject({
      location: 'STACKS',
      callNumber: 'PS3545 .H16',
      priceMinor: 1200,
    });
  });

  it('keeps one record when a file holds the same record twice', async () => {
    const twice = record('Printed twice', [f035('(TEST)twice')]);
    const report = await imports().importRecords(testActor, asReadResults([twice, twice]), {
      onDuplicate: 'overlay',
    });
    expect(report).toMatchObject({ read: 2, created: 1, skipped: 1 });
  });

  it('reports broken records by position and imports the rest', async () => {
    const report = await imports().importRecords(testActor, readResults('marc-perl/badldr.usmarc'), {
      onDuplicate: 'add',
    });
    expect(report.read).toBe(8);
    expect(report.failed).toBe(2);
    expect(report.created).toBe(6);
    const errors = report.problems.filter((p) => p.severity === 'error' && !p.message.startsWith('item '));
    expect(errors.map((p) => [p.recordIndex, p.byteOffset])).toEqual(expect.arrayContaining([[2, 472]]));
  });

  it('refuses an unknown default branch before reading anything', async () => {
    await expect(
      imports().importRecords(testActor, [], { onDuplicate: 'skip', defaultBranchCode: 'ATLANTIS' }),
    ).rejects.toMatchObject({
      code: 'BRANCH_NOT_FOUND',
    });
  });
});

describe('every shared test file', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.close());

  const files = readdirSync(MARC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(mrc|marc|usmarc|dat|xml|iso|utf8|mrk)$/i.test(e.name))
    .map((e) => `${e.parentPath.slice(new URL(MARC).pathname.length)}/${e.name}`.replace(/^\//, ''));

  it('has files to import', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(files)('imports %s without a crash, accounting for every record', async (name) => {
    const { format, records } = await readMarcFile(file(name));
    const report = await t.app.services.catalogImport.importRecords(testActor, records, {
      onDuplicate: 'add',
    });
    expect(report.created + report.skipped + report.failed + report.overlaid, format).toBe(report.read);
  });
});
