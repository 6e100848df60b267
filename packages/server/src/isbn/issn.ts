/**
 * ISSN (ISO 3297): seven digits and a check digit (weights 8 to 2, modulus 11, 10 written `X`), displayed
 * as two groups of four joined by a hyphen (`0024-9319`).
 */

/** Result of `validateIssn`. */
export type IssnValidation =
  | { valid: true; issn: string }
  | { valid: false; problem: 'format' | 'length' | 'check-digit'; reason: string };

function compact(text: string): string {
  return text
    .replace(/^\s*ISSN:?\s*/i, '')
    .replace(/[\s-]/g, '')
    .toUpperCase();
}

/** Check digit for the first seven digits of an ISSN (ISO 3297 §5). */
export function issnCheckDigit(digits: string): string {
  if (!/^\d{7}$/.test(digits)) throw new RangeError('issnCheckDigit needs 7 digits');
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += (8 - i) * Number(digits[i]);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/**
 * Checks an ISSN: eight characters after removing hyphens and spaces, digits with `X` allowed only as the
 * check digit; on success gives the compact form (`00249319`).
 *
 * @example validateIssn('0032-147X') // { valid: false, problem: 'check-digit', reason: 'check digit should be 8' }
 */
export function validateIssn(text: string): IssnValidation {
  const code = compact(text);
  if (!code) return { valid: false, problem: 'length', reason: 'the ISSN is empty' };
  if (/[^0-9X]/.test(code) || code.slice(0, -1).includes('X')) {
    return {
      valid: false,
      problem: 'format',
      reason: 'an ISSN has seven digits and a check digit (0 to 9 or X)',
    };
  }
  if (code.length !== 8)
    return { valid: false, problem: 'length', reason: `an ISSN has 8 characters, not ${code.length}` };
  const expected = issnCheckDigit(code.slice(0, 7));
  if (code[7] !== expected)
    return { valid: false, problem: 'check-digit', reason: `check digit should be ${expected}` };
  return { valid: true, issn: code };
}

/** Whether `text` is a valid ISSN. */
export function isValidIssn(text: string): boolean {
  return validateIssn(text).valid;
}

/** The compact ISSN (`0024931X` style, upper-case X) for matching, or null when invalid. */
export function normalizeIssn(text: string): string | null {
  const result = validateIssn(text);
  return result.valid ? result.issn : null;
}

/** The display form `1234-5679`, or null when invalid. */
export function formatIssn(text: string): string | null {
  const issn = normalizeIssn(text);
  return issn ? `${issn.slice(0, 4)}-${issn.slice(4)}` : null;
}

/**
 * The EAN-13 barcode number of a serial (GS1 prefix 977, ISSN without its check digit, a two-digit price or
 * variant code, EAN check digit): `0264-3596` → `9770264359008`. Null when the ISSN is invalid.
 */
export function issnToEan(text: string, variant = '00'): string | null {
  const issn = normalizeIssn(text);
  if (!issn || !/^\d{2}$/.test(variant)) return null;
  const body = `977${issn.slice(0, 7)}${variant}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(body[i]);
  return `${body}${(10 - (sum % 10)) % 10}`;
}
