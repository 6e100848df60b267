/**
 * Format detection from the first bytes of a file, so an import can take ISO 2709, MARCXML,
 * MARC-in-JSON or the text view without asking.
 */

/** A MARC serialization this library reads. */
export type MarcFormat = 'iso2709' | 'marcxml' | 'marc-json' | 'marc-text';

/** Bytes worth passing to {@link detectMarcFormat}: enough to get past a BOM, an XML declaration and comments. */
export const DETECT_BYTES = 1024;

/**
 * Guesses the format from the start of the input (give it the first {@link DETECT_BYTES} bytes or
 * more):
 *
 * - ISO 2709: five digits (leader/00-04 = record length), after optional whitespace or 1A hex;
 * - MARCXML: `<` (after an optional UTF-8 byte order mark and whitespace);
 * - MARC-in-JSON: `{` or `[`;
 * - the text view ({@link toMarcText}): `=LDR`.
 *
 * Returns null when none fits.
 */
export function detectMarcFormat(head: Uint8Array): MarcFormat | null {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i]! <= 0x20 || head[i] === 0x1a)) i++;
  const first = head[i];
  if (first === undefined) return null;
  if (first === 0x3c) return 'marcxml';
  if (first === 0x7b || first === 0x5b) return 'marc-json';
  if (first === 0x3d && String.fromCharCode(...head.subarray(i, i + 4)) === '=LDR') return 'marc-text';
  let digits = 0;
  while (digits < 5 && i + digits < head.length && head[i + digits]! >= 0x30 && head[i + digits]! <= 0x39)
    digits++;
  if (digits === 5) return 'iso2709';
  return null;
}
