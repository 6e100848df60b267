import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LcCallNumber } from './index.ts';
import { parseCallNumber } from './index.ts';

const DATA_DIR = '../../../../testdata/callnumbers/';
const vectors = JSON.parse(readFileSync(new URL(`${DATA_DIR}callnumbers.json`, import.meta.url), 'utf8')) as {
  valid: Array<{ source: string; scheme: string; input: string }>;
  invalid: Array<{ source: string; scheme: string; input: string }>;
  components: Array<{ source: string; scheme: string; input: string; field: string; expected: unknown }>;
};
const dueberRows = readFileSync(
  new URL(`${DATA_DIR}dueber_lc_callnumber_basics.tsv`, import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'))
  .map((line) => line.split('\t').map((cell) => cell.trim()));

/** The parts, whether or not the call number is valid (an LC class number alone still has parts). */
function lcParts(text: string): LcCallNumber {
  const parsed = parseCallNumber(text, 'lc');
  if (parsed.callNumber?.scheme !== 'lc') throw new Error(`no LC parts for ${text}`);
  return parsed.callNumber;
}

describe('parseCallNumber (LC)', () => {
  it('splits QA76.73.J38 F53 2001 into class, Cutters and date', () => {
    const parsed = parseCallNumber('QA76.73.J38 F53 2001', 'lc');
    expect(parsed.valid).toBe(true);
    expect(parsed.callNumber).toMatchObject({
      scheme: 'lc',
      classification: 'QA76.73',
      classLetters: 'QA',
      classNumber: '76',
      classDecimal: '73',
      classSuffix: null,
      cutters: [
        { text: 'J38', letters: 'J', digits: '38', suffix: null, period: true, date: null },
        { text: 'F53', letters: 'F', digits: '53', suffix: null, period: false, date: null },
      ],
      year: '2001',
      rest: null,
    });
  });

  it('reads volume, number and copy from the tail', () => {
    expect(lcParts('HQ1101 .D54 1990 v.3 no.10 c.2')).toMatchObject({
      year: '1990',
      rest: 'v.3 no.10 c.2',
      volume: '3',
      number: '10',
      copy: '2',
      part: null,
    });
    expect(lcParts('M3 .G32 1927q vol. 4 pt. 2')).toMatchObject({ year: '1927q', volume: '4', part: '2' });
  });

  it('keeps Cutter work letters as the Cutter suffix', () => {
    expect(lcParts('QA101.1 .A101mb A2').cutters).toMatchObject([
      { text: 'A101mb', letters: 'A', digits: '101', suffix: 'mb' },
      { text: 'A2', suffix: null },
    ]);
  });

  it('keeps the dates between Cutters with the Cutter they follow', () => {
    expect(lcParts('PR9199.3 1920 .L33 1475 .A6').cutters).toMatchObject([
      { text: 'L33', date: '1475' },
      { text: 'A6', date: null },
    ]);
  });

  it.each(dueberRows.map((row) => [row[0]!, row] as const))('parses %s like lc_callnumber', (text, row) => {
    const [, letters, digits, doon1, cutter1, doon2, otherCutters, year, rest] = row.map((c) =>
      c.toUpperCase(),
    );
    const cn = lcParts(text);
    const up = (s: string | null | undefined) => (s ?? '').toUpperCase();
    expect({
      letters: up(cn.classLetters),
      digits: cn.classDecimal === null ? cn.classNumber : `${cn.classNumber}.${cn.classDecimal}`,
      // lc_callnumber's doon1 is the date or number between the class number and the first Cutter.
      doon1: cn.cutters.length ? up(cn.classSuffix) : '',
      cutter1: up(cn.cutters[0]?.text),
      doon2: up(cn.cutters[0]?.date),
      otherCutters: cn.cutters.slice(1).map((c) => up(c.text)),
      year: up(cn.year),
      rest: up(cn.rest),
    }).toEqual({
      letters,
      digits,
      doon1,
      cutter1,
      doon2,
      otherCutters: otherCutters ? otherCutters.split(',') : [],
      year,
      rest,
    });
  });

  const fields: Record<string, (cn: LcCallNumber) => unknown> = {
    Classification: (cn) => cn.classification,
    ClassLetters: (cn) => cn.classLetters,
    ClassNumber: (cn) => (cn.classDecimal === null ? cn.classNumber : `${cn.classNumber}.${cn.classDecimal}`),
    ClassSuffix: (cn) => cn.classSuffix,
  };
  const solrmarc = vectors.components.filter((c) => c.source === 'solrmarc-lc');
  it.each(solrmarc.map((c) => [c.field, c.input, c.expected, c] as const))(
    'reads the %s of %s as %j (solrmarc)',
    (field, input, expected) => {
      expect(fields[field]!(lcParts(input))).toEqual(expected);
    },
  );

  const lcValid = vectors.valid.filter((v) => v.scheme === 'LC');
  it.each(lcValid.map((v) => [v.input] as const))('accepts %s', (input) => {
    expect(parseCallNumber(input, 'lc')).toMatchObject({ valid: true });
  });

  const lcInvalid = vectors.invalid.filter((v) => v.scheme === 'LC');
  it.each(lcInvalid.map((v) => [v.input] as const))('rejects %j with a reason', (input) => {
    const parsed = parseCallNumber(input, 'lc');
    expect(parsed.valid).toBe(false);
    if (!parsed.valid) expect(parsed.reason.length).toBeGreaterThan(20);
  });

  it.each([
    ['', 'The call number is empty.'],
    ['12234', 'An LC call number begins with one to three class letters'],
    ['AAAA1 .A1 A1', 'LC class letters are one to three letters; "AAAA" has 4.'],
    ['AB this is not a call number', 'The class letters "AB" must be followed by a class number'],
    ['AB 12345', 'at most four digits before the decimal point; "12345" has 5.'],
    ['A1111.11111 .A1 A1', 'at most four digits after the decimal point'],
    ['A1', 'An LC call number needs a Cutter number after the class number'],
    ['A1 .A', 'The Cutter "A" has no number'],
    ['A1 . A1', 'Remove the space between the period and the Cutter "A1".'],
    ['A1 .1', 'should be a Cutter, which begins with a letter'],
    ['A1,111 .A1', 'Unexpected ","'],
    ['BF1999 Aarons', '"Aarons" is not a Cutter number'],
  ])('explains why %j is not a valid LC call number', (input, reason) => {
    const parsed = parseCallNumber(input, 'lc');
    expect(parsed.valid).toBe(false);
    if (!parsed.valid) expect(parsed.reason).toContain(reason);
  });

  it('still gives the parts of an LC class number without a Cutter', () => {
    const parsed = parseCallNumber('QA76.73', 'lc');
    expect(parsed.valid).toBe(false);
    expect(parsed.callNumber).toMatchObject({ classLetters: 'QA', classNumber: '76', classDecimal: '73' });
  });
});
