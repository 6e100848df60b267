import { describe, expect, it } from 'vitest';
import { corpusBytes } from './corpus.test-support.ts';
import { parseIso2709 } from './iso2709.ts';
import type { MarcRecord } from './record.ts';
import { MarcTextError, parseMarcText, parseMarcTextRecords, toMarcText } from './text.ts';

const record: MarcRecord = {
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '001', value: '123' },
    { tag: '008', value: '240101s2024    nyu' },
    {
      tag: '245',
      ind1: '1',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Title :' },
        { code: 'b', value: 'subtitle /' },
        { code: 'c', value: 'by Someone.' },
      ],
    },
    { tag: '020', ind1: ' ', ind2: ' ', subfields: [{ code: 'c', value: '$14.95 {net} C:\\dir' }] },
  ],
};

const text = [
  '=LDR  00000nam\\a2200000\\a\\4500',
  '=001  123',
  '=008  240101s2024\\\\\\\\nyu',
  '=245  10$aTitle :$bsubtitle /$cby Someone.',
  '=020  \\\\$c{dollar}14.95 {lcub}net{rcub} C:\\dir',
].join('\n');

describe(toMarcText.name, () => {
  it('shows one field per line, blanks as \\ in the leader, control fields and indicators, $ as {dollar}', () => {
    expect(toMarcText(record)).toBe(text);
  });

  it('escapes control characters as code points', () => {
    const line = toMarcText({
      leader: record.leader,
      fields: [{ tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'a\x1bb' }] }],
    });
    expect(line).toContain('$aa{U+001B}b');
  });
});

describe(parseMarcText.name, () => {
  it('reads the text view back into the same record', () => {
    expect(parseMarcText(text)).toEqual(record);
  });

  it('round-trips every record of a corpus file, blank lines between records allowed', () => {
    const records = parseIso2709(corpusBytes('traject/test_data.utf8.mrc')).map((r) => r.record!);
    const view = records.map(toMarcText).join('\n\n');
    expect(parseMarcTextRecords(view)).toEqual(records);
  });

  it.each([
    [
      'a line without the = sign',
      '=LDR  00000nam a2200000 a 4500\n245  10$aTitle',
      2,
      /expected "=TAG {2}content"/,
    ],
    ['one space after the tag', '=LDR  00000nam a2200000 a 4500\n=245 10$aTitle', 2, /two spaces/],
    ['a short leader', '=LDR  00000nam', 1, /leader is 8 characters/],
    ['a field before the leader', '=001  123\n=LDR  00000nam a2200000 a 4500', 1, /=LDR line first/],
    ['a data field without indicators', '=LDR  00000nam a2200000 a 4500\n\n=245  1', 3, /two indicators/],
    ['a data field without subfields', '=LDR  00000nam a2200000 a 4500\n=245  10Title', 2, /expected "\$"/],
    ['a $ with no code', '=LDR  00000nam a2200000 a 4500\n=245  10$aTitle$', 2, /no subfield code/],
    ['an unknown escape', '=LDR  00000nam a2200000 a 4500\n=245  10$a{euro}', 2, /unknown escape \{euro\}/],
    ['a lone brace', '=LDR  00000nam a2200000 a 4500\n=245  10$a{x', 2, /unmatched "\{"/],
    [
      'two records where one is expected',
      '=LDR  00000nam a2200000 a 4500\n=LDR  00000nam a2200000 a 4500',
      2,
      /expected one record/,
    ],
  ])('rejects %s with an error naming the line', (_, input, line, message) => {
    let error: unknown;
    try {
      parseMarcText(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MarcTextError);
    expect(error).toMatchObject({
      line,
      code: 'MARC_TEXT_INVALID',
      message: expect.stringMatching(new RegExp(`^line ${line}: `)),
    });
    expect((error as Error).message).toMatch(message);
  });
});
