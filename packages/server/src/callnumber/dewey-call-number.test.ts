import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCallNumber } from './index.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../../testdata/callnumbers/callnumbers.json', import.meta.url), 'utf8'),
) as {
  valid: Array<{ source: string; scheme: string; input: string }>;
  invalid: Array<{ source: string; scheme: string; input: string }>;
};

/**
 * Validity vectors that contradict others, with the reason; all other Dewey vectors are asserted.
 * marc4j lists "", "MC1 259" and "T1 105" both as valid (its sorted list) and as invalid (its assertions);
 * pycallnumber rejects "100 .A1" while marc4j accepts "111 .I39", the same shape.
 */
const CONTRADICTED = new Set([
  'valid|marc4j-dewey|',
  'valid|marc4j-dewey|MC1 259',
  'valid|marc4j-dewey|T1 105',
  'invalid|pycallnumber|100 .A1',
]);

describe('parseCallNumber (Dewey)', () => {
  it('splits 025.04 SMI into class number and author letters', () => {
    const parsed = parseCallNumber('025.04 SMI', 'dewey');
    expect(parsed).toMatchObject({
      valid: true,
      callNumber: {
        scheme: 'dewey',
        classNumber: '025',
        classDecimal: '04',
        bookNumbers: [{ text: 'SMI', letters: 'SMI', digits: '', suffix: null }],
        year: null,
        rest: null,
      },
    });
  });

  it('splits a Cutter-Sanborn number with work letters, a date and a volume', () => {
    expect(parseCallNumber('621.56 W91m 1999 v.3 c.2', 'dewey').callNumber).toMatchObject({
      classNumber: '621',
      classDecimal: '56',
      bookNumbers: [{ text: 'W91m', letters: 'W', digits: '91', suffix: 'm' }],
      year: '1999',
      rest: 'v.3 c.2',
      volume: '3',
      copy: '2',
    });
  });

  it('drops DDC segmentation marks from the class number', () => {
    expect(parseCallNumber('341.7/58 K12', 'dewey').callNumber).toMatchObject({
      classNumber: '341',
      classDecimal: '758',
    });
  });

  const valid = vectors.valid.filter(
    (v) => v.scheme === 'Dewey' && !CONTRADICTED.has(`valid|${v.source}|${v.input}`),
  );
  it.each(valid.map((v) => [v.input] as const))('accepts %s', (input) => {
    expect(parseCallNumber(input, 'dewey')).toMatchObject({ valid: true });
  });

  const invalid = vectors.invalid.filter(
    (v) => v.scheme === 'Dewey' && !CONTRADICTED.has(`invalid|${v.source}|${v.input}`),
  );
  it.each(invalid.map((v) => [v.input] as const))('rejects %j with a reason', (input) => {
    const parsed = parseCallNumber(input, 'dewey');
    expect(parsed.valid).toBe(false);
    if (!parsed.valid) expect(parsed.reason.length).toBeGreaterThan(20);
  });

  it.each([
    ['1000 A1', 'three digits before the decimal point (000 to 999); "1000" has 4.'],
    ['100', 'needs a book number'],
    ['100 .1 A1', '".1" after the class number is not a book number'],
    ['100 Aaaa1', 'The book number "Aaaa1" has 4 letters before its digits'],
    ['A 100 A1', 'A Dewey call number begins with a class number of three digits'],
  ])('explains why %j is not a valid Dewey call number', (input, reason) => {
    const parsed = parseCallNumber(input, 'dewey');
    expect(parsed.valid).toBe(false);
    if (!parsed.valid) expect(parsed.reason).toContain(reason);
  });
});

describe('parseCallNumber (local)', () => {
  it('keeps free text as whitespace-separated segments', () => {
    expect(parseCallNumber('  FIC  SMITH 2 ', 'local')).toEqual({
      valid: true,
      callNumber: { scheme: 'local', text: 'FIC  SMITH 2', segments: ['FIC', 'SMITH', '2'] },
    });
  });

  it('rejects text without letters or digits', () => {
    expect(parseCallNumber(' -- ', 'local')).toMatchObject({ valid: false });
  });
});
