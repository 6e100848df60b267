/**
 * MARC-8 to Unicode decoding.
 *
 * Follows "MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media", Character
 * Sets part 2 (MARC-8 encoding environment: G0/G1 working sets, escape sequences, combining marks) and
 * part 3 (code tables), and part 4 (mapping to Unicode).
 */
import { Buffer } from 'node:buffer';
import {
  BASIC_LATIN,
  type Charset,
  CONTROLS,
  charsetById,
  EXTENDED_LATIN,
  eaccCodePoint,
  GREEK_SYMBOLS,
  MAPS_TO_NOTHING,
  SUBSCRIPTS,
  SUPERSCRIPTS,
} from './charsets.ts';

/** Something in the MARC-8 bytes that could not be decoded exactly as written. */
export interface Marc8Problem {
  /** Byte offset in the input where the problem starts. */
  readonly offset: number;
  /** What is wrong, in English. */
  readonly message: string;
  /**
   * `error` when text was lost: a byte became U+FFFD, bytes were dropped, or an escape sequence could
   * not be followed (the text after it is read in the wrong character set). `warning` when every
   * character came through (a stray ESC, a combining mark without a base character).
   */
  readonly severity: 'error' | 'warning';
}

/** The decoded text together with everything that went wrong on the way. */
export interface Marc8DecodeResult {
  readonly text: string;
  readonly problems: Marc8Problem[];
}

/** Unicode normalisation applied to the decoded text. */
export type Marc8Normalization = 'NFC' | 'NFD' | 'none';

/** Options for {@link decodeMarc8} and {@link decodeMarc8Detailed}. */
export interface Marc8DecodeOptions {
  /**
   * Use the alternate Unicode mappings the LC tables list (`alt`): the two half marks U+FE20/U+FE21 and
   * U+FE22/U+FE23 for the ligature and double tilde instead of U+0361 and U+0360, U+02BE for alif, and
   * defined characters instead of Private Use Area code points for some EACC codes. Default false: the
   * preferred mappings.
   */
  readonly alternates?: boolean;
  /** Default 'NFC'. 'none' keeps the base-then-marks order produced from the MARC-8 bytes untouched. */
  readonly normalization?: Marc8Normalization;
}

const ESC = 0x1b;
const SPACE = 0x20;
const REPLACEMENT = 0xfffd;
/** Code points below this are unchanged by NFC and NFD. */
const FIRST_NORMALIZATION_SENSITIVE = 0x300;
/** Longest output converted with a single String.fromCharCode call. */
const FROM_CHAR_CODE_CHUNK = 8192;
/**
 * Basic Latin maps 0x21–0x7E to themselves (preferred and alternate mappings, no combining marks), so
 * while it is G0 those bytes and the space need no table look-up: see the shortcut in `decode`.
 */
const IS_BASIC_LATIN_ASCII = (() => {
  for (let byte = 0x21; byte <= 0x7e; byte++) {
    const ok =
      BASIC_LATIN.kind === 'single' &&
      BASIC_LATIN.codes[byte] === byte &&
      BASIC_LATIN.alternateCodes[byte] === byte &&
      BASIC_LATIN.combining[byte] === 0;
    if (!ok) return false;
  }
  return true;
})();

let output = new Uint16Array(1024);
let pending = new Uint16Array(64);
const utf16Decoder = new TextDecoder('utf-16le');
/** Buffer method Node has long had but does not type: UTF-16LE bytes to a string, no view needed. */
interface Ucs2Slice {
  ucs2Slice(start: number, end: number): string;
}
/** `output` as UTF-16LE bytes (little-endian hosts only), rebuilt whenever `output` grows. */
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let outputBytes: Ucs2Slice | null = null;

function hexByte(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function unitsToString(units: Uint16Array, length: number): string {
  if (IS_LITTLE_ENDIAN && units === output) {
    // one native call, without the subarray that String.fromCharCode.apply needs
    if (outputBytes === null || (outputBytes as unknown as Buffer).buffer !== units.buffer) {
      outputBytes = Buffer.from(units.buffer, units.byteOffset, units.byteLength) as unknown as Ucs2Slice;
    }
    return outputBytes.ucs2Slice(0, length * 2);
  }
  if (length <= FROM_CHAR_CODE_CHUNK) {
    return String.fromCharCode.apply(null, units.subarray(0, length) as unknown as number[]);
  }
  return utf16Decoder.decode(units.subarray(0, length));
}

/** True when every byte is printable ASCII or one of the MARC delimiters (0x1D–0x1F). */
function isPlainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte > 0x7e || byte < 0x1d) return false;
  }
  return true;
}

