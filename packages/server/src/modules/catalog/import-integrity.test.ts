import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { type DataField, type MarcRecord, toMarcJson, toMarcXml } from '../../marc/index.ts';
import { asReadResults } from './import-service.ts';

/**
 * Nothing a library imports is lost: holdings that make no item stay in the record, replaced
 * characters and odd codes are reported at their field and byte, a damaged first leader does not
 * refuse the file, and every imported record's original bytes are kept beside it.
 */

/** One ISO 2709 record from raw field texts (latin1: one character per byte), MARC-8 unless told. */
function iso(fields: [string, string][], leader09 = ' '): Buffer {
  let directory = '';
  let data = '';
  for (const [tag, text] of fields) {
    directory += tag + String(text.length + 1).padStart(4, '0') + String(data.length).padStart(5, '0');
    data += `${text}\x1e`;
  }
  directory += '\x1e';
  const base = 24 + directory.length;
  const length = base + data.length + 1;
  const leader = `${String(length).padStart(5, '0')}nam ${leader09}22${String(base).padStart(5, '0')} a 4500`;
  return Buffer.from(`${leader}${directory}${data}\x1d`, 'latin1');
}

const f008: [string, string] = ['008', '990101s2001    nyu           000 0 eng d'];

function record(title: string, fields: MarcRecord['fields'] = []): MarcRecord {
  return {
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '008', value: f008[1] },
      { tag: '245', ind1: '0', ind2: '0', subfields: [{ code: 'a', value: title }] },
      ...fields,
    ],
  };
}

const data = (tag: string, subfields: [string, string][]): DataField => ({
  tag,
  ind1: ' ',
  ind2: ' ',
  subfields: subfields.map(([code, value]) => ({ code, value })),
});

