import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { type MarcRecord, parseIso2709 } from '../../marc/index.ts';
import type { Branch } from '../branches/index.ts';

const MARC = new URL('../../../../../testdata/marc/', import.meta.url);
const records = (file: string): MarcRecord[] =>
  parseIso2709(readFileSync(new URL(file, MARC))).flatMap((r) => (r.record ? [r.record] : []));

/** A small record made by hand. */
function record(title: string, extra: MarcRecord['fields'] = []): MarcRecord {
  return {
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '008', value: '990101s2001    nyu           000 0 ger d' },
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
      ...extra,
    ],
  };
}

describe.each(testDialects())('the catalog on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let main: Branch;
  let east: Branch;
  const catalog = () => t.app.services.catalog;
  beforeAll(async () => {
    t = await createTestApp(dialect, { clock: fixedClock('2026-11-30T14:00:00.000Z') });
    main = await makeBranch(t.app, 'MAIN');
    east = await makeBranch(t.app, 'EAST', 'America/Chicago');
    await catalog().createItemType(testActor, { code: 'BOOK', name: 'Book', isCirculating: true });
    for (const r of records('marc-perl/camel.usmarc')) await catalog().createRecord(testActor, r);
    await catalog().createRecord(
      testActor,
      record('Geschichte der Bibliotheken', [
        { tag: '100', ind1: '1', ind2: ' ', subfields: [{ code: 'a', value: 'Müller, Jürgen.' }] },
        {
          tag: '650',
          ind1: ' ',
          ind2: '0',
          subfields: [
            { code: 'a', value: 'Libraries' },
            { code: 'x', value: 'History.' },
          ],
        },
      ]),
    );
  });
  afterAll(async () => t.close());

  it('extracts what the catalog shows from the MARC record', async () => {
    const hits = await catalog().search({ q: 'title:"programming perl"' });
    expect(hits.total).toBe(1);
    const rec = await catalog().getRecord(hits.hits[0]!.id);
    expect(rec.summary).toMatchObject({
      title: 'Programming Perl',
      responsibility: 'Larry Wall, Tom Christiansen & Jon Orwant',
      authors: ['Wall, Larry', 'Christiansen, Tom', 'Orwant, Jon'],
      subjects: ['Perl (Computer program language)'],
      isbns: ['9780596000271'],
      format: 'book',
    });
    expect(rec.version).toBe(1);
  });

  it.each([
    ['perl', 10],
    ['Perl programming', 10],
    ['title:programming title:perl', 3],
    ['"programming perl"', 1],
    ['author:brown', 2],
    ['subject:"database management"', 1],
    ['perl NOT brown', 8],
    ['-perl', 1],
    ['cgi OR dbi', 2],
    ['program*', 10],
    ['title:program*', 5],
    ['isbn:0-596-00027-8', 1],
    ['isbn:9780596000271', 1],
    ['Muller', 1],
    ['müller', 1],
    ['library', 1],
    ['geschichte bibliothek*', 1],
    ['', 11],
    ['nothingmatchesthis', 0],
  ])('finds %j: %i record(s)', async (q, total) => {
    const page = await catalog().search({ q });
    expect(page.total).toBe(total);
    expect(page.hits.length).toBe(Math.min(total, 20));
  });

  it('ranks title matches first', async () => {
    const page = await catalog().search({ q: 'perl' });
    // "ActivePerl" has the word only in its subject: it ranks below every record with Perl in its title.
    expect(page.hits.at(-1)!.title).toMatch(/^ActivePerl/);
    expect(page.hits.slice(0, -1).every((h) => /\bperl\b/i.test(h.title))).toBe(true);
  });

  it('counts facets over the whole result and narrows by them', async () => {
    const page = await catalog().search({ q: '' });
    expect(page.facets.format).toEqual([{ value: 'book', count: 11 }]);
    expect(page.facets.language.map((f) => f.value)).toContain('ger');
    expect(page.facets.subject[0]).toEqual({ value: 'Perl (Computer program language)', count: 9 });
    const german = await catalog().search({ q: '', filters: { language: ['ger'] } });
    expect(german.total).toBe(1);
    const decade = await catalog().search({ q: '', filters: { decade: [2000] } });
    expect(decade.total).toBeGreaterThan(0);
    expect(decade.total).toBeLessThan(11);
  });

  it('adds items, shows availability per branch, and filters by branch and availability', async () => {
    const [hit] = (await catalog().search({ q: '"programming perl"' })).hits;
    await catalog().addItem(testActor, hit!.id, {
      barcode: '31000000000011',
      branchId: main.id,
      itemType: 'BOOK',
      callNumber: 'QA76.73.P22 W35 2000',
      status: 'available',
    });
    await catalog().addItem(testActor, hit!.id, {
      barcode: '31000000000029',
      branchId: east.id,
      itemType: 'BOOK',
      callNumber: 'QA76.73.P22 W35 2000',
    });
    const page = await catalog().search({ q: '"programming perl"' });
    expect(page.hits[0]!.availability).toEqual(
      expect.arrayContaining([
        { branchId: main.id, total: 1, available: 1 },
        { branchId: east.id, total: 1, available: 0 },
      ]),
    );
    expect((await catalog().search({ q: 'perl', filters: { branch: [east.id] } })).total).toBe(1);
    expect((await catalog().search({ q: 'perl', filters: { available: true } })).total).toBe(1);
    expect((await catalog().search({ q: 'perl' })).facets.availability).toEqual([
      { value: 'available', count: 1 },
      { value: 'unavailable', count: 9 },
    ]);
    await expect(
      catalog().addItem(testActor, hit!.id, {
        barcode: '31000000000011',
        branchId: main.id,
        itemType: 'BOOK',
      }),
    ).rejects.toMatchObject({ code: 'ITEM_BARCODE_TAKEN' });
    await expect(catalog().deleteRecord(testActor, hit!.id)).rejects.toMatchObject({
      code: 'RECORD_HAS_ITEMS',
    });
  });

  it('lists a branch’s shelf in call number order, volumes in numeric order', async () => {
    const rec = await catalog().createRecord(testActor, record('Shelf order test'));
    for (const [barcode, callNumber, volume] of [
      ['S1', 'QA76.9 .A1', null],
      ['S2', 'QA76.73 .J38 2001', 'v.10'],
      ['S3', 'QA76.73 .J38 2001', 'v.2'],
      ['S4', 'PS3545 .H16', null],
      ['S5', 'QA76 .B3', null],
    ] as const) {
      await catalog().addItem(testActor, rec.id, {
        barcode,
        branchId: east.id,
        itemType: 'BOOK',
        callNumber,
        callNumberScheme: 'lc',
        volume,
      });
    }
    const shelf = await catalog().shelfList({ branchId: east.id });
    expect(shelf.filter((i) => i.barcode.startsWith('S')).map((i) => i.barcode)).toEqual([
      'S4',
      'S5',
      'S3',
      'S2',
      'S1',
    ]);
  });

  it('makes an edited record findable at once, keeps its history, and refuses a stale edit', async () => {
    const rec = await catalog().createRecord(testActor, record('Original title'));
    const edited = await catalog().updateRecord(testActor, rec.id, record('Renamed volume'), 1);
    expect(edited.version).toBe(2);
    expect((await catalog().search({ q: 'renamed' })).total).toBe(1);
    expect((await catalog().search({ q: 'original' })).total).toBe(0);
    await expect(catalog().updateRecord(testActor, rec.id, record('Lost update'), 1)).rejects.toMatchObject({
      code: 'RECORD_VERSION_CONFLICT',
    });
    await catalog().deleteRecord(testActor, rec.id);
    expect((await catalog().search({ q: 'renamed' })).total).toBe(0);
    expect((await catalog().history(rec.id)).map((v) => v.change)).toEqual(['deleted', 'updated', 'created']);
  });

  it('refuses a record without a title and writes nothing', async () => {
    const before = await catalog().countRecords();
    await expect(
      catalog().createRecord(testActor, { leader: '00000nam a2200000 a 4500', fields: [] }),
    ).rejects.toMatchObject({ code: 'INVALID_MARC' });
    expect(await catalog().countRecords()).toBe(before);
  });
});
