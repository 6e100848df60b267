import { describe, expect, it } from 'vitest';
import { collect, corpusBytes, inChunks } from './corpus.test-support.ts';
import { detectMarcFormat } from './detect.ts';
import { parseIso2709, readIso2709 } from './iso2709.ts';
import { parseMarcJson, readMarcJson } from './marc-json.ts';
import { parseMarcXml, readMarcXml } from './marcxml.ts';
import type { ReadResult } from './problems.ts';
import type { DataField } from './record.ts';

/**
 * What the readers must never do silently: replace characters, accept odd indicators and subfield
 * codes, read another record structure as MARC 21, or lose the record's own bytes. Each problem
 * names the field (tag) and the byte offset of the problem itself.
 */

/**
 * One ISO 2709 record from raw field texts (latin1: each character one byte), with a correct
 * directory: `leader09` is the character coding, `leader1011` the indicator count and subfield code
 * length.
 */
function iso(fields: [string, string][], leader09 = ' ', leader1011 = '22'): Buffer {
  let directory = '';
  let data = '';
  for (const [tag, text] of fields) {
    directory += tag + String(text.length + 1).padStart(4, '0') + String(data.length).padStart(5, '0');
    data += `${text}\x1e`;
  }
  directory += '\x1e';
  const base = 24 + directory.length;
  const length = base + data.length + 1;
  const leader = `${String(length).padStart(5, '0')}nam ${leader09}${leader1011}${String(base).padStart(5, '0')} a 4500`;
  return Buffer.from(`${leader}${directory}${data}\x1d`, 'latin1');
}

const title = (text: string, indicators = '10'): [string, string] => ['245', `${indicators}\x1fa${text}`];
const control: [string, string] = ['001', 'rec-1'];

function only(results: ReadResult[]): ReadResult {
  expect(results).toHaveLength(1);
  return results[0]!;
}

function field245(result: ReadResult): DataField {
  return result.record!.fields.find((f) => f.tag === '245') as DataField;
}

describe('undecodable bytes are reported, never replaced silently', () => {
  it('reports a byte MARC-8 does not assign as an error with its field and offset', () => {
    const bytes = iso([control, title('a\xbfb')]);
    const result = only(parseIso2709(bytes));
    expect(field245(result).subfields[0]!.value).toBe('a\ufffdb');
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'INVALID_MARC8',
        severity: 'error',
        tag: '245',
        byteOffset: bytes.indexOf(0xbf),
      }),
    ]);
  });

  it('reports a byte not allowed in MARC-8 in a control field', () => {
    const bytes = iso([['001', 'ab\xffc'], title('x')]);
    const result = only(parseIso2709(bytes));
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'INVALID_MARC8',
        severity: 'error',
        tag: '001',
        byteOffset: bytes.indexOf(0xff),
      }),
    ]);
  });

  it('reports a MARC-8 combining mark left without a base character as a warning (nothing lost)', () => {
    const bytes = iso([control, title('abc\xe2')]);
    const result = only(parseIso2709(bytes));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'INVALID_MARC8', severity: 'warning', tag: '245' }),
    ]);
  });

  it('reports invalid UTF-8 as an error at the bad byte, naming the field', () => {
    // 0xD6 then "l": neither UTF-8 nor MARC-8 (0xD6 is unassigned in ANSEL)
    const bytes = iso([control, title('ok'), ['500', '  \x1faBad \xd6land']], 'a');
    const result = only(parseIso2709(bytes));
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'INVALID_UTF8',
        severity: 'error',
        tag: '500',
        byteOffset: bytes.indexOf(0xd6),
      }),
    ]);
  });

  it('reports bytes of a MARCXML file that are not UTF-8 as an error in the field they fell in', async () => {
    const xml = Buffer.concat([
      Buffer.from('<collection><record><leader>00000nam a2200000 a 4500</leader>', 'utf8'),
      Buffer.from('<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Caf', 'utf8'),
      Buffer.from([0xe9]),
      Buffer.from(
        '</subfield></datafield><datafield tag="500" ind1=" " ind2=" "><subfield code="a">Fine \ufffd</subfield>',
        'utf8',
      ),
      Buffer.from('</datafield></record></collection>', 'utf8'),
    ]);
    const streamed = await Promise.all(
      [1, 2, 3, 7, 64].map((size) => collect(readMarcXml(inChunks(xml, size)))),
    );
    for (const results of [parseMarcXml(xml), ...streamed]) {
      expect(only(results).problems).toEqual([
        expect.objectContaining({ code: 'INVALID_UTF8', severity: 'error', tag: '245' }),
      ]);
    }
  });

  it('decodes a record flagged UTF-8 whose bytes are MARC-8 as MARC-8, and says so', () => {
    // MARC-8 writes the acute (E2) before its letter: "Café" is 43 61 66 E2 65, invalid UTF-8
    const bytes = iso([control, title('Caf\xe2e au lait')], 'a');
    const result = only(parseIso2709(bytes));
    expect(field245(result).subfields[0]!.value).toBe('Café au lait');
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'CHARACTER_CODING_MISMATCH', severity: 'warning' }),
    ]);
    expect(result.problems[0]!.message).toContain('MARC-8');
  });
});