function asciiToString(bytes: Uint8Array): string {
  if (bytes.length <= 64) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function report(
  problems: Marc8Problem[],
  from: number,
  offset: number,
  message: string,
  severity: 'error' | 'warning' = 'error',
): void {
  problems.push({ offset: offset - from, message, severity });
}

/**
 * Decodes the MARC-8 bytes [from, length) of `bytes` (`length` is the end index; offsets in problems
 * are relative to `from`). Callers take the plain ASCII shortcut themselves. `problems` collects what
 * went wrong, or is null when the caller does not care. Never throws on bad input: undecodable bytes
 * become U+FFFD.
 */
function decode(
  bytes: Uint8Array,
  from: number,
  length: number,
  options: Marc8DecodeOptions | undefined,
  problems: Marc8Problem[] | null,
): string {
  const size = length - from;

  const alternates = options?.alternates === true;
  const normalization = options?.normalization ?? 'NFC';
  if (output.length < size + 8) output = new Uint16Array(Math.max(size + 8, output.length * 2));
  if (pending.length < size) pending = new Uint16Array(Math.max(size, pending.length * 2));
  const out = output;
  const marks = pending;
  let outLength = 0;
  let marksLength = 0;
  let marksOffset = 0;
  /**
   * The output may not be in the requested normalisation yet. Under NFC a base character with one
   * mark is composed as it is written (see {@link composedPair}); anything else sets this.
   */
  let normalizationSensitive = false;
  const composesPairs = normalization === 'NFC';
  /** End of the last undecodable EACC byte, to emit one U+FFFD per run of them. */
  let resyncEnd = -1;

  // Working sets at the start of every field: G0 = Basic Latin (ASCII), G1 = Extended Latin (ANSEL).
  let g0: Charset = BASIC_LATIN;
  let g1: Charset = EXTENDED_LATIN;

  let i = from;
  while (i < length) {
    const byte = bytes[i]!;
    if (byte >= SPACE && byte <= 0x7e && g0 === BASIC_LATIN && IS_BASIC_LATIN_ASCII) {
      // Shortcut of the general path below for ASCII in G0 = Basic Latin: the character itself, then
      // the combining marks written before it (under NFC, one mark is composed with it here).
      i += 1;
      if (marksLength === 0) {
        out[outLength++] = byte;
        continue;
      }
      const composed = marksLength === 1 && composesPairs ? composedPair(byte, marks[0]!) : -1;
      if (composed !== -1) {
        out[outLength++] = composed & 0xffff;
        if (composed > 0xffff) out[outLength++] = composed >>> 16;
      } else {
        out[outLength++] = byte;
        for (let k = 0; k < marksLength; k++) out[outLength++] = marks[k]!;
        normalizationSensitive = true;
      }
      marksLength = 0;
      continue;
    }
    let codePoint: number;
    let combining = false;
    const start = i;

    if (byte === ESC) {
      // Escape sequence: designates a new G0 or G1 working set.
      const next = i + 1 < length ? bytes[i + 1]! : -1;
      if (next === -1) {
        if (problems !== null) report(problems, from, i, 'escape character at end of data', 'warning');
        i += 1;
        continue;
      }
      // Technique 1: MARC-specific locking escapes for the custom sets, into G0.
      if (next === 0x67 || next === 0x62 || next === 0x70 || next === 0x73) {
        g0 =
          next === 0x67
            ? GREEK_SYMBOLS
            : next === 0x62
              ? SUBSCRIPTS
              : next === 0x70
                ? SUPERSCRIPTS
                : BASIC_LATIN;
        i += 2;
        continue;
      }
      // Technique 2: ISO 2022 designation ESC I... F (intermediates 0x21–0x2F, final 0x30–0x7E). An ESC
      // not followed by an intermediate is no escape sequence at all (usually a corrupted byte): drop only
      // the ESC, so that the text after it survives.
      if (next < 0x21 || next > 0x2f) {
        if (problems !== null)
          report(problems, from, i, `unknown escape sequence ESC ${hexByte(next)}`, 'warning');
        i += 1;
        continue;
      }
      let j = i + 1;
      let multiByte = false;
      // 0 = G0, 1 = G1, -1 = G2/G3 (not used by MARC-8), -2 = none named yet (ESC $ F alone means G0)
      let target = -2;
      while (j < length && bytes[j]! >= 0x21 && bytes[j]! <= 0x2f) {
        const intermediate = bytes[j]!;
        if (intermediate === 0x24) multiByte = true;
        else if (intermediate === 0x28 || intermediate === 0x2c) target = 0;
        else if (intermediate === 0x29 || intermediate === 0x2d) target = 1;
        else if (intermediate !== 0x21) target = -1; // 0x21 '!' belongs to ANSEL's final "!E"
        j++;
      }
      if (j >= length) {
        if (problems !== null) report(problems, from, i, 'incomplete escape sequence at end of data');
        i = length;
        continue;
      }
      const final = bytes[j]!;
      if (final < 0x30 || final > 0x7e) {
        if (problems !== null)
          report(
            problems,
            from,
            i,
            `malformed escape sequence (byte ${hexByte(final)} where a final character was expected)`,
          );
        i = j;
        continue;
      }
      const charset = charsetById(final);
      if (target === -2 && multiByte) target = 0;
      if (target === -2) {
        if (problems !== null) report(problems, from, i, 'escape sequence names no working set (G0 or G1)');
      } else if (charset === undefined) {
        if (problems !== null)
          report(problems, from, i, `escape sequence designates unknown character set ${hexByte(final)}`);
      } else if (target === -1) {
        if (problems !== null)
          report(problems, from, i, 'escape sequence designates G2 or G3, which MARC-8 does not use');
      } else {
        if (multiByte !== (charset.kind === 'multi')) {
          if (problems !== null)
            report(
              problems,
              from,
              i,
              `${charset.name} designated with a ${multiByte ? 'multibyte' : 'single-byte'} escape sequence`,
              'warning',
            );
        }
        if (target === 0) g0 = charset;
        else g1 = charset;
      }
      i = j + 1;
      continue;
    }

    if (byte === SPACE) {
      // Space is outside every 94-character set and is a single byte even in EACC.
      codePoint = SPACE;
      i += 1;
    } else if ((byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xfe)) {
      const set = byte < 0x80 ? g0 : g1;
      if (set.kind === 'single') {
        const position = byte & 0x7f;
        codePoint = alternates ? set.alternateCodes[position]! : set.codes[position]!;
        combining = set.combining[position] === 1;
        i += 1;
        if (codePoint === 0) {
          if (problems !== null)
            report(problems, from, start, `byte ${hexByte(byte)} is not assigned in ${set.name}`);
          codePoint = REPLACEMENT;
          combining = false;
        }
      } else {
        // EACC: three bytes per character, all from the same half (0x21–0x7E or 0xA1–0xFE); only the
        // third may also be 0x20 (EACC 0x212320, ideographic space).
        const high = byte & 0x80;
        let taken = 1;
        while (taken < 3 && i + taken < length) {
          const b = bytes[i + taken]!;
          if ((b & 0x80) !== high || (b & 0x7f) < (taken === 1 ? 0x21 : 0x20) || (b & 0x7f) > 0x7e) break;
          taken++;
        }
        codePoint = 0;
        if (taken === 3) {
          const code = ((byte & 0x7f) << 16) | ((bytes[i + 1]! & 0x7f) << 8) | (bytes[i + 2]! & 0x7f);
          codePoint = eaccCodePoint(code, alternates);
          if (codePoint === 0 && start !== resyncEnd) {
            if (problems !== null)
              report(
                problems,
                from,
                start,
                `EACC code ${code.toString(16).toUpperCase().padStart(6, '0')} is not assigned`,
              );
          }
        } else if (start !== resyncEnd) {
          if (problems !== null) report(problems, from, start, 'incomplete EACC character');
        }
        if (codePoint !== 0) {
          i += 3;
        } else {
          // Resynchronise like a UTF-8 decoder: skip one byte and try again from the next. A run of
          // undecodable bytes yields a single U+FFFD.
          i += 1;
          const continuesRun = start === resyncEnd;
          resyncEnd = i;
          if (continuesRun) continue;
          codePoint = REPLACEMENT;
        }
      }
    } else {
      const control = byte < 0xa0 ? CONTROLS[byte]! : 0;
      i += 1;
      if (control !== 0 && byte >= 0x80) {
        // Non-sort markers and joiners: emitted where they stand; pending marks still await their base.
        out[outLength++] = control;
        continue;
      }
      if (control !== 0) {
        // Record, field and subfield separators end any character: marks cannot reach across them.
        if (marksLength > 0) {
          if (problems !== null)
            report(problems, from, marksOffset, 'combining mark without a base character', 'warning');
          for (let k = 0; k < marksLength; k++) out[outLength++] = marks[k]!;
          marksLength = 0;
          normalizationSensitive = true;
        }
        codePoint = control;
      } else {
        if (problems !== null)
          report(problems, from, start, `byte ${hexByte(byte)} is not allowed in MARC-8`);
        codePoint = REPLACEMENT;
      }
    }

    if (combining) {
      // MARC-8 writes combining marks before their base character; Unicode after it.
      if (codePoint !== MAPS_TO_NOTHING) {
        if (marksLength === 0) marksOffset = start;
        marks[marksLength++] = codePoint;
      }
      continue;
    }
    if (codePoint === MAPS_TO_NOTHING) continue;
    if (codePoint > 0xffff) {
      out[outLength++] = 0xd800 + ((codePoint - 0x10000) >> 10);
      out[outLength++] = 0xdc00 + ((codePoint - 0x10000) & 0x3ff);
      normalizationSensitive = true;
    } else if (marksLength === 1 && composesPairs && codePoint < FIRST_NORMALIZATION_SENSITIVE) {
      const composed = composedPair(codePoint, marks[0]!);
      if (composed !== -1) {
        out[outLength++] = composed & 0xffff;
        if (composed > 0xffff) out[outLength++] = composed >>> 16;
        marksLength = 0;
        continue;
      }
      out[outLength++] = codePoint;
    } else {
      out[outLength++] = codePoint;
      if (codePoint >= FIRST_NORMALIZATION_SENSITIVE) normalizationSensitive = true;
    }
    if (marksLength > 0) {
      for (let k = 0; k < marksLength; k++) out[outLength++] = marks[k]!;
      marksLength = 0;
      normalizationSensitive = true;
    }
  }

  if (marksLength > 0) {
    if (problems !== null)
      report(problems, from, marksOffset, 'combining mark without a base character', 'warning');
    for (let k = 0; k < marksLength; k++) out[outLength++] = marks[k]!;
    normalizationSensitive = true;
  }

  if (!normalizationSensitive || normalization === 'none') return unitsToString(out, outLength);
  if (normalization === 'NFC') {
    const composed = composePairs(out, outLength);
    if (composed !== -1) return unitsToString(out, composed);
  }
  return unitsToString(out, outLength).normalize(normalization);
}

/**
 * NFC of a text held as UTF-16 units, for the usual shape of decoded MARC-8 (every unit from U+0300
 * up directly follows one below U+0300, like a letter with one diacritic): NFC works segment by
 * segment, and every character below U+0300 is NFC-stable and starts a segment (no character below
 * U+0300 is canonically ordered, decomposed or composed with what precedes it), so the NFC of the text
 * is the NFC of each two-unit pair, which `String.prototype.normalize` gives once per distinct pair.
 * Rewrites `units` in place and returns the new length, or -1 (nothing changed) for another shape: a
 * unit from U+0300 up first or after another, a surrogate, a pair whose NFC is longer than 2 units.
 */
function composePairs(units: Uint16Array, length: number): number {
  let pairCount = 0;
  for (let r = 0; r < length; r++) {
    const unit = units[r]!;
    if (unit < FIRST_NORMALIZATION_SENSITIVE) continue;
    if (r === 0 || units[r - 1]! >= FIRST_NORMALIZATION_SENSITIVE || (unit >= 0xd800 && unit <= 0xdfff)) {
      return -1;
    }
    const composed = composedPair(units[r - 1]!, unit);
    if (composed === -1) return -1;
    if (pairCount === pairResults.length) {
      const grown = new Uint32Array(pairResults.length * 2);
      grown.set(pairResults);
      pairResults = grown;
    }
    pairResults[pairCount++] = composed;
  }
  let w = 0;
  let pair = 0;
  for (let r = 0; r < length; r++) {
    if (r + 1 < length && units[r + 1]! >= FIRST_NORMALIZATION_SENSITIVE) {
      const composed = pairResults[pair++]!;
      units[w++] = composed & 0xffff;
      if (composed > 0xffff) units[w++] = composed >>> 16;
      r++;
    } else {
      units[w++] = units[r]!;
    }
  }
  return w;
}

/** NFC results of two-unit pairs (see {@link composedPair}), by `first * 0x10000 + second`. */
const pairCache = new Map<number, number>();
const PAIR_CACHE_LIMIT = 1 << 16;
let pairResults = new Uint32Array(16);

/**
 * The NFC of the units `first` `second` as a number: the first unit in the low 16 bits, the second
 * (if any) in the high 16 bits; -1 when it is longer than 2 units.
 */
function composedPair(first: number, second: number): number {
  const key = first * 0x10000 + second;
  const known = pairCache.get(key);
  if (known !== undefined) return known;
  const text = String.fromCharCode(first, second).normalize('NFC');
  let composed = -1;
  if (text.length === 1) composed = text.charCodeAt(0);
  else if (text.length === 2) composed = text.charCodeAt(0) + text.charCodeAt(1) * 0x10000;
  if (pairCache.size < PAIR_CACHE_LIMIT) pairCache.set(key, composed);
  return composed;
}

/**
 * Converts the MARC-8 bytes of one field or subfield to a Unicode string in NFC.
 *
 * Each call starts in the MARC-8 default state (G0 = Basic Latin/ASCII, G1 = Extended Latin/ANSEL), as
 * yaz-marcdump does for every subfield; escape sequences switch the working sets for the rest of the input.
 * Combining marks, which MARC-8 writes before their base character, are moved after it; undecodable bytes
 * become U+FFFD. Never throws. Use {@link decodeMarc8Detailed} to learn what could not be decoded.
 *
 * @see MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media, Character Sets
 *   parts 2–4 (https://www.loc.gov/marc/specifications/speccharmarc8.html)
 * @example
 * decodeMarc8(new Uint8Array([0x43, 0x61, 0x66, 0xe2, 0x65])); // 'Café'
 */
export function decodeMarc8(bytes: Uint8Array, options?: Marc8DecodeOptions): string {
  if (isPlainAscii(bytes)) return asciiToString(bytes);
  return decode(bytes, 0, bytes.length, options, null);
}

/**
 * {@link decodeMarc8} of the bytes [start, end) of `bytes` (NFC, preferred mappings), without a view on
 * them; for callers that already know the range holds a byte that is not plain ASCII (0x80 and up, or
 * ESC), where decodeMarc8's ASCII shortcut never applies. Problems, when `problems` is given, are
 * appended to it with offsets relative to `start`. @internal
 */
export function decodeMarc8Range(
  bytes: Uint8Array,
  start: number,
  end: number,
  problems: Marc8Problem[] | null = null,
): string {
  return decode(bytes, start, end, undefined, problems);
}

/**
 * Like {@link decodeMarc8}, and also lists every problem met: bytes not assigned in the active set,
 * bytes not allowed in MARC-8, malformed or unknown escape sequences, incomplete EACC characters, and
 * combining marks left without a base character.
 *
 * @see MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media, Character Sets part 2
 */
export function decodeMarc8Detailed(bytes: Uint8Array, options?: Marc8DecodeOptions): Marc8DecodeResult {
  const problems: Marc8Problem[] = [];
  const text = isPlainAscii(bytes) ? asciiToString(bytes) : decode(bytes, 0, bytes.length, options, problems);
  return { text, problems };
}
