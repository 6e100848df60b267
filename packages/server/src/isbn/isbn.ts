import ISBN from 'isbn3';

/**
 * A valid ISBN (ISO 2108) with its forms. Hyphenated forms and the registration group come from the
 * International ISBN Agency's range table (RangeMessage.xml, bundled by the `isbn3` package); they are null
 * when the ISBN falls in a range the table does not list.
 */
export interface Isbn {
  /** Whether the input was an ISBN-10 (or a 9-digit SBN) or an ISBN-13. */
  format: 'isbn10' | 'isbn13';
  /** ISBN-13, digits only: the form to store and match on. */
  isbn13: string;
  /** ISBN-10 (last character may be `X`); null for 979- ISBNs, which have none. */
  isbn10: string | null;
  /** ISBN-13 hyphenated by registration group and registrant (`978-0-306-40615-7`), or null. */
  isbn13Hyphenated: string | null;
  /** ISBN-10 hyphenated (`0-306-40615-2`), or null. */
  isbn10Hyphenated: string | null;
  /** Registration group element (`'0'`), or null when unknown. */
  group: string | null;
  /** Name of the registration group (`'English language'`), or null. */
  groupName: string | null;
  /** Registrant (publisher) element, or null. */
  registrant: string | null;
  /** Publication element, or null. */
  publication: string | null;
}

/** Why a string is not an ISBN: bad characters, wrong length, wrong check digit, or an EAN that is not a book. */
export type IsbnProblem = 'format' | 'length' | 'check-digit' | 'prefix';

/** Result of `validateIsbn`. */
export type IsbnValidation =
  | { valid: true; isbn: Isbn }
  | { valid: false; problem: IsbnProblem; reason: string };

/** Parts of an ISBN-13 (or ISBN-10, prefix empty) by the range table; unknown elements are empty strings. */
export interface IsbnParts {
  /** EAN prefix element (`'978'`, `'979'`); empty for an ISBN-10 or an EAN that is not a book. */
  prefix: string;
  /** Registration group element. */
  group: string;
  /** Registrant element. */
  registrant: string;
  /** Publication element (everything between the known elements and the check digit when ranges are unknown). */
  publication: string;
  /** Check digit as written. */
  checkDigit: string;
}

const ISBN_LABEL = /^\s*ISBN(?:-1[03])?:?\s*/i;

/** Removes an `ISBN`/`ISBN-13:` label, spaces and hyphens. */
function compact(text: string): string {
  return text.replace(ISBN_LABEL, '').replace(/[\s-]/g, '').toUpperCase();
}

/**
 * Check digit for the first 9 digits of an ISBN-10 (weights 10 to 2, modulus 11, 10 written `X`) or the
 * first 12 digits of an ISBN-13/EAN-13 (weights 1 and 3, modulus 10). ISO 2108, ISBN Users' Manual §5.
 */
export function isbnCheckDigit(digits: string): string {
  if (/^\d{9}$/.test(digits)) {
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (10 - i) * Number(digits[i]);
    const check = (11 - (sum % 11)) % 11;
    return check === 10 ? 'X' : String(check);
  }
  if (/^\d{12}$/.test(digits)) {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(digits[i]);
    return String((10 - (sum % 10)) % 10);
  }
  throw new RangeError('isbnCheckDigit needs 9 or 12 digits');
}

/**
 * Checks an ISBN-10 or ISBN-13 (ISO 2108): hyphens and spaces anywhere, an optional `ISBN` label, `X` only as
 * an ISBN-10 check digit; a 9-digit SBN (Standard Book Number, pre-1974) reads as an ISBN-10 with a leading 0.
 * An ISBN-13 must begin with 978 or 979 (the EAN "Bookland" prefixes).
 *
 * @example validateIsbn('0-306-40615-3') // { valid: false, problem: 'check-digit', reason: 'check digit should be 2' }
 */
export function validateIsbn(text: string): IsbnValidation {
  let code = compact(text);
  if (!code) return { valid: false, problem: 'length', reason: 'the ISBN is empty' };
  if (/[^0-9X]/.test(code)) {
    const bad = code.match(/[^0-9X]/)?.[0];
    return {
      valid: false,
      problem: 'format',
      reason: `an ISBN has only digits, hyphens and spaces, not "${bad}"`,
    };
  }
  if (code.length === 9) code = `0${code}`;
  if (code.length !== 10 && code.length !== 13) {
    return { valid: false, problem: 'length', reason: `an ISBN has 10 or 13 digits, not ${code.length}` };
  }
  const body = code.slice(0, -1);
  const check = code.slice(-1);
  if (body.includes('X')) {
    return {
      valid: false,
      problem: 'format',
      reason: 'X may only be the last character (the check digit) of an ISBN-10',
    };
  }
  if (code.length === 13 && check === 'X') {
    return {
      valid: false,
      problem: 'format',
      reason: 'an ISBN-13 check digit is 0 to 9; X is used only in ISBN-10',
    };
  }
  const expected = isbnCheckDigit(body);
  if (check !== expected)
    return { valid: false, problem: 'check-digit', reason: `check digit should be ${expected}` };
  if (code.length === 13 && !/^97[89]/.test(code)) {
    return {
      valid: false,
      problem: 'prefix',
      reason: `not an ISBN: an ISBN-13 begins with 978 or 979, this number begins with ${code.slice(0, 3)}`,
    };
  }
  const isbn13 = code.length === 13 ? code : `978${body}${isbnCheckDigit(`978${body}`)}`;
  const isbn10 = isbn13.startsWith('978')
    ? `${isbn13.slice(3, 12)}${isbnCheckDigit(isbn13.slice(3, 12))}`
    : null;
  const ranged = ISBN.parse(isbn13);
  return {
    valid: true,
    isbn: {
      format: code.length === 13 ? 'isbn13' : 'isbn10',
      isbn13,
      isbn10,
      isbn13Hyphenated: ranged?.isbn13h ?? null,
      isbn10Hyphenated: ranged?.isbn10h ?? null,
      group: ranged?.group ?? null,
      groupName: ranged?.groupname ?? null,
      registrant: ranged?.publisher ?? null,
      publication: ranged?.article ?? null,
    },
  };
}

