/**
 * Format detection from the first bytes of a file, so an import can take ISO 2709, MARCXML,
 * MARC-in-JSON or the text view without asking.
 */

/** A MARC serialization this library reads. */
export type MarcFormat = 'iso2709' | 'marcxml' | 'marc-json' | 'marc-text';

/**
 * Bytes worth passing to {@link detectMarcFormat}: enough to get past a BOM, an XML declaration and
 * comments, and to hold a whole first ISO 2709 record (at most 99,999 bytes) and the next leader.
 */
export const DETECT_BYTES = 100_032;

const RECORD_TERMINATOR = 0x1d;
const FIELD_TERMINATOR = 0x1e;
/** Directory entries that must look right to take a damaged head for ISO 2709. */
const DIRECTORY_ENTRIES_TO_CHECK = 3;

/**
 * Guesses the format from the start of the input (give it the first {@link DETECT_BYTES} bytes or
 * more):
 *
 * - ISO 2709: five digits (leader/00-04 = record length), after optional whitespace or 1A hex; when
 *   the first leader is damaged, a directory where one belongs (leader/12-16 and entries of a tag and
 *   nine digits from byte 24), or a record terminator (1D hex) followed by a leader;
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
  if (hasDirectory(head, i) || hasLeaderAfterTerminator(head, i)) return 'iso2709';
  return null;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function allDigits(head: Uint8Array, from: number, count: number): boolean {
  for (let k = from; k < from + count; k++) if (!isDigit(head[k])) return false;
  return true;
}

/**
 * A damaged first leader over a sound directory: entries of a 3-character tag, 4 + 5 digits from
 * byte 24 of the record, ending with a field terminator or going on past the first few.
 */
function hasDirectory(head: Uint8Array, start: number): boolean {
  let p = start + 24;
  for (let entry = 0; entry < DIRECTORY_ENTRIES_TO_CHECK; entry++, p += 12) {
    if (entry > 0 && head[p] === FIELD_TERMINATOR) return true;
    for (let k = p; k < p + 3; k++) {
      const byte = head[k];
      if (byte === undefined || byte < 0x20 || byte > 0x7e) return false;
    }
    if (!allDigits(head, p + 3, 9)) return false;
  }
  return true;
}

/** A record terminator followed (after optional whitespace) by a plausible leader: the next record. */
function hasLeaderAfterTerminator(head: Uint8Array, start: number): boolean {
  for (
    let at = head.indexOf(RECORD_TERMINATOR, start);
    at !== -1;
    at = head.indexOf(RECORD_TERMINATOR, at + 1)
  ) {
    let p = at + 1;
    while (p < head.length && head[p]! <= 0x20 && head[p] !== RECORD_TERMINATOR) p++;
    // record length, then base address (leader/12-16), then a directory entry's length and start
    if (allDigits(head, p, 5) && allDigits(head, p + 12, 5) && allDigits(head, p + 27, 9)) return true;
  }
  return false;
}