describe('odd indicators and subfield codes are kept and reported', () => {
  it('reports a non-ASCII indicator (warning, kept as is) at its byte', () => {
    const bytes = iso([control, ['245', '1\xe9\x1faTitle']]);
    const result = only(parseIso2709(bytes));
    expect(field245(result)).toMatchObject({ ind1: '1', ind2: '\xe9' });
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'INDICATOR_INVALID',
        severity: 'warning',
        tag: '245',
        byteOffset: bytes.indexOf(0xe9),
      }),
    ]);
  });

  it('reports a non-ASCII subfield code (warning, kept as is) at its byte', () => {
    const bytes = iso([control, ['245', '10\x1faTitle\x1f\xe7more']], 'a');
    const result = only(parseIso2709(bytes));
    expect(field245(result).subfields.map((s) => s.code)).toHaveLength(2);
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        code: 'SUBFIELD_CODE_INVALID',
        severity: 'warning',
        tag: '245',
        byteOffset: bytes.indexOf(0xe7),
      }),
    );
  });

  it('reports non-ASCII indicators and codes in MARCXML and MARC-in-JSON too', () => {
    const xml = parseMarcXml(
      '<record><leader>00000nam a2200000 a 4500</leader><datafield tag="245" ind1="é" ind2="0">' +
        '<subfield code="ß">x</subfield></datafield></record>',
    );
    expect(only(xml).problems.map((p) => [p.code, p.severity, p.tag])).toEqual([
      ['INDICATOR_INVALID', 'warning', '245'],
      ['SUBFIELD_CODE_INVALID', 'warning', '245'],
    ]);
    expect(only(xml).record!.fields[0]).toMatchObject({ ind1: 'é', subfields: [{ code: 'ß', value: 'x' }] });
    const json = parseMarcJson(
      JSON.stringify({
        leader: '00000nam a2200000 a 4500',
        fields: [{ 245: { ind1: 'é', ind2: '0', subfields: [{ ß: 'x' }] } }],
      }),
    );
    expect(
      only(json)
        .problems.map((p) => [p.code, p.severity, p.tag])
        .sort(),
    ).toEqual([
      ['INDICATOR_INVALID', 'warning', '245'],
      ['SUBFIELD_CODE_INVALID', 'warning', '245'],
    ]);
  });
});

describe('indicator count and subfield code length (leader/10-11)', () => {
  it('reads bad_leaders_10_11.mrc (blank leader/10-11 over MARC 21 data) as MARC 21, with a warning', () => {
    const result = only(parseIso2709(corpusBytes('marc4j/bad_leaders_10_11.mrc')));
    expect(result.problems.map((p) => [p.code, p.severity])).toContainEqual(['LEADER_INVALID', 'warning']);
    expect(result.problems.every((p) => p.severity === 'warning')).toBe(true);
    const fields = result.record!.fields;
    expect(fields.find((f) => f.tag === '245')).toMatchObject({
      ind1: '1',
      ind2: '0',
      subfields: [{ code: 'a', value: 'Sammlung :' }, { code: 'b' }, { code: 'c' }],
    });
    expect(fields.find((f) => f.tag === '650')).toMatchObject({ ind1: ' ', ind2: '0' });
  });

  it('reads one indicator when leader/10 says 1 (the second blank) without a problem per field', () => {
    const bytes = iso([control, ['245', '1\x1faTitle'], ['650', '0\x1faTopic']], ' ', '12');
    const result = only(parseIso2709(bytes));
    expect(result.record!.fields.slice(1)).toEqual([
      { tag: '245', ind1: '1', ind2: ' ', subfields: [{ code: 'a', value: 'Title' }] },
      { tag: '650', ind1: '0', ind2: ' ', subfields: [{ code: 'a', value: 'Topic' }] },
    ]);
    expect(result.problems.map((p) => [p.code, p.severity, p.byteOffset])).toEqual([
      ['LEADER_INVALID', 'warning', 10],
    ]);
  });

  it('reports a record with two-character subfield codes (leader/11 = 3) as unsupported, by name', () => {
    const bytes = Buffer.concat([
      iso([control, ['245', '10\x1fabTitle']], ' ', '23'),
      iso([control, title('Next')]),
    ]);
    const results = parseIso2709(bytes);
    expect(results).toHaveLength(2);
    expect(results[0]!.record).toBeNull();
    expect(results[0]!.problems).toEqual([
      expect.objectContaining({ code: 'RECORD_STRUCTURE_UNSUPPORTED', severity: 'error', byteOffset: 10 }),
    ]);
    expect(results[0]!.problems[0]!.message).toMatch(/subfield code length.*3/);
    expect(field245(results[1]!).subfields[0]!.value).toBe('Next');
  });
});