/** Whether `text` is a valid ISBN-10 or ISBN-13 (see `validateIsbn`). */
export function isValidIsbn(text: string): boolean {
  return validateIsbn(text).valid;
}

/** Converts a valid ISBN to ISBN-13 (digits only, or hyphenated by ranges); null when invalid. */
export function toIsbn13(text: string, options: { hyphenated?: boolean } = {}): string | null {
  const result = validateIsbn(text);
  if (!result.valid) return null;
  return options.hyphenated ? result.isbn.isbn13Hyphenated : result.isbn.isbn13;
}

/**
 * Converts a valid ISBN to ISBN-10 (digits only, or hyphenated by ranges). Null when invalid or when the
 * ISBN-13 begins with 979, which has no ISBN-10 (ISBN Users' Manual §4).
 */
export function toIsbn10(text: string, options: { hyphenated?: boolean } = {}): string | null {
  const result = validateIsbn(text);
  if (!result.valid) return null;
  return options.hyphenated ? result.isbn.isbn10Hyphenated : result.isbn.isbn10;
}

/**
 * Hyphenates a valid ISBN by registration group and registrant ranges, keeping its form (ISBN-10 stays
 * ISBN-10): `9784873113364` → `978-4-87311-336-4`. Null when invalid or in a range the table does not list.
 */
export function hyphenateIsbn(text: string): string | null {
  const result = validateIsbn(text);
  if (!result.valid) return null;
  return result.isbn.format === 'isbn13' ? result.isbn.isbn13Hyphenated : result.isbn.isbn10Hyphenated;
}

/**
 * Splits a 10- or 13-digit ISBN into prefix, registration group, registrant, publication and check digit
 * by the range table, without checking the check digit. Elements the table cannot place are empty, and
 * their digits go to `publication`. Null when the text is not 10 or 13 characters after compacting.
 */
export function splitIsbn(text: string): IsbnParts | null {
  const code = compact(text);
  if (!/^(\d{9}[\dX]|\d{13})$/.test(code)) return null;
  const isIsbn13 = code.length === 13;
  const prefix = isIsbn13 ? code.slice(0, 3) : '';
  const checkDigit = code.slice(-1);
  const rest = code.slice(isIsbn13 ? 3 : 0, -1);
  if (isIsbn13 && prefix !== '978' && prefix !== '979') {
    return { prefix: '', group: '', registrant: '', publication: code.slice(0, -1), checkDigit };
  }
  const eanPrefix = isIsbn13 ? prefix : '978';
  for (let length = 1; length <= 5; length++) {
    const group = rest.slice(0, length);
    const record = ISBN.groups[`${eanPrefix}-${group}`];
    if (!record) continue;
    const afterGroup = rest.slice(length);
    for (const [min, max] of record.ranges) {
      const registrant = afterGroup.slice(0, min.length);
      if (registrant.length === min.length && min <= registrant && registrant <= max) {
        return { prefix, group, registrant, publication: afterGroup.slice(min.length), checkDigit };
      }
    }
    return { prefix, group, registrant: '', publication: afterGroup, checkDigit };
  }
  return { prefix, group: '', registrant: '', publication: rest, checkDigit };
}

/**
 * Normalises an ISBN for matching: the ISBN-13 digits of the first valid ISBN in `text`, or null. Accepts the
 * forms found in MARC 21 field 020 $a, such as `0123456789 (pbk.)` or `978-0-12-345678-9 : $19.99`.
 */
export function normalizeIsbn(text: string): string | null {
  return extractIsbns(text)[0] ?? null;
}

/**
 * Finds every valid ISBN in free text (a MARC 020 $a, a citation, a pasted list) and returns their ISBN-13
 * digits, without duplicates, in order of appearance. Numbers with hyphens or single spaces between digit
 * groups are read; candidates that fail the check digit are skipped.
 */
export function extractIsbns(text: string): string[] {
  // Chunks of digits (and X) joined by hyphens; whitespace separates chunks that may still be one ISBN.
  const chunks = [...text.matchAll(/[0-9Xx](?:-?[0-9Xx])*/g)];
  const found: string[] = [];
  let i = 0;
  while (i < chunks.length) {
    let taken = 0;
    for (let count = Math.min(5, chunks.length - i); count >= 1 && !taken; count--) {
      const window = chunks.slice(i, i + count);
      // Chunks must be separated by a single space to belong to one ISBN (`978 1 85798218 3`).
      const adjacent = window.every((c, k) => {
        if (k === 0) return true;
        const prev = window[k - 1]!;
        return text.slice(prev.index + prev[0].length, c.index) === ' ';
      });
      if (!adjacent) continue;
      const code = window.map((c) => c[0]).join('');
      const digits = code.replace(/-/g, '');
      if (digits.length !== 10 && digits.length !== 13) continue;
      const before = text[window[0]!.index - 1] ?? ' ';
      if (/[0-9.,]/.test(before)) continue;
      const result = validateIsbn(code);
      if (result.valid) {
        if (!found.includes(result.isbn.isbn13)) found.push(result.isbn.isbn13);
        taken = count;
      }
    }
    i += taken || 1;
  }
  return found;
}
