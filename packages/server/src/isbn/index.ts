/**
 * Standard numbers for books and serials: ISBN (ISO 2108) and ISSN (ISO 3297) validation, conversion,
 * hyphenation and normalisation for matching. Pure functions, no I/O.
 */
export type { Isbn, IsbnParts, IsbnProblem, IsbnValidation } from './isbn.ts';
export {
  extractIsbns,
  hyphenateIsbn,
  isbnCheckDigit,
  isValidIsbn,
  normalizeIsbn,
  splitIsbn,
  toIsbn10,
  toIsbn13,
  validateIsbn,
} from './isbn.ts';
export type { IssnValidation } from './issn.ts';
export { formatIssn, issnCheckDigit, issnToEan, isValidIssn, normalizeIssn, validateIssn } from './issn.ts';