describe('problems name their field and sit at their own byte', () => {
  it('gives the tag and offset of a data field without a subfield delimiter in the second record', () => {
    const first = iso([control, title('First')]);
    const second = iso([control, title('Second'), ['500', '  no delimiter']]);
    const results = parseIso2709(Buffer.concat([first, second]));
    expect(results[1]!.byteOffset).toBe(first.length);
    expect(results[1]!.problems).toEqual([
      expect.objectContaining({
        code: 'SUBFIELD_DELIMITER_MISSING',
        tag: '500',
        byteOffset: first.length + second.indexOf('  no delimiter', 0, 'latin1'),
      }),
    ]);
  });
});

describe('the record as it came (keepSource)', () => {
  it('keeps each ISO 2709 record’s bytes, terminator included, in every chunking', async () => {
    const a = iso([control, title('A')]);
    const b = iso([control, title('B\xe2e')]);
    const bytes = Buffer.concat([a, Buffer.from('\r\n'), b]);
    const expected = [a, Buffer.concat([Buffer.from('\r\n'), b])];
    const sync = parseIso2709(bytes, { keepSource: true });
    expect(sync.map((r) => Buffer.from(r.source!.bytes))).toEqual(expected);
    expect(sync.map((r) => r.source!.format)).toEqual(['iso2709', 'iso2709']);
    for (const size of [1, 7, 100]) {
      const streamed = await collect(readIso2709(inChunks(bytes, size), { keepSource: true }));
      expect(streamed.map((r) => Buffer.from(r.source!.bytes))).toEqual(expected);
    }
    expect(parseIso2709(bytes)[0]!.source).toBeUndefined();
  });

  it('keeps each MARCXML <record> element’s text, whatever the chunking', async () => {
    const one = '<marc:record>\r\n  <marc:leader>00000nam a2200000 a 4500</marc:leader></marc:record>';
    const two =
      '<marc:record><marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">Ça &amp; là</marc:subfield>' +
      '</marc:datafield></marc:record>';
    const xml = `<?xml version="1.0"?>\n<marc:collection xmlns:marc="http://www.loc.gov/MARC21/slim">\n${one}\n<!-- x -->${two}</marc:collection>\n`;
    const bytes = Buffer.from(xml, 'utf8');
    for (const size of [1, 5, 64, bytes.length]) {
      const results = await collect(readMarcXml(inChunks(bytes, size), { keepSource: true }));
      expect(results.map((r) => Buffer.from(r.source!.bytes).toString('utf8'))).toEqual([one, two]);
      expect(results.map((r) => r.source!.format)).toEqual(['marcxml', 'marcxml']);
    }
    expect(
      parseMarcXml(bytes, { keepSource: true }).map((r) => Buffer.from(r.source!.bytes).toString()),
    ).toEqual([one, two]);
  });

  it('keeps each MARC-in-JSON record object’s text', async () => {
    const one = '{"leader":"00000nam a2200000 a 4500","fields":[{"001":"x"}]}';
    const two =
      '{ "leader": "00000nam a2200000 a 4500",\n "fields": [{"245": {"ind1":"1","ind2":"0","subfields":[{"a":"é"}]}}] }';
    const bytes = Buffer.from(`[\n${one},\n${two}\n]\n`, 'utf8');
    for (const size of [1, 9, bytes.length]) {
      const results = await collect(readMarcJson(inChunks(bytes, size), { keepSource: true }));
      expect(results.map((r) => Buffer.from(r.source!.bytes).toString('utf8'))).toEqual([one, two]);
    }
    expect(parseMarcJson(bytes, { keepSource: true }).map((r) => r.source!.format)).toEqual([
      'marc-json',
      'marc-json',
    ]);
  });
});

describe(detectMarcFormat.name, () => {
  const records = Buffer.concat([iso([control, title('A')]), iso([control, title('B')])]);

  it('recognises ISO 2709 whose first leader is damaged, by the records after it', () => {
    const damaged = Buffer.from(records);
    damaged.write('x', 0, 'latin1');
    expect(detectMarcFormat(damaged)).toBe('iso2709');
  });

  it('recognises ISO 2709 whose first record is longer than the head, by its directory', () => {
    const long = iso([control, title('A'.repeat(3000))]);
    long.write('?', 1, 'latin1');
    expect(detectMarcFormat(long.subarray(0, 1024))).toBe('iso2709');
  });

  it('still refuses text that is no MARC at all', () => {
    expect(detectMarcFormat(Buffer.from('hello, world\nthis is a letter\x1d, not a record'))).toBeNull();
  });
});