describe.each(testDialects())('importing without losing anything on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let folder: string;
  const imports = () => t.app.services.catalogImport;
  const catalog = () => t.app.services.catalog;
  const fileOf = (name: string, bytes: Uint8Array | string) => {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    return path;
  };
  const idOf = async (title: string) => {
    const { hits } = await catalog().search({ q: `title:"${title}"` });
    expect(hits).toHaveLength(1);
    return hits[0]!.id;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { clock: fixedClock('2026-12-01T10:00:00.000Z') });
    folder = mkdtempSync(join(tmpdir(), 'stacks-import-integrity-'));
    await makeBranch(t.app, 'MAIN');
    await catalog().createItemType(testActor, { code: 'BOOK', name: 'Book', isCirculating: true });
  });
  afterAll(async () => {
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps an 852 that makes no item in the stored record, and moves out only what became an item', async () => {
    const statement = data('852', [
      ['b', 'MAIN'],
      ['h', 'Vol. 1-12 held'],
      ['z', 'Library has v. 1-12'],
    ]);
    const report = await imports().importRecords(
      testActor,
      asReadResults([
        record('Holdings statement kept', [
          statement,
          data('852', [
            ['8', '2'],
            ['b', 'MAIN'],
            ['h', 'PS3545'],
          ]),
          data('876', [
            ['8', '2'],
            ['p', '39000000001001'],
          ]),
          data('876', [['x', 'an unpaired 876 note']]),
        ]),
      ]),
      { onDuplicate: 'add', defaultItemType: 'BOOK' },
    );
    expect(report).toMatchObject({ created: 1, itemsCreated: 1 });
    const id = await idOf('Holdings statement kept');
    const stored = (await catalog().getRecord(id)).marc.fields;
    expect(stored.filter((f) => f.tag === '852')).toEqual([statement]);
    expect(stored.filter((f) => f.tag === '876')).toEqual([data('876', [['x', 'an unpaired 876 note']])]);
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        tag: '852',
        severity: 'warning',
        message: expect.stringContaining('no barcode'),
      }),
    );
    expect(report.problems.find((p) => p.tag === '852')!.message).toContain('stays in the record');
  });

  it('keeps a 952 whose item cannot be made, and moves it out once a later import makes the item', async () => {
    const homeless = data('952', [
      ['a', 'NOWHERE'],
      ['p', '39000000002001'],
      ['y', 'BOOK'],
    ]);
    const input = record('Item without a home', [data('035', [['a', '(TEST)homeless']]), homeless]);
    const first = await imports().importRecords(testActor, asReadResults([input]), { onDuplicate: 'skip' });
    expect(first).toMatchObject({ created: 1, itemsCreated: 0, itemsFailed: 1 });
    const id = await idOf('Item without a home');
    expect((await catalog().getRecord(id)).marc.fields).toContainEqual(homeless);
    expect(first.problems).toContainEqual(
      expect.objectContaining({
        tag: '952',
        severity: 'error',
        message: expect.stringContaining('stays in the record'),
      }),
    );

    const again = await imports().importRecords(testActor, asReadResults([input]), {
      onDuplicate: 'skip',
      defaultBranchCode: 'MAIN',
    });
    expect(again).toMatchObject({ created: 0, skipped: 1, itemsCreated: 1 });
    expect((await catalog().getRecord(id)).marc.fields.some((f) => f.tag === '952')).toBe(false);
  });

  it('reports replaced MARC-8 bytes and odd indicators at their field and byte, with the record’s offset', async () => {
    const first = iso([f008, ['245', '00\x1faClean record']]);
    const second = iso([f008, ['245', '00\x1faBroken \xbf byte'], ['650', ' \xe9\x1faOdd indicator']]);
    const path = fileOf('marc8.mrc', Buffer.concat([first, second]));
    const { report } = await imports().importFile(testActor, path, { onDuplicate: 'add' });
    expect(report).toMatchObject({ read: 2, created: 2 });
    expect(report.problems).toEqual([
      {
        recordIndex: 1,
        recordOffset: first.length,
        byteOffset: first.length + second.indexOf(0xbf),
        severity: 'error',
        code: 'INVALID_MARC8',
        tag: '245',
        message: expect.stringContaining('0xBF'),
      },
      {
        recordIndex: 1,
        recordOffset: first.length,
        byteOffset: first.length + second.indexOf(0xe9),
        severity: 'warning',
        code: 'INDICATOR_INVALID',
        tag: '650',
        message: expect.stringContaining('kept as is'),
      },
    ]);
  });

  it('imports a file whose first leader is damaged, reporting that record', async () => {
    const bytes = Buffer.concat([
      iso([f008, ['245', '00\x1faFirst of a damaged file']]),
      iso([f008, ['245', '00\x1faSecond of a damaged file']]),
    ]);
    bytes.write('x', 0, 'latin1');
    const { format, report } = await imports().importFile(testActor, fileOf('damaged.mrc', bytes), {
      onDuplicate: 'add',
    });
    expect(format).toBe('iso2709');
    expect(report).toMatchObject({ read: 2, created: 2, failed: 0 });
    expect(report.problems).toEqual([
      expect.objectContaining({ recordIndex: 0, byteOffset: 0, code: 'RECORD_LENGTH_INVALID' }),
    ]);
  });

  it('keeps each imported record’s original bytes in every format, the latest import’s first', async () => {
    const isoRecord = iso([f008, ['245', '00\x1faOriginal ISO r\xe2esum\xe2e'], ['852', '  \x1fbMAIN']]);
    const isoPath = fileOf('original.mrc', Buffer.concat([Buffer.from('\n'), isoRecord]));
    await imports().importFile(testActor, isoPath, { onDuplicate: 'add' });
    const isoId = await idOf('Original ISO résumé');
    expect(await imports().recordSource(isoId)).toMatchObject({
      recordId: isoId,
      format: 'iso2709',
      importedAt: '2026-12-01T10:00:00.000Z',
      importId: null,
    });
    expect(Buffer.from((await imports().recordSource(isoId)).bytes)).toEqual(
      Buffer.concat([Buffer.from('\n'), isoRecord]),
    );

    const xmlRecord = toMarcXml(record('Original MARCXML', [data('035', [['a', '(TEST)xml-original']])]));
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n${xmlRecord}\n</collection>\n`;
    await imports().importFile(testActor, fileOf('original.xml', xml), { onDuplicate: 'add' });
    const xmlId = await idOf('Original MARCXML');
    const xmlSource = await imports().recordSource(xmlId);
    expect(xmlSource.format).toBe('marcxml');
    expect(Buffer.from(xmlSource.bytes).toString('utf8')).toBe(xmlRecord);

    const json = JSON.stringify(
      toMarcJson(record('Original JSON', [data('035', [['a', '(TEST)json-original']])])),
    );
    await imports().importFile(testActor, fileOf('original.json', `[${json}]`), { onDuplicate: 'add' });
    const jsonId = await idOf('Original JSON');
    expect(Buffer.from((await imports().recordSource(jsonId)).bytes).toString('utf8')).toBe(json);

    // an overlay keeps the new original; the record's latest is served
    const overlay = JSON.stringify(
      toMarcJson(record('Original JSON, overlaid', [data('035', [['a', '(TEST)json-original']])])),
    );
    await imports().importFile(testActor, fileOf('overlay.json', overlay), { onDuplicate: 'overlay' });
    expect((await catalog().getRecord(jsonId)).summary.title).toBe('Original JSON, overlaid');
    expect(Buffer.from((await imports().recordSource(jsonId)).bytes).toString('utf8')).toBe(overlay);
  });

  it('reports a leader longer than 24 characters, which the catalog stores cut to 24', async () => {
    const json = JSON.stringify({
      ...toMarcJson(record('Long leader')),
      leader: '00000nam a2200000 a 4500 extra',
    });
    const { report } = await imports().importFile(testActor, fileOf('long-leader.json', json), {
      onDuplicate: 'add',
    });
    expect(report).toMatchObject({ created: 1 });
    expect(report.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'LEADER_INVALID',
        message: expect.stringContaining('" extra"'),
      }),
    ]);
    expect((await catalog().getRecord(await idOf('Long leader'))).marc.leader).toBe(
      '00000nam a2200000 a 4500',
    );
  });

  it('reads reports stored before problems had their own positions', async () => {
    const id = newId();
    const at = '2026-12-01T10:00:00.000Z';
    await t.app.database.db
      .insertInto('catalog_imports')
      .values({
        id,
        status: 'done',
        file_name: 'old.mrc',
        format: 'iso2709',
        size_bytes: 100,
        bytes_done: 100,
        records_read: 1,
        options: '{}',
        report: JSON.stringify({
          read: 1,
          created: 0,
          overlaid: 0,
          skipped: 0,
          failed: 1,
          itemsCreated: 0,
          itemsExisting: 0,
          itemsFailed: 0,
          problems: [{ recordIndex: 0, byteOffset: 12, severity: 'error', message: 'old' }],
          problemsOmitted: 0,
        }),
        error: null,
        created_by: null,
        created_at: at,
        updated_at: at,
        finished_at: at,
      })
      .execute();
    expect((await t.app.services.catalogImportJobs.get(id)).report!.problems).toEqual([
      {
        recordIndex: 0,
        byteOffset: 12,
        recordOffset: 12,
        severity: 'error',
        code: null,
        tag: null,
        message: 'old',
      },
    ]);
  });

  it('says so when a record has no original (made in the catalog, not imported)', async () => {
    const made = await catalog().createRecord(testActor, record('Made by hand'));
    await expect(imports().recordSource(made.id)).rejects.toMatchObject({ code: 'RECORD_SOURCE_NOT_FOUND' });
  });
});
