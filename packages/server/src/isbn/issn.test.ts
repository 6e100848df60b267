import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssn, issnCheckDigit, issnToEan, normalizeIssn, validateIssn } from './index.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../../testdata/isbn/isbn_issn_vectors.json', import.meta.url), 'utf8'),
) as { issn: Array<{ op: string; input: string; expected?: string; error?: string }> };

const STDNUM_PROBLEM: Record<string, string> = { InvalidChecksum: 'check-digit', InvalidLength: 'length' };

describe('ISSN', () => {
  it.each(vectors.issn.map((v) => [v.op, v.input, v.expected ?? v.error, v] as const))(
    '%s %s gives %s (python-stdnum)',
    (op, input, _, v) => {
      if (op === 'validate' && v.error) {
        expect(validateIssn(input)).toMatchObject({ valid: false, problem: STDNUM_PROBLEM[v.error] });
      } else if (op === 'validate' || op === 'compact') {
        expect(normalizeIssn(input)).toBe(v.expected);
      } else if (op === 'format') {
        expect(formatIssn(input)).toBe(v.expected);
      } else if (op === 'to_ean') {
        expect(issnToEan(input)).toBe(v.expected);
      } else {
        throw new Error(`unknown op ${op}`);
      }
    },
  );

  it.each([
    ['0032-147X', 'check digit should be 8'],
    ['0032-14', 'an ISSN has 8 characters, not 6'],
    ['00X2-1478', 'an ISSN has seven digits and a check digit (0 to 9 or X)'],
  ])('explains why %s is not an ISSN: %s', (input, reason) => {
    expect(validateIssn(input)).toMatchObject({ valid: false, reason });
  });

  it('accepts X as the check digit', () => {
    expect(issnCheckDigit('2434561')).toBe('X');
    expect(formatIssn('2434-561x')).toBe('2434-561X');
  });

  it('formats as two groups of four', () => {
    expect(formatIssn('ISSN 1234 5679')).toBe('1234-5679');
  });
});
