import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { parseIso2709, parseIso2709Record, writeIso2709 } from './iso2709.ts';
import { toMarcJson } from './marc-json.ts';
import { parseMarcXml, toMarcXml } from './marcxml.ts';
import { type MarcProblem, REPLACEMENT_SUBFIELD_CODE } from './problems.ts';
import type { MarcField, MarcRecord } from './record.ts';

/**
 * What the writers do with values a format cannot carry: each is repaired in a documented way (or the
 * field left out) and reported with the field's tag; a writer never throws on a record.
 */

const LEADER = '00000nam a2200000 a 4500';
const title: MarcField = { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: 'Title' }] };

function written<T>(write: (onProblem: (p: MarcProblem) => void) => T): { out: T; problems: MarcProblem[] } {
  const problems: MarcProblem[] = [];
  const out = write((p) => problems.push(p));
  return { out, problems };
}

const iso = (fields: MarcField[], leader = LEADER) =>
  written((onProblem) => writeIso2709({ leader, fields }, { onProblem }));
const xml = (fields: MarcField[]) =>
  written((onProblem) => toMarcXml({ leader: LEADER, fields }, { onProblem }));
const readXml = (text: string) => {
  const [result] = parseMarcXml(text);
  expect(result!.problems).toEqual([]);
  return result!.record!;
};

describe('writeIso2709 repairs', () => {
  it('pads a tag of one or two digits with zeros (a MARCXML tag="42" that lost its leading zero)', () => {
    const { out, problems } = iso([
      { tag: '42', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'x' }] },
    ]);
    expect(parseIso2709Record(out).fields.map((f) => f.tag)).toEqual(['042']);
    expect(problems).toMatchObject([
      { code: 'TAG_INVALID', severity: 'warning', tag: '42', message: expect.stringContaining('"042"') },
    ]);
  });

  it('leaves out a field whose tag is not 3 ASCII letters or digits, reports it, and writes the rest', () => {
    const { out, problems } = iso([
      { tag: '001', value: 'ctl-1' },
      { tag: '0°1', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'lost' }] },
      { tag: '24 ', value: 'lost too' },
      title,
    ]);
    const [back] = parseIso2709(out);
    expect(back!.problems).toEqual([]);
    expect(back!.record!.fields.map((f) => f.tag)).toEqual(['001', '245']);
    expect(problems).toMatchObject([
      { code: 'TAG_INVALID', severity: 'error', tag: '0°1', message: expect.stringContaining('left out') },
      { code: 'TAG_INVALID', severity: 'error', tag: '24 ' },
    ]);
  });

  it('keeps alphabetic local tags (Aleph FMT, CAT) as they are', () => {
    const { out, problems } = iso([{ tag: 'FMT', value: 'BK' }, title]);
    expect(problems).toEqual([]);
    expect(parseIso2709Record(out).fields[0]).toEqual({ tag: 'FMT', value: 'BK' });
  });

  it('writes a subfield code that is not one ASCII character as "?", keeping the data, and names the code', () => {
    expect(REPLACEMENT_SUBFIELD_CODE).toBe('?');
    const { out, problems } = iso([
      {
        tag: '245',
        ind1: '1',
        ind2: '0',
        subfields: [
          { code: 'a', value: 'Title' },
          { code: 'é', value: 'kept' },
          { code: 'bc', value: 'kept too' },
        ],
      },
    ]);
    expect(parseIso2709Record(out).fields[0]).toMatchObject({
      subfields: [
        { code: 'a', value: 'Title' },
        { code: '?', value: 'kept' },
        { code: '?', value: 'kept too' },
      ],
    });
    expect(problems).toMatchObject([
      { code: 'SUBFIELD_CODE_INVALID', tag: '245', message: expect.stringContaining('"é"') },
      { code: 'SUBFIELD_CODE_INVALID', tag: '245', message: expect.stringContaining('"bc"') },
    ]);
  });

  it('writes an indicator that is not one ASCII character as blank', () => {
    const { out, problems } = iso([{ ...title, ind1: 'é' } as MarcField]);
    expect(parseIso2709Record(out).fields[0]).toMatchObject({ ind1: ' ', ind2: '0' });
    expect(problems).toMatchObject([{ code: 'INDICATOR_INVALID', tag: '245' }]);
  });

  it('writes leader characters that are not ASCII as blanks', () => {
    const { out, problems } = iso([title], '00000nÄm a2200000 a 4500');
    expect(Buffer.from(out).toString('latin1', 5, 8)).toBe('n m');
    expect(out.length).toBe(Number(Buffer.from(out).toString('latin1', 0, 5)));
    expect(problems).toMatchObject([{ code: 'LEADER_INVALID' }]);
  });

  it('cuts a field longer than 9,999 bytes at a character boundary and reports how long it was', () => {
    const { out, problems } = iso([
      title,
      { tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'é'.repeat(400_000) }] },
    ]);
    const [back] = parseIso2709(out);
    expect(back!.problems).toEqual([]);
    const note = back!.record!.fields[1] as { subfields: { value: string }[] };
    expect(Buffer.byteLength(note.subfields[0]!.value)).toBeGreaterThan(9980);
    // two indicators, the delimiter and code, the field terminator
    expect(Buffer.byteLength(note.subfields[0]!.value)).toBeLessThanOrEqual(9999 - 5);
    expect(note.subfields[0]!.value).toMatch(/^é+$/);
    expect(problems).toMatchObject([
      {
        code: 'FIELD_TOO_LONG',
        severity: 'error',
        tag: '500',
        message: expect.stringMatching(/800,00\d bytes.*9,999/),
      },
    ]);
  });

  it('leaves out the fields that no longer fit a record of 99,999 bytes, and says which', () => {
    const big = (n: number): MarcField => ({
      tag: '952',
      ind1: ' ',
      ind2: ' ',
      subfields: [{ code: 'p', value: `${n}`.padEnd(9000, 'x') }],
    });
    const { out, problems } = iso([title, ...Array.from({ length: 14 }, (_, i) => big(i))]);
    expect(out.length).toBeLessThanOrEqual(99_999);
    const [back] = parseIso2709(out);
    expect(back!.problems).toEqual([]);
    expect(back!.record!.fields).toHaveLength(12);
    expect(problems).toMatchObject([
      {
        code: 'RECORD_TOO_LONG',
        severity: 'error',
        tag: '952',
        message: expect.stringMatching(/99,999.*3 field\(s\) left out: 952 ×3/),
      },
    ]);
  });
});

