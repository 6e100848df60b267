import type { DeweyAnalysis, DeweyCallNumber } from './dewey-call-number.ts';
import { analyzeDewey } from './dewey-call-number.ts';
import type { LcAnalysis, LcCallNumber } from './lc-call-number.ts';
import { analyzeLc } from './lc-call-number.ts';
import type { LocalCallNumber } from './local-call-number.ts';
import { analyzeLocal } from './local-call-number.ts';

/**
 * Classification scheme of a call number: Library of Congress Classification (MARC 050/090, 852 first
 * indicator 0), Dewey Decimal Classification (MARC 082/092, 852 first indicator 1), or a local scheme
 * (852 first indicator 8).
 */
export type CallNumberScheme = 'lc' | 'dewey' | 'local';

/** A call number split into the parts of its scheme; `scheme` tells which. */
export type CallNumber = LcCallNumber | DeweyCallNumber | LocalCallNumber;

/**
 * Outcome of `parseCallNumber`. An invalid call number still carries its parts when the text starts like
 * one of the scheme (for example `A1`, an LC class number without a Cutter), so it can be shelved and shown.
 */
export type CallNumberParse =
  | { valid: true; callNumber: CallNumber }
  | { valid: false; reason: string; callNumber: CallNumber | null };

/**
 * Splits `text` into the parts of a call number in `scheme` and checks it, with a reason a cataloger can act
 * on when it is not valid (`'An LC call number needs a Cutter number after the class number …'`).
 *
 * LC follows the LC Classification and Shelflisting Manual (G 55 call numbers, G 63 Cutter numbers, G 140
 * dates): one to three class letters, a class number of at most four digits and four decimals, then one to
 * three Cutters with their dates, then volume/copy text. Dewey follows DDC 23 notation (three digits before
 * the point) with a book number (Cutter-Sanborn number or author letters).
 *
 * @example parseCallNumber('QA76.73.J38 F53 2001', 'lc') // classLetters 'QA', classNumber '76', classDecimal '73', …
 */
export function parseCallNumber(text: string, scheme: CallNumberScheme): CallNumberParse {
  const { callNumber, problem } = analyze(text, scheme);
  if (callNumber && problem === null) return { valid: true, callNumber };
  return { valid: false, reason: problem ?? 'The call number is empty.', callNumber };
}

/** Internal: the scheme-specific analysis, or null for local. */
export function analyzeScheme(text: string, scheme: CallNumberScheme): LcAnalysis | DeweyAnalysis | null {
  if (scheme === 'lc') return analyzeLc(text);
  if (scheme === 'dewey') return analyzeDewey(text);
  return null;
}

function analyze(
  text: string,
  scheme: CallNumberScheme,
): { callNumber: CallNumber | null; problem: string | null } {
  return analyzeScheme(text, scheme) ?? analyzeLocal(text);
}
