import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, collect, corpusBytes, corpusFiles, inChunks } from './corpus.test-support.ts';
import { parseIso2709 } from './iso2709.ts';
import {
  parseMarcXml,
  readMarcXml,
  toMarcXml,
  toMarcXmlCollection,
  writeMarcXmlCollection,
} from './marcxml.ts';
import type { MarcProblem } from './problems.ts';
import { isControlField, type MarcRecord } from './record.ts';

const xmlFiles = corpusFiles().filter((file) => file.kind === 'MARCXML');
/** SOURCES.md counts `<record>` elements by name; this file's are OAI-PMH records holding Dublin Core. */
const NOT_MARC = new Map([['traject/sample-oai-pmh.xml', 0]]);
const XSD = join(CORPUS, '../sru-oai/marcxml/MARC21slim.xsd');

const record: MarcRecord = {
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '001', value: ' 12 & <34> ' },
    {
      tag: '245',
      ind1: '1',
      ind2: '0',
      subfields: [{ code: 'a', value: 'Tom & "Jerry" <1> \'quoted\'\r\n' }],
    },
  ],
};

/** Control fields first, then data fields: the order MARCXML keeps (MARC21slim.xsd sequence). */
function schemaOrder(fields: MarcRecord['fields']): MarcRecord['fields'] {
  return [...fields.filter(isControlField), ...fields.filter((f) => !isControlField(f))];
}

describe(parseMarcXml.name, () => {
  it.each(xmlFiles.map((file) => [file.path, NOT_MARC.get(file.path) ?? file.records]))(
    '%s: reads %i MARC records without throwing',
    (path, records) => {
      const results = parseMarcXml(corpusBytes(path));
      expect(results.filter((r) => r.record)).toHaveLength(records);
    },
  );

  it.each([
    [
      'a default namespace',
      `<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>x</leader></record></collection>`,
    ],
    [
      'a namespace prefix',
      `<m:record xmlns:m="http://www.loc.gov/MARC21/slim"><m:leader>x</m:leader></m:record>`,
    ],
    ['no namespace', `<?xml version="1.0"?><collection><record><leader>x</leader></record></collection>`],
    ['a byte order mark', `\ufeff<record xmlns="http://www.loc.gov/MARC21/slim"><leader>x</leader></record>`],
  ])('finds records written with %s', (_, xml) => {
    const results = parseMarcXml(Buffer.from(xml, 'utf8'));
    expect(results.map((r) => r.record?.leader)).toEqual(['x']);
  });

  it('ignores records of other vocabularies around MARC (an OAI-PMH envelope)', () => {
    const xml = `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><record><metadata>
      <marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:leader>abc</marc:leader></marc:record>
      </metadata></record></OAI-PMH>`;
    expect(parseMarcXml(xml).map((r) => r.record?.leader)).toEqual(['abc']);
  });

  it.each<[string, string, string, 'error' | 'warning']>([
    [
      'a subfield without code',
      '<datafield tag="245" ind1="0" ind2="0"><subfield>x</subfield></datafield>',
      'ATTRIBUTE_MISSING',
      'error',
    ],
    ['a controlfield without tag', '<controlfield>x</controlfield>', 'ATTRIBUTE_MISSING', 'error'],
    [
      'a missing indicator',
      '<datafield tag="245" ind1="0"><subfield code="a">x</subfield></datafield>',
      'ATTRIBUTE_MISSING',
      'warning',
    ],
    ['an unknown element', '<note>x</note>', 'XML_UNEXPECTED_ELEMENT', 'warning'],
    ['a leader that is not 24 characters', '<leader>short</leader>', 'LEADER_INVALID', 'warning'],
  ])('reports %s against its record and keeps reading', (_, inner, code, severity) => {
    const xml = `<collection xmlns="http://www.loc.gov/MARC21/slim"><record>${inner}</record><record><leader>${record.leader}</leader></record></collection>`;
    const results = parseMarcXml(xml);
    expect(results).toHaveLength(2);
    expect(results[0]!.problems).toContainEqual(expect.objectContaining({ recordIndex: 0, code, severity }));
    expect(results[1]).toMatchObject({ recordIndex: 1, problems: [], record: { leader: record.leader } });
  });

  it('reports malformed XML once per record with its byte offset, and reads on where the parser can', () => {
    const results = parseMarcXml(corpusBytes('evergreen/serials_marc21.xml'));
    expect(results).toHaveLength(7);
    const malformed = results.flatMap((r) => r.problems).filter((p) => p.code === 'XML_MALFORMED');
    expect(malformed.map((p) => p.recordIndex)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(malformed[0]!.message).toMatch(/only one root.*line 117/);
  });

  it('reports a record cut off by the end of the input', () => {
    const results = parseMarcXml(
      '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>abc</leader><controlfield tag="001">1',
    );
    expect(results[0]!.record?.leader).toBe('abc');
    expect(results[0]!.problems.map((p) => p.code)).toContain('RECORD_TRUNCATED');
  });

  it('throws on the first problem in strict mode', () => {
    expect(() => parseMarcXml('<record><leader>short</leader></record>', { strict: true })).toThrow(/not 24/);
  });
});

describe(readMarcXml.name, () => {
  it.each(xmlFiles.map((file) => [file.path]))(
    '%s: gives the same results fed 7 bytes at a time',
    async (path) => {
      const bytes = corpusBytes(path);
      expect(await collect(readMarcXml(inChunks(bytes, 7)))).toEqual(parseMarcXml(bytes));
    },
  );

  it('gives byte offsets that point at the record in multi-byte UTF-8 input', async () => {
    const xml = `<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>ééé</leader></record><record><leader>b</leader></record></collection>`;
    const results = await collect(readMarcXml(inChunks(Buffer.from(xml), 5)));
    const second = Buffer.from(xml).indexOf('<record><leader>b');
    expect(results[1]!.byteOffset).toBeGreaterThanOrEqual(second);
    expect(results[1]!.byteOffset).toBeLessThanOrEqual(second + '<record>'.length);
  });
});

describe(toMarcXml.name, () => {
  it('escapes markup characters and round-trips the text exactly', () => {
    const xml = toMarcXml(record);
    expect(xml).toContain('Tom &amp; "Jerry" &lt;1&gt;');
    expect(parseMarcXml(xml)[0]!.record).toEqual(record);
  });

  it('strips characters illegal in XML 1.0 and reports them', () => {
    const problems: MarcProblem[] = [];
    const xml = toMarcXml(
      {
        leader: record.leader,
        fields: [
          { tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'a\x01b\x1bc\ud800d' }] },
        ],
      },
      { onProblem: (p) => problems.push(p) },
    );
    expect(parseMarcXml(xml)[0]!.record?.fields[0]).toMatchObject({ subfields: [{ value: 'abcd' }] });
    expect(problems).toMatchObject([
      { code: 'CHARACTER_ILLEGAL', message: expect.stringContaining('U+0001, U+001B, U+D800') },
    ]);
  });

  it.each<[string, MarcRecord['fields'][number], string]>([
    [
      'a data field tag the schema forbids',
      { tag: 'Ab1', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'x' }] },
      'TAG_INVALID',
    ],
    ['a control field with a data tag', { tag: 'FMT', value: 'BK' }, 'TAG_INVALID'],
    [
      'an indicator outside [0-9a-z ]',
      { tag: '245', ind1: '\\', ind2: '0', subfields: [{ code: 'a', value: 'x' }] },
      'INDICATOR_INVALID',
    ],
    [
      'a subfield code the schema forbids',
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: ' ', value: 'x' }] },
      'SUBFIELD_CODE_INVALID',
    ],
    ['a data field with no subfield', { tag: '245', ind1: '1', ind2: '0', subfields: [] }, 'FIELD_EMPTY'],
  ])('reports %s', (_, field, code) => {
    const problems: MarcProblem[] = [];
    toMarcXml({ leader: record.leader, fields: [field] }, { onProblem: (p) => problems.push(p) });
    expect(problems.map((p) => p.code)).toContain(code);
  });

  it('round-trips every sound UTF-8 record of the ISO 2709 corpus through MARCXML field for field', () => {
    let count = 0;
    for (const file of corpusFiles().filter((f) => f.kind === 'ISO 2709')) {
      for (const { record: source, problems } of parseIso2709(corpusBytes(file.path))) {
        if (source === null || problems.length > 0 || source.leader[9] !== 'a') continue;
        const onWrite: MarcProblem[] = [];
        const xml = toMarcXml(source, { onProblem: (p) => onWrite.push(p) });
        if (onWrite.some((p) => p.code !== 'LEADER_INVALID')) continue;
        const [back] = parseMarcXml(xml);
        expect(back!.problems).toEqual([]);
        expect(back!.record?.fields).toEqual(schemaOrder(source.fields));
        count++;
      }
    }
    expect(count).toBeGreaterThan(1400);
  });
});

