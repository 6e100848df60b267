import { readFileSync } from 'node:fs';
import ISBN from 'isbn3';
import { describe, expect, it } from 'vitest';
import {
  extractIsbns,
  hyphenateIsbn,
  isbnCheckDigit,
  normalizeIsbn,
  splitIsbn,
  toIsbn10,
  toIsbn13,
  validateIsbn,
} from './index.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../../testdata/isbn/isbn_issn_vectors.json', import.meta.url), 'utf8'),
) as {
  isbn_valid: Array<{ input: string }>;
  isbn_invalid: Array<{ source: string; input: string; error: string }>;
  isbn_to_13: Array<{ source: string; input: string; expected: string | null; hyphenated_output?: boolean }>;
  isbn_to_10: Array<{ source: string; input: string; expected: string | null; hyphenated_output?: boolean }>;
  isbn_hyphenate: Array<{ input: string; expected: string }>;
  isbn_split: Array<{ input: string; expected_prefix_group_publisher_item_check: string[] }>;
  isbn_parse: Array<{ input: string; expected_fields: Record<string, unknown> }>;
};

/** python-stdnum's error kinds mapped to ours. */
const STDNUM_PROBLEM: Record<string, string> = {
  InvalidFormat: 'format',
  InvalidChecksum: 'check-digit',
  InvalidLength: 'length',
  InvalidComponent: 'prefix',
};

/** stdnum keeps the caller's separators; we return digits (or range hyphens), so compare digits for it. */
const digitsOf = (s: string | null) => s?.replace(/[\s-]/g, '') ?? null;

describe('validateIsbn', () => {
  it.each(vectors.isbn_valid.map((v) => [v.input] as const))('accepts %s', (input) => {
    expect(validateIsbn(input).valid).toBe(true);
  });

  it.each(vectors.isbn_invalid.map((v) => [v.input, v.error] as const))('rejects %j (%s)', (input, error) => {
    const result = validateIsbn(input);
    expect(result.valid).toBe(false);
    if (!result.valid && STDNUM_PROBLEM[error]) expect(result.problem).toBe(STDNUM_PROBLEM[error]);
  });

  it.each([
    ['0-306-40615-3', 'check digit should be 2'],
    ['978-0-306-40615-8', 'check digit should be 7'],
    ['08515x-629-2', 'X may only be the last character (the check digit) of an ISBN-10'],
    ['978-902453827', 'an ISBN has 10 or 13 digits, not 12'],
    ['7501031311309', 'not an ISBN: an ISBN-13 begins with 978 or 979, this number begins with 750'],
    ['0-306-40615-2 (pbk.)', 'an ISBN has only digits, hyphens and spaces, not "("'],
  ])('explains why %j is not an ISBN: %s', (input, reason) => {
    expect(validateIsbn(input)).toMatchObject({ valid: false, reason });
  });

  it('reads a 9-digit SBN as an ISBN-10 with a leading zero', () => {
    expect(validateIsbn('12-345678-9')).toMatchObject({ valid: true, isbn: { isbn10: '0123456789' } });
  });

  it('accepts an ISBN label', () => {
    expect(validateIsbn('ISBN-13: 978-0-306-40615-7')).toMatchObject({
      valid: true,
      isbn: { isbn13: '9780306406157' },
    });
  });

  it.each(vectors.isbn_parse.map((v) => [v.input, v.expected_fields] as const))(
    'gives the same elements as isbn3 for %s',
    (input, fields) => {
      const result = validateIsbn(input);
      if (!result.valid) throw new Error(result.reason);
      const isbn = result.isbn;
      const ours: Record<string, unknown> = {
        isIsbn10: isbn.format === 'isbn10',
        isIsbn13: isbn.format === 'isbn13',
        source: input,
        prefix: isbn.format === 'isbn13' ? isbn.isbn13.slice(0, 3) : null,
        group: isbn.group,
        groupname: isbn.groupName,
        publisher: isbn.registrant,
        article: isbn.publication,
        check: isbn.format === 'isbn13' ? isbn.isbn13.slice(-1) : isbn.isbn10?.slice(-1),
        check10: isbn.isbn10?.slice(-1),
        check13: isbn.isbn13.slice(-1),
        isbn10: isbn.isbn10,
        isbn10h: isbn.isbn10Hyphenated,
        isbn13: isbn.isbn13,
        isbn13h: isbn.isbn13Hyphenated,
        isValid: true,
      };
      for (const [field, value] of Object.entries(fields)) expect(ours[field], field).toEqual(value);
    },
  );
});

