import type { CallNumberScheme } from './call-number.ts';
import { analyzeScheme } from './call-number.ts';
import { KEY_SEPARATOR } from './call-number-text.ts';
import { localKey } from './local-call-number.ts';

/** Options for building shelf keys. */
export interface ShelfKeyOptions {
  /**
   * File upper- and lower-case letters apart (ASCII order: `B` before `a`). Off by default: filing rules
   * (ALA Filing Rules 1980, LC Filing Rules) give upper- and lower-case letters the same value.
   */
  caseSensitive?: boolean;
}

/**
 * Builds a shelf key: an ASCII string whose plain byte-wise order (`a < b` in JavaScript, `ORDER BY` under
 * binary/C collation in SQLite and PostgreSQL) is shelf order.
 *
 * Order follows LC Classification and Shelflisting Manual G 100 (filing rules) and DDC practice: class
 * letters alphabetically; class numbers numerically, decimals digit by digit; Cutters as decimal fractions
 * (`.A12` before `.A2`); dates and numbers before Cutters at the same position; a Cutter's work letters
 * (`.A101m`) after its dated editions and extra text but before the next Cutter; labelled numbers
 * numerically (`v.2` before `v.10`); nothing before something (a call number files before a longer one that
 * extends it); letter case and punctuation ignored.
 *
 * Never fails: text that is not a call number of `scheme` gets the key of a local call number (words and
 * numbers), so every item still has a place on the shelf.
 *
 * @example shelfKey('QA76.73 .J38 2001', 'lc') < shelfKey('QA76.9 .A1', 'lc') // true
 */
export function shelfKey(text: string, scheme: CallNumberScheme, options: ShelfKeyOptions = {}): string {
  const caseSensitive = options.caseSensitive ?? false;
  const analysis = analyzeScheme(text, scheme);
  if (analysis?.callNumber) return analysis.keyElements(caseSensitive).join(KEY_SEPARATOR);
  return localKey(text, caseSensitive);
}

/** Key bounds of every call number that begins with a given one; see `shelfKeyRange`. */
export interface ShelfKeyRange {
  /** Shelf key of the prefix itself; the range includes it. */
  start: string;
  /** Upper bound, exclusive: every call number extending the prefix has a key below it. */
  end: string;
}

/**
 * Key range for browsing "call numbers beginning with" `text`: `start <= key < end`. Class letters are a
 * whole unit (`AB` covers `AB 101` but not `ABA 101`); a class number or Cutter also covers its decimal
 * extensions (`AB 101.4` covers `AB 101.41`; `.A111` covers `.A11124`).
 */
export function shelfKeyRange(
  text: string,
  scheme: CallNumberScheme,
  options: ShelfKeyOptions = {},
): ShelfKeyRange {
  const start = shelfKey(text, scheme, options);
  const onlyLetters = !start.includes(KEY_SEPARATOR) && /[A-Za-z]$/.test(start);
  return { start, end: `${start}${onlyLetters ? KEY_SEPARATOR : ''}~` };
}