describe(writeMarcXmlCollection.name, () => {
  it('streams header, records and footer into one collection that reads back', async () => {
    const parts = await collect(
      writeMarcXmlCollection(
        (async function* () {
          yield record;
          yield record;
        })(),
      ),
    );
    expect(parts[0]).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<collection xmlns=/);
    expect(parts.at(-1)).toBe('</collection>\n');
    expect(parseMarcXml(parts.join('')).map((r) => r.record)).toEqual([record, record]);
  });

  it.skipIf(!hasXmllint())(
    'writes documents that validate against MARC21slim.xsd, even from broken records',
    () => {
      const records = [
        'marc4j/pride-and-prejudice-with-many-errors.mrc',
        'marc4j/bad-characters-in-various-fields.mrc',
        'evergreen/jazz_1k.mrc',
        'pymarc/alphatag.dat',
        'marc-perl/badldr.usmarc',
      ]
        .flatMap((path) => parseIso2709(corpusBytes(path)))
        .flatMap((r) => (r.record ? [r.record] : []));
      records.push(
        ...parseMarcXml(corpusBytes('pymarc/bad_tag.xml')).flatMap((r) => (r.record ? [r.record] : [])),
      );
      records.push({ leader: 'short', fields: [{ tag: '001', value: 'a\x00b' }] });
      const dir = mkdtempSync(join(tmpdir(), 'marcxml-'));
      try {
        const file = join(dir, 'out.xml');
        writeFileSync(file, toMarcXmlCollection(records));
        expect(() =>
          execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' }),
        ).not.toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