describe('toMarcXml repairs', () => {
  it('pads a tag of one or two digits with zeros', () => {
    const { out, problems } = xml([
      { tag: '1', value: 'ctl-1' },
      { tag: '42', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'x' }] },
    ]);
    expect(readXml(out).fields.map((f) => f.tag)).toEqual(['001', '042']);
    expect(problems.map((p) => [p.code, p.tag])).toEqual([
      ['TAG_INVALID', '1'],
      ['TAG_INVALID', '42'],
    ]);
  });

  it('keeps a control field with an alphabetic tag (FMT) as a data field with its value in $a', () => {
    const { out, problems } = xml([{ tag: 'FMT', value: 'BK' }, title]);
    expect(out).toContain(
      '<datafield tag="FMT" ind1=" " ind2=" "><subfield code="a">BK</subfield></datafield>',
    );
    expect(readXml(out).fields).toContainEqual({
      tag: 'FMT',
      ind1: ' ',
      ind2: ' ',
      subfields: [{ code: 'a', value: 'BK' }],
    });
    expect(problems).toMatchObject([{ code: 'TAG_INVALID', severity: 'warning', tag: 'FMT' }]);
  });

  it('leaves out a field whose tag the schema cannot hold, and reports it', () => {
    const { out, problems } = xml([
      { tag: '0°1', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'x' }] },
      { tag: 'C°T', value: 'x' },
      title,
    ]);
    expect(readXml(out).fields.map((f) => f.tag)).toEqual(['245']);
    expect(problems).toMatchObject([
      { code: 'TAG_INVALID', severity: 'error', tag: '0°1' },
      { code: 'TAG_INVALID', severity: 'error', tag: 'C°T' },
    ]);
  });

  it('writes a subfield code the schema forbids as "?", keeping the data', () => {
    const { out, problems } = xml([
      {
        tag: '245',
        ind1: '1',
        ind2: '0',
        subfields: [
          { code: 'a', value: 'Title' },
          { code: 'é', value: 'kept' },
        ],
      },
    ]);
    expect(readXml(out).fields[0]).toMatchObject({
      subfields: [
        { code: 'a', value: 'Title' },
        { code: '?', value: 'kept' },
      ],
    });
    expect(problems).toMatchObject([
      {
        code: 'SUBFIELD_CODE_INVALID',
        severity: 'warning',
        tag: '245',
        message: expect.stringContaining('"é"'),
      },
    ]);
  });

  it('writes an indicator the schema forbids as blank', () => {
    const { out, problems } = xml([{ ...title, ind2: 'é' } as MarcField]);
    expect(readXml(out).fields[0]).toMatchObject({ ind1: '1', ind2: ' ' });
    expect(problems).toMatchObject([{ code: 'INDICATOR_INVALID', tag: '245' }]);
  });
});

describe('toMarcJson', () => {
  it('carries every tag, indicator and subfield code as it is (JSON can hold any string)', () => {
    const record: MarcRecord = {
      leader: LEADER,
      fields: [
        { tag: 'FMT', value: 'BK' },
        { tag: '0°1', ind1: 'é', ind2: ' ', subfields: [{ code: 'é', value: 'x' }] },
      ],
    };
    expect(toMarcJson(record).fields).toEqual([
      { FMT: 'BK' },
      { '0°1': { ind1: 'é', ind2: ' ', subfields: [{ é: 'x' }] } },
    ]);
  });
});