describe('isbnCheckDigit', () => {
  it.each([
    ['030640615', '2'],
    ['030433376', 'X'],
    ['978030640615', '7'],
  ])('computes the check digit of %s as %s', (digits, check) => {
    expect(isbnCheckDigit(digits)).toBe(check);
  });
});

describe('toIsbn13 and toIsbn10', () => {
  it.each(vectors.isbn_to_13.map((v) => [v.input, v.expected, v] as const))(
    'converts %s to ISBN-13 %s',
    (_, __, v) => {
      const ours = toIsbn13(v.input, { hyphenated: v.hyphenated_output === true });
      if (v.source === 'stdnum-isbn') expect(digitsOf(ours)).toBe(digitsOf(v.expected));
      else expect(ours).toBe(v.expected);
    },
  );

  it.each(vectors.isbn_to_10.map((v) => [v.input, v.expected, v] as const))(
    'converts %s to ISBN-10 %s',
    (_, __, v) => {
      const ours = toIsbn10(v.input, { hyphenated: v.hyphenated_output === true });
      if (v.source === 'stdnum-isbn') expect(digitsOf(ours)).toBe(digitsOf(v.expected));
      else expect(ours).toBe(v.expected);
    },
  );

  it('gives no ISBN-10 for a 979 ISBN', () => {
    expect(toIsbn10('979-10-91146-13-5')).toBeNull();
  });

  it('round-trips every valid ISBN-10 through ISBN-13', () => {
    for (const { input } of vectors.isbn_valid) {
      const isbn10 = toIsbn10(input);
      if (isbn10) expect(toIsbn10(toIsbn13(isbn10)!)).toBe(isbn10);
    }
  });
});

describe('hyphenateIsbn', () => {
  it.each(vectors.isbn_hyphenate.map((v) => [v.input, v.expected] as const))(
    'hyphenates %s as %s',
    (input, out) => {
      expect(hyphenateIsbn(input)).toBe(out);
    },
  );

  it('hyphenates every valid ISBN like the isbn3 range table does', () => {
    for (const { input } of vectors.isbn_valid) {
      const result = validateIsbn(input);
      if (!result.valid) throw new Error(result.reason);
      const { format, isbn13, isbn10 } = result.isbn;
      expect(hyphenateIsbn(input), input).toBe(ISBN.hyphenate(format === 'isbn13' ? isbn13 : isbn10!));
    }
  });
});

describe('splitIsbn', () => {
  it.each(vectors.isbn_split.map((v) => [v.input, v.expected_prefix_group_publisher_item_check] as const))(
    'splits %s into prefix, group, registrant, publication and check digit %j',
    (input, expected) => {
      const parts = splitIsbn(input);
      expect(
        parts && [parts.prefix, parts.group, parts.registrant, parts.publication, parts.checkDigit],
      ).toEqual(expected);
    },
  );
});

describe('normalizeIsbn', () => {
  it.each([
    ['0123456789 (pbk.)', '9780123456786'],
    ['978-0-12-345678-6 : $19.99', '9780123456786'],
    ['ISBN 0-19-963209-X', '9780199632091'],
    ['1 85798218 5', '9781857982183'],
    ['9780306406157', '9780306406157'],
    ['0-306-40615-3 (pbk.)', null],
    ['$19.99', null],
    ['', null],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalizeIsbn(input)).toBe(expected);
  });
});

describe('extractIsbns', () => {
  it('finds every valid ISBN once, in order, as ISBN-13', () => {
    const text =
      'ISBN 0-19-963209-X (pbk.); 978-0-306-40615-7 (hbk.) : $35.00; also 0199632091; bad 0-306-40615-3';
    expect(extractIsbns(text)).toEqual(['9780199632091', '9780306406157']);
  });

  it('does not glue neighbouring numbers into an ISBN', () => {
    expect(extractIsbns('0306406152 2001')).toEqual(['9780306406157']);
    expect(extractIsbns('call 12345 67890')).toEqual([]);
  });
});
