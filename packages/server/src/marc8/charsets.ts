/**
 * Run-time form of the MARC-8 graphic character sets, built once from the generated LC code tables.
 *
 * @see MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media, part 3 (code tables)
 */
import { Buffer } from 'node:buffer';
import {
  C0_CONTROLS,
  C1_CONTROLS,
  EACC_ALTERNATES,
  EACC_COUNT,
  EACC_DATA,
  EACC_ISO_CODE,
  MAPS_TO_NOTHING,
  SINGLE_BYTE_SETS,
} from './tables.generated.ts';

export { MAPS_TO_NOTHING };

/** ISO final characters (the `F` of `ESC I F`) of the MARC-8 graphic sets. */
export const CharsetId = {
  basicLatin: 0x42,
  extendedLatin: 0x45,
  greekSymbols: 0x67,
  subscripts: 0x62,
  superscripts: 0x70,
  basicHebrew: 0x32,
  basicCyrillic: 0x4e,
  extendedCyrillic: 0x51,
  basicArabic: 0x33,
  extendedArabic: 0x34,
  basicGreek: 0x53,
  eacc: EACC_ISO_CODE,
} as const;

/** A 94-character set: one byte per character. */
export interface SingleByteCharset {
  readonly kind: 'single';
  readonly id: number;
  readonly name: string;
  /** Code point per 7-bit position: 0 = unassigned, MAPS_TO_NOTHING = maps to no character. */
  readonly codes: Int32Array;
  /** Like `codes` with the tables' alternate mappings applied. */
  readonly alternateCodes: Int32Array;
  /** 1 where the position is a combining mark (written before its base character in MARC-8). */
  readonly combining: Uint8Array;
}

/** The East Asian Character Code: three bytes per character. */
export interface MultiByteCharset {
  readonly kind: 'multi';
  readonly id: number;
  readonly name: string;
}

/** A MARC-8 graphic character set, as designated by an escape sequence into G0 or G1. */
export type Charset = SingleByteCharset | MultiByteCharset;

function buildSingleByte(): Map<number, SingleByteCharset> {
  const sets = new Map<number, SingleByteCharset>();
  for (const data of SINGLE_BYTE_SETS) {
    const codes = Int32Array.from(data.codes);
    const alternateCodes = codes.slice();
    for (const [position, codePoint] of data.alternates) alternateCodes[position] = codePoint;
    const combining = new Uint8Array(128);
    for (const position of data.combining) combining[position] = 1;
    sets.set(data.isoCode, {
      kind: 'single',
      id: data.isoCode,
      name: data.name,
      codes,
      alternateCodes,
      combining,
    });
  }
  return sets;
}

const singleByteSets = buildSingleByte();

/** The EACC set (its table is loaded on first use, see {@link eaccCodePoint}). */
export const EACC: MultiByteCharset = {
  kind: 'multi',
  id: EACC_ISO_CODE,
  name: 'Chinese, Japanese, Korean (EACC)',
};

/** Looks up a graphic set by its ISO final character; undefined when MARC-8 has no such set. */
export function charsetById(id: number): Charset | undefined {
  return id === EACC_ISO_CODE ? EACC : singleByteSets.get(id);
}

function requireSet(id: number): SingleByteCharset {
  const set = singleByteSets.get(id);
  if (!set) throw new Error(`MARC-8 tables lack character set 0x${id.toString(16)}`);
  return set;
}

/** Default G0 set (Basic Latin, ASCII). */
export const BASIC_LATIN = requireSet(CharsetId.basicLatin);
/** Default G1 set (Extended Latin, ANSEL). */
export const EXTENDED_LATIN = requireSet(CharsetId.extendedLatin);
/** Technique 1 custom sets, selected with ESC g, ESC b and ESC p. */
export const GREEK_SYMBOLS = requireSet(CharsetId.greekSymbols);
export const SUBSCRIPTS = requireSet(CharsetId.subscripts);
export const SUPERSCRIPTS = requireSet(CharsetId.superscripts);

/** Code points of the control characters MARC-8 allows (0 = not allowed), indexed by byte 0x00–0x9F. */
export const CONTROLS: Int32Array = (() => {
  const controls = new Int32Array(0xa0);
  for (const [byte, codePoint] of C0_CONTROLS) controls[byte] = codePoint;
  for (const [byte, codePoint] of C1_CONTROLS) controls[byte] = codePoint;
  return controls;
})();

interface EaccTable {
  /** 24-bit EACC codes, ascending. */
  readonly codes: Int32Array;
  /** Code point for each entry of `codes`. */
  readonly codePoints: Int32Array;
  /** Like `codePoints`, with the alternate mappings applied. */
  readonly alternateCodePoints: Int32Array;
}

let eaccTable: EaccTable | undefined;

/** Decodes EACC_DATA (see the generator) into sorted typed arrays: no per-entry objects. */
function loadEacc(): EaccTable {
  const bytes = Buffer.from(EACC_DATA, 'base64');
  const codes = new Int32Array(EACC_COUNT);
  const codePoints = new Int32Array(EACC_COUNT);
  let position = 0;
  let code = 0;
  let codePoint = 0;
  for (let entry = 0; entry < EACC_COUNT; entry++) {
    let delta = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[position++]!;
      delta |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    let zigzag = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[position++]!;
      zigzag |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    code += delta;
    codePoint += zigzag & 1 ? -((zigzag + 1) >>> 1) : zigzag >>> 1;
    codes[entry] = code;
    codePoints[entry] = codePoint;
  }
  if (position !== bytes.length) throw new Error('EACC table corrupt: data left over after the last entry');
  const alternateCodePoints = codePoints.slice();
  for (const [altCode, altCodePoint] of EACC_ALTERNATES) {
    const index = findCode(codes, altCode);
    if (index >= 0) alternateCodePoints[index] = altCodePoint;
  }
  return { codes, codePoints, alternateCodePoints };
}

function findCode(codes: Int32Array, code: number): number {
  let low = 0;
  let high = codes.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = codes[middle]!;
    if (value < code) low = middle + 1;
    else if (value > code) high = middle - 1;
    else return middle;
  }
  return -1;
}

/**
 * The Unicode code point for a 24-bit EACC code (each byte 0x21–0x7E), or 0 when the code is not in the
 * table. With `alternate`, codes the tables map to the Private Use Area give their alternate code point.
 * The table is decoded on first use.
 */
export function eaccCodePoint(code: number, alternate: boolean): number {
  eaccTable ??= loadEacc();
  const index = findCode(eaccTable.codes, code);
  if (index < 0) return 0;
  return alternate ? eaccTable.alternateCodePoints[index]! : eaccTable.codePoints[index]!;
}
