/**
 * ISO 2709 ("MARC communications format") reading and writing, as profiled by MARC 21: a 24-byte
 * leader, a directory of 12-byte entries (3-byte tag, 4-digit field length, 5-digit starting
 * position), then the fields, each ending with the field terminator 0x1E; subfields start with the
 * delimiter 0x1F; the record ends with the record terminator 0x1D.
 *
 * @see https://www.loc.gov/marc/specifications/specrecstruc.html
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { decodeMarc8Range, type Marc8Problem } from '../marc8/decode-marc8.ts';
import { asBuffer, type ByteSource, byteChunks } from './byte-source.ts';
import {
  fieldPreview,
  MarcParseError,
  type MarcProblem,
  type MarcProblemCode,
  type MarcReadOptions,
  type MarcWriteOptions,
  ProblemSink,
  padTag,
  REPLACEMENT_SUBFIELD_CODE,
  type ReadResult,
} from './problems.ts';
import {
  isControlTag,
  LEADER_LENGTH,
  type MarcField,
  type MarcRecord,
  padLeader,
  type Subfield,
} from './record.ts';

/** ISO 2709 record terminator (MARC 21: 1D hex). */
export const RECORD_TERMINATOR = 0x1d;
/** ISO 2709 field terminator (MARC 21: 1E hex). */
export const FIELD_TERMINATOR = 0x1e;
/** ISO 2709 subfield delimiter (MARC 21: 1F hex). */
export const SUBFIELD_DELIMITER = 0x1f;
const ESCAPE = 0x1b;
const DIRECTORY_ENTRY_LENGTH = 12;

/**
 * How to decode field data.
 *
 * - `auto` (default): leader/09 = 'a' → UTF-8, except that data that is not valid UTF-8 but decodes
 *   as MARC-8 without a problem is decoded as MARC-8 and reported (`CHARACTER_CODING_MISMATCH`,
 *   warning). leader/09 = blank → MARC-8, except that data
 *   holding no MARC-8 escape (0x1B) that is valid UTF-8 with non-ASCII bytes is decoded as UTF-8 and
 *   reported (`CHARACTER_CODING_MISMATCH`, warning): many exports flag UTF-8 records as MARC-8, and a
 *   MARC-8 text (ANSEL diacritics before an ASCII letter) is practically never valid UTF-8. Any other
 *   leader/09 is reported (`CHARACTER_CODING_UNKNOWN`) and decoded the same way.
 * - `leader`: trust leader/09 (blank = MARC-8, 'a' = UTF-8; other values as in `auto`).
 * - `utf-8` / `marc-8`: force one scheme whatever the leader says.
 *
 * Invalid UTF-8 sequences become U+FFFD and are reported (`INVALID_UTF8`, error, per field at the
 * first bad byte); so are MARC-8 bytes that cannot be decoded (`INVALID_MARC8`: error when a byte
 * became U+FFFD or an escape sequence could not be followed, warning when nothing was lost).
 */
export type CharacterCoding = 'auto' | 'leader' | 'utf-8' | 'marc-8';

/** Options for the ISO 2709 readers. */
export interface Iso2709ReadOptions extends MarcReadOptions {
  /** How to decode field data; see {@link CharacterCoding}. Default `auto`. */
  characterCoding?: CharacterCoding;
}

/** Buffer methods Node has had for a long time but does not type; they skip `toString`'s dispatch. */
interface FastSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

type TextMode = 'utf8' | 'marc8';

/** A field found in the data area: tag and byte range [start, end) without the terminator. */
interface FieldSpan {
  tag: string;
  start: number;
  end: number;
}

const numericTags: string[] = [];
for (let i = 0; i < 1000; i++) numericTags.push(String(i).padStart(3, '0'));

/** Reads `n` ASCII digits at `p`; -1 when any byte is not a digit. */
function digits(buf: Buffer, p: number, n: number): number {
  let value = 0;
  for (let i = p; i < p + n; i++) {
    const d = (buf[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** 4 ASCII digits at `p` (inside `buf`); -1 when any byte is not a digit. */
function digits4(buf: Buffer, p: number): number {
  const a = buf[p]! - 0x30;
  const b = buf[p + 1]! - 0x30;
  const c = buf[p + 2]! - 0x30;
  const d = buf[p + 3]! - 0x30;
  if (a >>> 0 > 9 || b >>> 0 > 9 || c >>> 0 > 9 || d >>> 0 > 9) return -1;
  return a * 1000 + b * 100 + c * 10 + d;
}

/** 5 ASCII digits at `p` (inside `buf`); -1 when any byte is not a digit. */
function digits5(buf: Buffer, p: number): number {
  const a = buf[p]! - 0x30;
  const b = buf[p + 1]! - 0x30;
  const c = buf[p + 2]! - 0x30;
  const d = buf[p + 3]! - 0x30;
  const e = buf[p + 4]! - 0x30;
  if (a >>> 0 > 9 || b >>> 0 > 9 || c >>> 0 > 9 || d >>> 0 > 9 || e >>> 0 > 9) return -1;
  return a * 10000 + b * 1000 + c * 100 + d * 10 + e;
}

function tagAt(buf: Buffer, p: number): string {
  const a = buf[p]! - 0x30;
  const b = buf[p + 1]! - 0x30;
  const c = buf[p + 2]! - 0x30;
  if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9) return numericTags[a * 100 + b * 10 + c]!;
  return String.fromCharCode(buf[p]!, buf[p + 1]!, buf[p + 2]!);
}

function isAllDigits(tag: string): boolean {
  return /^[0-9]{3}$/.test(tag);
}

function isSkippableBeforeLeader(byte: number): boolean {
  // whitespace, NUL, DOS end-of-file (0x1A) and other C0 controls left between records by old tools
  return byte <= 0x20 && byte !== RECORD_TERMINATOR;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSkippableBeforeLeader(buf[i]!)) return false;
  return true;
}

/** A byte as messages show it: `0xE9`. */
function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * The position of the first byte of [start, end) where the bytes stop being well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF); -1 when they are all valid.
 */
function firstInvalidUtf8(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > end) return i;
    const second = buf[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

function quote(buf: Buffer, start: number, end: number): string {
  return JSON.stringify((buf as unknown as FastSlices).latin1Slice(start, Math.min(end, start + 40)));
}

/** Parses one record at a time; holds the options and the per-record problem list. @internal */
class RecordParser {
  private readonly sink: ProblemSink;
  private readonly coding: CharacterCoding;
  private buf: Buffer = Buffer.alloc(0);
  private slices: FastSlices = this.buf as unknown as FastSlices;
  /** Add to a buffer position to get the absolute byte offset in the input. */
  private shift = 0;
  private mode: TextMode = 'utf8';
  /**
   * The record (from its leader to the byte before its terminator) read byte-for-char (latin1): the
   * leader, and every value without bytes to decode, are cut from it; delimiters are searched in it.
   */
  private recordText = '';
  /** Buffer position of `recordText`'s first character. */
  private textBase = 0;
  /** The whole data area is ASCII without MARC-8 escapes: every value is a plain substring. */
  private isPlainAscii = false;
  /** Something was reported for the record being read. */
  private hasProblems = false;
  /**
   * Buffer positions, ascending, of the data area's bytes that need decoding: 80-FF hex, and in
   * MARC-8 mode the escape (1B hex). Found once per record; `specialCount` = 0 for plain ASCII.
   */
  private specials = new Int32Array(256);
  private specialCount = 0;
  /** Index in `specials` of the first one at or after the last range asked about. */
  private specialCursor = 0;
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** [start, end) of the subfields of the field being read (see `cut`), reused. */
  private cuts = new Int32Array(64);
  /** Data ranges [start, end) of the directory entries, reused from record to record. */
  private entryStarts = new Int32Array(64);
  private entryEnds = new Int32Array(64);
  private readonly keepSource: boolean;
  /** Data field indicators this record declares (leader/10), when it declares fewer than 2. */
  private indicatorCount = 2;
  /** The record's data is not valid UTF-8 and is read as UTF-8: each field is checked and reported. */
  private isUtf8Checked = false;
  /** The tag of the field being read, for the problems decoding finds. */
  private fieldTag = '';
  /** Buffer position of the first character of the field text decoded from UTF-8 in `subfields`. */
  private decodedFieldStart = 0;
  /** What MARC-8 decoding found in the value just decoded (emptied after each). */
  private readonly marc8Problems: Marc8Problem[] = [];

  constructor(options: Iso2709ReadOptions) {
    this.sink = new ProblemSink(options.strict === true);
    this.coding = options.characterCoding ?? 'auto';
    this.keepSource = options.keepSource === true;
  }

  private report(
    code: MarcProblemCode,
    severity: 'error' | 'warning',
    at: number,
    message: string,
    tag?: string,
  ): void {
    this.hasProblems = true;
    this.sink.add(code, severity, at + this.shift, message, tag);
  }

  /**
   * Parses the bytes [start, end) of `buf`; `end` is the record terminator's index, or the end of the
   * input when `isTerminated` is false. `offset` is the absolute input offset of `start`.
   */
  parse(
    buf: Buffer,
    start: number,
    end: number,
    isTerminated: boolean,
    recordIndex: number,
    offset: number,
  ): ReadResult {
    this.buf = buf;
    this.slices = buf as unknown as FastSlices;
    this.shift = offset - start;
    this.sink.recordIndex = recordIndex;
    const record = this.parseRecord(start, end, isTerminated);
    this.recordText = '';
    // most records have no problem: a new empty list, as the sink would give, without asking it
    const problems = this.hasProblems ? this.sink.take() : [];
    this.hasProblems = false;
    if (!this.keepSource) return { recordIndex, byteOffset: offset, record, problems };
    // a copy (a plain Uint8Array, as it would arrive from a worker): the input may be a large chunk
    const bytes = new Uint8Array(buf.subarray(start, isTerminated ? end + 1 : end));
    return { recordIndex, byteOffset: offset, record, problems, source: { format: 'iso2709', bytes } };
  }

  private parseRecord(start: number, end: number, isTerminated: boolean): MarcRecord | null {
    const buf = this.buf;
    let s = start;
    while (s < end && isSkippableBeforeLeader(buf[s]!)) s++;
    if (s === end) {
      this.report(
        'RECORD_EMPTY',
        'error',
        start,
        'empty record: a record terminator with no record before it',
      );
      return null;
    }
    if (s > start) {
      this.report(
        'JUNK_BEFORE_RECORD',
        'warning',
        start,
        `skipped ${s - start} control byte(s) before the leader`,
      );
    }
    if (end - s < LEADER_LENGTH) {
      this.report(
        isTerminated ? 'RECORD_TOO_SHORT' : 'RECORD_TRUNCATED',
        'error',
        s,
        `${end - s} byte(s) ${quote(buf, s, end)} ${
          isTerminated ? 'before the record terminator' : 'at the end of the input'
        } cannot hold a 24-byte leader; record lost`,
      );
      return null;
    }
    if (!isTerminated) {
      this.report(
        'RECORD_TRUNCATED',
        'error',
        s,
        `the input ends ${end - s} byte(s) into a record with no record terminator (1D hex); keeping what is complete`,
      );
    }
    this.recordText = this.slices.latin1Slice(s, end);
    this.textBase = s;
    const leader = this.recordText.substring(0, LEADER_LENGTH);
    if (!this.checkLeader(s, end, isTerminated)) return null;

    const directoryStart = s + LEADER_LENGTH;
    const directoryEnd = this.directoryEnd(s, directoryStart, end);
    if (directoryEnd === -1) return { leader, fields: [] };
    const dataStart = directoryEnd + 1;
    const directoryLength = directoryEnd - directoryStart;
    const isAligned = directoryLength % DIRECTORY_ENTRY_LENGTH === 0;
    if (!isAligned) {
      this.report(
        'DIRECTORY_LENGTH_INVALID',
        'warning',
        directoryStart,
        `directory length ${directoryLength} is not a multiple of 12`,
      );
    }
    this.mode = this.textMode(s, dataStart, end);
    if (this.isPlainAscii) this.specialCount = 0;
    else this.findSpecials(dataStart, end);
    if (isAligned) {
      const count = directoryLength / DIRECTORY_ENTRY_LENGTH;
      if (this.readDirectory(directoryStart, count, dataStart, end)) {
        const starts = this.entryStarts;
        const ends = this.entryEnds;
        const fields: MarcField[] = new Array(count);
        for (let i = 0, p = directoryStart; i < count; i++, p += DIRECTORY_ENTRY_LENGTH) {
          fields[i] = this.field(tagAt(buf, p), starts[i]!, ends[i]!);
        }
        return { leader, fields };
      }
    }
    const spans = this.directoryLenient(directoryStart, directoryEnd, dataStart, end, isAligned);
    const fields: MarcField[] = spans.map((span) => this.field(span.tag, span.start, span.end));
    return { leader, fields };
  }

  /**
   * Checks the leader's record length and structure (leader/10-11); false when the record has a
   * structure this reader cannot hold (reported).
   */
  private checkLeader(s: number, end: number, isTerminated: boolean): boolean {
    const buf = this.buf;
    const recordLength = digits5(buf, s);
    const actual = end - s + (isTerminated ? 1 : 0);
    if (recordLength === -1) {
      this.report(
        'RECORD_LENGTH_INVALID',
        'warning',
        s,
        `record length (leader/00-04) ${quote(buf, s, s + 5)} is not numeric; using the record terminator`,
      );
    } else if (recordLength !== actual && isTerminated) {
      this.report(
        'RECORD_LENGTH_INVALID',
        'warning',
        s,
        `record length (leader/00-04) says ${recordLength} bytes but the record terminator ends the record at ${actual}`,
      );
    }
    this.indicatorCount = 2;
    if (buf[s + 10] === 0x32 && buf[s + 11] === 0x32) return true;
    const indicators = digits(buf, s + 10, 1);
    const codeLength = digits(buf, s + 11, 1);
    const declared = quote(buf, s + 10, s + 12);
    if (indicators === -1 || codeLength === -1) {
      // Not numbers at all (often blanks): a damaged leader over MARC 21 data.
      this.report(
        'LEADER_INVALID',
        'warning',
        s + 10,
        `indicator count and subfield code length (leader/10-11) are ${declared}; read as MARC 21's "22"`,
      );
      return true;
    }
    if (codeLength === 2 && indicators < 2) {
      // Fewer indicators: each data field is read with the ones it has, the others blank.
      this.indicatorCount = indicators;
      this.report(
        'LEADER_INVALID',
        'warning',
        s + 10,
        `indicator count (leader/10) is ${indicators}: data fields read with ${indicators} indicator(s), ` +
          `the missing one(s) blank; MARC 21 uses 2 (leader/10-11 ${declared})`,
      );
      return true;
    }
    this.report(
      'RECORD_STRUCTURE_UNSUPPORTED',
      'error',
      s + 10,
      `indicator count ${indicators} and subfield code length ${codeLength} (leader/10-11 ${declared}): ` +
        `only MARC 21's 2 indicators and one-character subfield codes ("22") are supported; record not imported`,
    );
    return false;
  }

  /**
   * Where the directory ends: normally at the first field terminator after the leader. When that
   * disagrees with the base address (leader/12-16) and the base address closes a run of whole,
   * numeric directory entries, the directory's terminator was lost and the base address wins.
   * -1 when neither can be used (only the leader is kept).
   */
  private directoryEnd(s: number, directoryStart: number, end: number): number {
    const buf = this.buf;
    // the record text ends where the record does
    let found = this.recordText.indexOf('\x1e', directoryStart - s);
    if (found !== -1) found += s;
    const baseAddress = digits5(buf, s + 12);
    const fromLeader = s + baseAddress - 1;
    if (found !== -1 && fromLeader === found) return found;
    const isLeaderUsable =
      baseAddress > LEADER_LENGTH &&
      fromLeader < end &&
      (found === -1 || fromLeader < found) &&
      (fromLeader - directoryStart) % DIRECTORY_ENTRY_LENGTH === 0 &&
      this.isNumericDirectory(directoryStart, fromLeader) &&
      this.isFirstEntryAField(directoryStart, fromLeader + 1, end);
    if (isLeaderUsable) {
      this.report(
        'DIRECTORY_TERMINATOR_MISSING',
        'warning',
        fromLeader,
        `the directory has no field terminator (1E hex) at ${fromLeader - s}, where the base address ` +
          `(leader/12-16) ends it (found ${quote(buf, fromLeader, fromLeader + 1)}); using the base address`,
      );
      return fromLeader;
    }
    if (found === -1) {
      this.report(
        'DIRECTORY_TERMINATOR_MISSING',
        'error',
        directoryStart,
        'no field terminator (1E hex) ends the directory and the base address (leader/12-16) is unusable; only the leader is kept',
      );
      return -1;
    }
    this.report(
      'BASE_ADDRESS_INVALID',
      'warning',
      s + 12,
      `base address of data (leader/12-16) is ${quote(buf, s + 12, s + 17)} but the directory ends at ${
        found + 1 - s
      }; using ${found + 1 - s}`,
    );
    return found;
  }

  private isFirstEntryAField(directoryStart: number, dataStart: number, end: number): boolean {
    const length = digits(this.buf, directoryStart + 3, 4);
    const last = dataStart + digits(this.buf, directoryStart + 7, 5) + length - 1;
    return length > 0 && last < end && this.buf[last] === FIELD_TERMINATOR;
  }

  private isNumericDirectory(start: number, end: number): boolean {
    for (let p = start; p < end; p += DIRECTORY_ENTRY_LENGTH) {
      if (digits(this.buf, p + 3, 9) === -1) return false;
    }
    return true;
  }

  /**
   * Reads the `count` 12-byte directory entries at `directoryStart` into `entryStarts`/`entryEnds`
   * (each field's data without its terminator). False, as soon as one entry does not point at a whole
   * field (ending with a field terminator): the directory is then read by {@link directoryLenient}.
   */
  private readDirectory(directoryStart: number, count: number, dataStart: number, end: number): boolean {
    const buf = this.buf;
    if (this.entryStarts.length < count) {
      this.entryStarts = new Int32Array(Math.max(count, this.entryStarts.length * 2));
      this.entryEnds = new Int32Array(this.entryStarts.length);
    }
    const starts = this.entryStarts;
    const ends = this.entryEnds;
    for (let i = 0, p = directoryStart; i < count; i++, p += DIRECTORY_ENTRY_LENGTH) {
      const length = digits4(buf, p + 3);
      const position = digits5(buf, p + 7);
      const last = dataStart + position + length - 1;
      if (length < 1 || position < 0 || last >= end || buf[last] !== FIELD_TERMINATOR) return false;
      starts[i] = dataStart + position;
      ends[i] = last;
    }
    return true;
  }

  /**
   * The directory of a damaged record. Entries are trusted while they point at a whole field; from
   * the first one that does not, fields are taken in data order (the layout every writer uses),
   * each from the end of the previous one to the next field terminator. In a directory whose length
   * is not a multiple of 12, an entry may be 13 or 14 bytes wide (a field longer than 9,999 bytes or
   * a start past 99,999): such widths are tried before falling back.
   */
  private directoryLenient(
    directoryStart: number,
    directoryEnd: number,
    dataStart: number,
    end: number,
    isAligned: boolean,
  ): FieldSpan[] {
    const buf = this.buf;
    const spans: FieldSpan[] = [];
    let cursor = dataStart;
    let isSequential = false;
    let entry = 0;
    const pointsAtField = (length: number, position: number): boolean => {
      const last = dataStart + position + length - 1;
      return length >= 1 && position >= 0 && last < end && buf[last] === FIELD_TERMINATOR;
    };
    let p = directoryStart;
    while (p + DIRECTORY_ENTRY_LENGTH <= directoryEnd) {
      const tag = tagAt(buf, p);
      const length = digits(buf, p + 3, 4);
      const position = digits(buf, p + 7, 5);
      if (pointsAtField(length, position) && (!isSequential || dataStart + position === cursor)) {
        spans.push({ tag, start: dataStart + position, end: dataStart + position + length - 1 });
        cursor = dataStart + position + length;
        p += DIRECTORY_ENTRY_LENGTH;
        entry++;
        continue;
      }
      if (!isAligned) {
        let width = 0;
        for (const [lengthDigits, positionDigits] of [
          [5, 5],
          [4, 6],
          [5, 6],
        ] as const) {
          if (p + 3 + lengthDigits + positionDigits > directoryEnd) continue;
          const wideLength = digits(buf, p + 3, lengthDigits);
          const widePosition = digits(buf, p + 3 + lengthDigits, positionDigits);
          if (pointsAtField(wideLength, widePosition) && dataStart + widePosition === cursor) {
            this.report(
              'DIRECTORY_ENTRY_INVALID',
              'warning',
              p,
              `directory entry ${entry} for tag ${tag} is ${3 + lengthDigits + positionDigits} bytes wide ` +
                `(${quote(buf, p, p + 3 + lengthDigits + positionDigits)}): field longer than 9999 or starting past 99999`,
              tag,
            );
            spans.push({ tag, start: cursor, end: cursor + wideLength - 1 });
            cursor += wideLength;
            width = 3 + lengthDigits + positionDigits;
            break;
          }
        }
        if (width > 0) {
          p += width;
          entry++;
          continue;
        }
      }
      isSequential = true;
      if (cursor < end) {
        let last = buf.indexOf(FIELD_TERMINATOR, cursor);
        if (last === -1 || last >= end) last = end;
        this.report(
          'DIRECTORY_ENTRY_INVALID',
          'warning',
          p,
          `directory entry ${entry} for tag ${tag} (${quote(buf, p, p + 12)}) does not point at a field; ` +
            `took the next field in the data area (record byte ${cursor - dataStart} of the data)`,
          tag,
        );
        if (last === end) {
          this.report(
            'FIELD_TERMINATOR_MISSING',
            'warning',
            cursor,
            `field ${tag} has no field terminator (1E hex); it runs to the end of the record`,
            tag,
          );
        }
        spans.push({ tag, start: cursor, end: last });
        cursor = last + 1;
      } else {
        this.report(
          'FIELD_LOST',
          'error',
          p,
          `directory entry ${entry} for tag ${tag} (${quote(buf, p, p + 12)}) points past the end of the data; field lost`,
          tag,
        );
      }
      p += DIRECTORY_ENTRY_LENGTH;
      entry++;
    }
    return spans;
  }

  /** Decides how to decode this record's data; see {@link CharacterCoding}. */
  private textMode(s: number, dataStart: number, end: number): TextMode {
    const buf = this.buf;
    const data = buf.subarray(dataStart, end);
    const scheme = buf[s + 9]!;
    const isAsciiData = isAscii(data);
    const isUtf8Forced = this.coding === 'utf-8' || (this.coding !== 'marc-8' && scheme === 0x61);
    this.isUtf8Checked = false;
    if (isUtf8Forced) {
      this.isPlainAscii = isAsciiData;
      if (!isAsciiData && !isUtf8(data)) {
        if (this.coding === 'auto' && this.isCleanMarc8(dataStart, end)) {
          this.report(
            'CHARACTER_CODING_MISMATCH',
            'warning',
            s + 9,
            'character coding scheme (leader/09) is "a" = UCS/Unicode but the data is not valid UTF-8 ' +
              'and is valid MARC-8; decoded as MARC-8',
          );
          this.isPlainAscii = false;
          return 'marc8';
        }
        this.isUtf8Checked = true;
      }
      return 'utf8';
    }
    const hasEscape = this.recordText.indexOf('\x1b', dataStart - s) !== -1;
    this.isPlainAscii = isAsciiData && !hasEscape;
    if (this.isPlainAscii) return 'utf8';
    if (this.coding === 'marc-8' || (scheme === 0x20 && this.coding === 'leader')) return 'marc8';
    const isUtf8Data = !hasEscape && isUtf8(data);
    const how = isUtf8Data ? 'decoded as UTF-8 (the bytes are valid UTF-8)' : 'decoded as MARC-8';
    if (scheme !== 0x20) {
      this.report(
        'CHARACTER_CODING_UNKNOWN',
        'warning',
        s + 9,
        `character coding scheme (leader/09) is ${quote(buf, s + 9, s + 10)}, neither blank (MARC-8) nor "a" (UCS/Unicode); ${how}`,
      );
    } else if (isUtf8Data) {
      this.report(
        'CHARACTER_CODING_MISMATCH',
        'warning',
        s + 9,
        `character coding scheme (leader/09) is blank = MARC-8 but the data is valid UTF-8; ${how}`,
      );
    }
    return isUtf8Data ? 'utf8' : 'marc8';
  }

  /** True when the bytes [start, end) decode as MARC-8 without any problem. */
  private isCleanMarc8(start: number, end: number): boolean {
    const problems = this.marc8Problems;
    decodeMarc8Range(this.buf, start, end, problems);
    const isClean = problems.length === 0;
    problems.length = 0;
    return isClean;
  }

  /** Fills `specials` with the positions of the bytes of [start, end) that need decoding in this mode. */
  private findSpecials(start: number, end: number): void {
    const buf = this.buf;
    if (this.specials.length < end - start) {
      this.specials = new Int32Array(Math.max(end - start, this.specials.length * 2));
    }
    const specials = this.specials;
    const isMarc8 = this.mode === 'marc8';
    // Four bytes at a time where they are aligned in the buffer's memory; the rest byte by byte.
    const words = this.wordsOf(buf);
    const shift = buf.byteOffset;
    let n = 0;
    let i = start;
    const head = Math.min(end, start + ((4 - ((shift + start) & 3)) & 3));
    for (; i < head; i++) {
      const b = buf[i]!;
      if (b >= 0x80 || (b === ESCAPE && isMarc8)) specials[n++] = i;
    }
    for (; i + 4 <= end; i += 4) {
      const w = words[(shift + i) >> 2]!;
      // a byte with its high bit set, or (MARC-8) a byte equal to 1B hex: w ^ 1B1B1B1B has a zero byte
      const x = w ^ 0x1b1b1b1b;
      const escapes = isMarc8 ? (x - 0x01010101) & ~x : 0;
      if (((w | escapes) & 0x80808080) === 0) continue;
      for (let k = i; k < i + 4; k++) {
        const b = buf[k]!;
        if (b >= 0x80 || (b === ESCAPE && isMarc8)) specials[n++] = k;
      }
    }
    for (; i < end; i++) {
      const b = buf[i]!;
      if (b >= 0x80 || (b === ESCAPE && isMarc8)) specials[n++] = i;
    }
    this.specialCount = n;
    this.specialCursor = 0;
  }

  /** A 32-bit view on all of `buf`'s memory (from its ArrayBuffer's start), kept while records come from it. */
  private wordsOf(buf: Buffer): Int32Array {
    const memory = buf.buffer;
    if (this.words.buffer !== memory) this.words = new Int32Array(memory, 0, memory.byteLength >>> 2);
    return this.words;
  }

  /** True when the bytes [start, end) are not plain ASCII text (they need UTF-8 or MARC-8 decoding). */
  private needsDecoding(start: number, end: number): boolean {
    const n = this.specialCount;
    if (n === 0) return false;
    const specials = this.specials;
    // The first special at or after `start`: ranges come in data order, so walk on from the last
    // answer; search from the beginning for a range before it.
    let lo = this.specialCursor;
    if (lo > 0 && specials[lo - 1]! >= start) {
      lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (specials[mid]! < start) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < n && specials[lo]! < start) lo++;
    }
    this.specialCursor = lo;
    return lo < n && specials[lo]! < end;
  }

  private text(start: number, end: number): string {
    if (!this.needsDecoding(start, end)) {
      return this.recordText.substring(start - this.textBase, end - this.textBase);
    }
    if (this.mode === 'utf8') {
      if (this.isUtf8Checked) this.checkUtf8(start, end);
      return this.slices.utf8Slice(start, end);
    }
    const problems = this.marc8Problems;
    const text = decodeMarc8Range(this.buf, start, end, problems);
    if (problems.length > 0) this.reportMarc8(start);
    return text;
  }

  /** Reports what MARC-8 decoding of the value at `start` found. */
  private reportMarc8(start: number): void {
    const tag = this.fieldTag;
    for (const problem of this.marc8Problems) {
      const what =
        problem.message.startsWith('byte') || problem.message.includes('EACC')
          ? '; replaced by U+FFFD'
          : problem.severity === 'error'
            ? '; the text after it may be in the wrong character set'
            : '';
      this.report(
        'INVALID_MARC8',
        problem.severity,
        start + problem.offset,
        `field ${tag} (MARC-8): ${problem.message}${what}`,
        tag,
      );
    }
    this.marc8Problems.length = 0;
  }

  /** Reports the first byte of [start, end) that is not valid UTF-8, if any (it becomes U+FFFD). */
  private checkUtf8(start: number, end: number): void {
    const at = firstInvalidUtf8(this.buf, start, end);
    if (at === -1) return;
    this.report(
      'INVALID_UTF8',
      'error',
      at,
      `field ${this.fieldTag}: byte(s) ${quote(this.buf, at, Math.min(at + 4, end))} are not valid UTF-8; ` +
        'each bad sequence was replaced by U+FFFD',
      this.fieldTag,
    );
  }

  /** Reports an indicator byte (at `at`) that is not printable ASCII; it is kept as is. */
  private checkIndicator(tag: string, at: number, which: 1 | 2): void {
    const byte = this.buf[at]!;
    if (byte >= 0x20 && byte <= 0x7e) return;
    this.report(
      'INDICATOR_INVALID',
      'warning',
      at,
      `data field ${tag}: indicator ${which} is byte ${hex(byte)}, not printable ASCII; kept as is (${JSON.stringify(String.fromCharCode(byte))})`,
      tag,
    );
  }

  /** The field with data [start, end) (`end` = its field terminator, or the end of the data). */
  private field(tag: string, start: number, end: number): MarcField {
    const buf = this.buf;
    this.fieldTag = tag;
    if (isControlTag(tag)) return { tag, value: this.text(start, end) };
    const declared = this.indicatorCount;
    if (declared < 2 && start + declared < end && buf[start + declared] === SUBFIELD_DELIMITER) {
      // The record declares fewer indicators (leader/10, reported once) and this field has as many.
      const ind1 = declared === 1 ? String.fromCharCode(buf[start]!) : ' ';
      if (declared === 1) this.checkIndicator(tag, start, 1);
      return { tag, ind1, ind2: ' ', subfields: this.subfields(tag, start + declared, end) };
    }
    let delimiter = start + 2;
    if (delimiter >= end || buf[delimiter] !== SUBFIELD_DELIMITER) {
      delimiter = this.recordText.indexOf('\x1f', start - this.textBase);
      if (delimiter !== -1) {
        delimiter += this.textBase;
        if (delimiter >= end) delimiter = -1;
      }
    }
    if (delimiter === -1) {
      // Local tags (Aleph's FMT, LDR…) carry no subfields: read them as control fields.
      if (!isAllDigits(tag)) return { tag, value: this.text(start, end) };
      const ind1 = start < end ? String.fromCharCode(buf[start]!) : ' ';
      const ind2 = start + 1 < end ? String.fromCharCode(buf[start + 1]!) : ' ';
      const subfields: Subfield[] = [];
      if (start + 2 < end) {
        subfields.push({ code: 'a', value: this.text(start + 2, end) });
        this.report(
          'SUBFIELD_DELIMITER_MISSING',
          'warning',
          start,
          `data field ${tag} has no subfield delimiter (1F hex); its text ${quote(buf, start + 2, end)} is kept as $a`,
          tag,
        );
      } else {
        this.report(
          'SUBFIELD_DELIMITER_MISSING',
          'warning',
          start,
          `data field ${tag} has no subfields`,
          tag,
        );
      }
      return { tag, ind1, ind2, subfields };
    }
    let ind1 = ' ';
    let ind2 = ' ';
    if (delimiter - start >= 2) {
      ind1 = String.fromCharCode(buf[start]!);
      ind2 = String.fromCharCode(buf[start + 1]!);
      if (ind1 < ' ' || ind1 > '~') this.checkIndicator(tag, start, 1);
      if (ind2 < ' ' || ind2 > '~') this.checkIndicator(tag, start + 1, 2);
      if (delimiter - start > 2) {
        const junk = buf.subarray(start + 2, delimiter);
        const isFiller = junk.every((b) => b === 0x20 || b === 0x5c || b === 0x7c || b === 0x23);
        this.report(
          'DATA_BEFORE_FIRST_SUBFIELD',
          isFiller ? 'warning' : 'error',
          start + 2,
          `data field ${tag}: ${quote(buf, start + 2, delimiter)} between the indicators and the first subfield was dropped`,
          tag,
        );
      }
    } else {
      if (delimiter - start === 1) ind1 = String.fromCharCode(buf[start]!);
      this.report(
        'INDICATORS_MISSING',
        'warning',
        start,
        `data field ${tag} has ${delimiter - start} indicator byte(s) before its first subfield; blank assumed`,
        tag,
      );
    }
    return { tag, ind1, ind2, subfields: this.subfields(tag, delimiter, end) };
  }

  /** Subfields from the first delimiter at `delimiter` to `end`. */
  private subfields(tag: string, delimiter: number, end: number): Subfield[] {
    const base = this.textBase;
    if (!this.needsDecoding(delimiter, end)) {
      // Plain text: cut each value straight from the record text.
      const text = this.recordText;
      return this.build(text, this.cut(text, delimiter + 1 - base, end - base, tag, delimiter), false);
    }
    if (this.mode === 'utf8') {
      // One string for the whole field, cut at the delimiters (1F hex is ASCII in UTF-8).
      if (this.isUtf8Checked) this.checkUtf8(delimiter + 1, end);
      const text = this.slices.utf8Slice(delimiter + 1, end);
      this.decodedFieldStart = delimiter + 1;
      return this.build(text, this.cut(text, 0, text.length, tag, delimiter), false);
    }
    // MARC-8: decode subfield by subfield, so a bad escape in one cannot garble the next.
    const text = this.recordText;
    let count = 0;
    let from = delimiter + 1;
    while (from <= end) {
      let to = text.indexOf('\x1f', from - base);
      to = to === -1 || to + base >= end ? end : to + base;
      if (to === from) this.reportEmptySubfield(tag, from);
      else {
        if (2 * count + 2 > this.cuts.length) this.growCuts();
        this.cuts[2 * count] = from - base;
        this.cuts[2 * count + 1] = to - base;
        count++;
      }
      from = to + 1;
    }
    return this.build(text, count, true);
  }

  /**
   * Finds the subfields of `text` from `from` (just after a delimiter) to `limit`, cut at the
   * delimiters, and leaves their [code, end) ranges in `cuts`; empty subfields are reported at
   * `delimiter`. Returns how many there are.
   */
  private cut(text: string, from: number, limit: number, tag: string, delimiter: number): number {
    let count = 0;
    while (from <= limit) {
      let to = text.indexOf('\x1f', from);
      if (to === -1 || to > limit) to = limit;
      if (to === from) this.reportEmptySubfield(tag, delimiter);
      else {
        if (2 * count + 2 > this.cuts.length) this.growCuts();
        this.cuts[2 * count] = from;
        this.cuts[2 * count + 1] = to;
        count++;
      }
      from = to + 1;
    }
    return count;
  }

  private growCuts(): void {
    const grown = new Int32Array(this.cuts.length * 2);
    grown.set(this.cuts);
    this.cuts = grown;
  }

  /**
   * The `count` subfields whose ranges {@link cut} left in `cuts` (positions in `text`), in an array
   * of exactly that length. Values are cut from `text`, or when `isMarc8` (`text` is the record text)
   * decoded from the record's bytes where they need it.
   */
  private build(text: string, count: number, isMarc8: boolean): Subfield[] {
    const cuts = this.cuts;
    switch (count) {
      case 0:
        return [];
      case 1:
        return [this.subfield(text, cuts[0]!, cuts[1]!, isMarc8)];
      case 2:
        return [
          this.subfield(text, cuts[0]!, cuts[1]!, isMarc8),
          this.subfield(text, cuts[2]!, cuts[3]!, isMarc8),
        ];
      case 3:
        return [
          this.subfield(text, cuts[0]!, cuts[1]!, isMarc8),
          this.subfield(text, cuts[2]!, cuts[3]!, isMarc8),
          this.subfield(text, cuts[4]!, cuts[5]!, isMarc8),
        ];
      default: {
        const out: Subfield[] = [];
        for (let i = 0; i < count; i++)
          out.push(this.subfield(text, cuts[2 * i]!, cuts[2 * i + 1]!, isMarc8));
        return out;
      }
    }
  }

  private subfield(text: string, from: number, to: number, isMarc8: boolean): Subfield {
    const code = text.charAt(from);
    if (code < ' ' || code > '~') this.reportCode(text, from, code);
    return {
      code,
      value: isMarc8 ? this.text(this.textBase + from + 1, this.textBase + to) : text.substring(from + 1, to),
    };
  }

  /** Reports a subfield code that is not printable ASCII (at `from` in `text`); it is kept as is. */
  private reportCode(text: string, from: number, code: string): void {
    const at =
      text === this.recordText
        ? this.textBase + from
        : this.decodedFieldStart + Buffer.byteLength(text.slice(0, from), 'utf8');
    this.report(
      'SUBFIELD_CODE_INVALID',
      'warning',
      at,
      `data field ${this.fieldTag}: subfield code ${JSON.stringify(code)} (byte ${hex(this.buf[at]!)}) is not printable ASCII; kept as is`,
      this.fieldTag,
    );
  }

  private reportEmptySubfield(tag: string, at: number): void {
    this.report(
      'SUBFIELD_CODE_INVALID',
      'warning',
      at,
      `data field ${tag} has a subfield delimiter with no subfield code; ignored`,
      tag,
    );
  }
}

/**
 * Reads every record of an ISO 2709 buffer (one record or a whole file) synchronously: one
 * {@link ReadResult} per record, in order. Records are delimited by the record terminator (1D hex),
 * not by the record length in leader/00-04, so a wrong length costs nothing; trailing whitespace after
 * the last record is ignored. Lenient by default (see {@link MarcReadOptions.strict}).
 *
 * @example
 * for (const { record, problems } of parseIso2709(bytes)) if (record) index(record);
 */
export function parseIso2709(input: Uint8Array, options: Iso2709ReadOptions = {}): ReadResult[] {
  return [...iterateIso2709(input, options)];
}

/** Like {@link parseIso2709}, one result at a time (no array of every record). */
export function* iterateIso2709(input: Uint8Array, options: Iso2709ReadOptions = {}): Generator<ReadResult> {
  const buf = asBuffer(input);
  const parser = new RecordParser(options);
  let position = 0;
  let recordIndex = 0;
  while (position < buf.length) {
    const end = buf.indexOf(RECORD_TERMINATOR, position);
    if (end === -1) {
      if (!isBlank(buf, position, buf.length)) {
        yield parser.parse(buf, position, buf.length, false, recordIndex, position);
      }
      return;
    }
    yield parser.parse(buf, position, end, true, recordIndex++, position);
    position = end + 1;
  }
}

/**
 * Parses exactly one ISO 2709 record and returns it, throwing a {@link MarcParseError} when the
 * bytes hold no record. Problems are thrown in strict mode, else passed to `onProblem`.
 */
export function parseIso2709Record(
  input: Uint8Array,
  options: Iso2709ReadOptions & { onProblem?: (problem: MarcProblem) => void } = {},
): MarcRecord {
  const [first] = iterateIso2709(input, options);
  for (const problem of first?.problems ?? []) options.onProblem?.(problem);
  if (!first?.record) {
    throw new MarcParseError(
      first?.problems.find((p) => p.severity === 'error') ?? {
        recordIndex: 0,
        byteOffset: 0,
        severity: 'error',
        code: 'RECORD_EMPTY',
        message: 'no ISO 2709 record in the input',
      },
    );
  }
  return first.record;
}

/**
 * Streams the records of an ISO 2709 source (a file stream, an HTTP body…): yields one
 * {@link ReadResult} per record as soon as its record terminator arrives. Only the bytes of the
 * record in progress are kept between chunks, so a file of any size reads in constant memory.
 * `byteOffset`s are absolute offsets in the stream. Lenient by default; never stops on a bad record.
 *
 * @example
 * for await (const { record, problems } of readIso2709(fs.createReadStream(path))) { … }
 */
export function readIso2709(
  source: ByteSource,
  options: Iso2709ReadOptions = {},
): AsyncGenerator<ReadResult> {
  return new Iso2709Stream(source, new RecordParser(options));
}

const EMPTY = Buffer.alloc(0);

/**
 * {@link readIso2709}'s generator, written out: a record whose terminator is already in memory is
 * parsed and handed out at once (one settled promise), without the async generator machinery that
 * would cost several promise reactions per record; only reading the next chunk awaits. Behaves as
 * the `async function*` it replaces: calls queue while one is reading, `return`/`throw` close the
 * source once it has been opened, and after an error (or the end) every `next` is done.
 * @internal
 */
class Iso2709Stream implements AsyncGenerator<ReadResult, undefined> {
  private chunks: AsyncGenerator<Buffer> | null = null;
  private state: 'start' | 'running' | 'done' = 'start';
  /** The call being served asynchronously; later calls wait for it. */
  private busy: Promise<unknown> | null = null;
  /** The buffer records are cut from, its absolute input offset and where the next record starts. */
  private buf: Buffer = EMPTY;
  private bufOffset = 0;
  private position = 0;
  /** Bytes of a record that began in earlier chunks (views on them, joined once its terminator comes). */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private recordIndex = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly parser: RecordParser,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'AsyncGenerator';
  }

  next(): Promise<IteratorResult<ReadResult, undefined>> {
    if (this.busy !== null) return this.after(() => this.next());
    if (this.state === 'running') {
      const end = this.buf.indexOf(RECORD_TERMINATOR, this.position);
      if (end !== -1) {
        let result: ReadResult;
        try {
          result = this.take(end);
        } catch (error) {
          return this.serve(this.fail(error));
        }
        return Promise.resolve({ value: result, done: false });
      }
    } else if (this.state === 'done') {
      return Promise.resolve({ value: undefined, done: true });
    }
    return this.serve(this.read());
  }

  return(value?: undefined | PromiseLike<undefined>): Promise<IteratorResult<ReadResult, undefined>> {
    if (this.busy !== null) return this.after(() => this.return(value));
    return this.serve(this.close().then(async () => ({ value: await value, done: true as const })));
  }

  throw(error: unknown): Promise<IteratorResult<ReadResult, undefined>> {
    if (this.busy !== null) return this.after(() => this.throw(error));
    return this.serve(this.fail(error));
  }

  /** Runs `call` once the call being served has settled. */
  private after<T>(call: () => Promise<T>): Promise<T> {
    return this.busy!.then(call, call);
  }

  private serve<T>(promise: Promise<T>): Promise<T> {
    this.busy = promise;
    const settled = (): void => {
      if (this.busy === promise) this.busy = null;
    };
    promise.then(settled, settled);
    return promise;
  }

  /** The record from `position` to the terminator at `end` of `buf`. */
  private take(end: number): ReadResult {
    const start = this.position;
    this.position = end + 1;
    return this.parser.parse(this.buf, start, end, true, this.recordIndex++, this.bufOffset + start);
  }

  /** Ends the stream, closing the source if it was opened (as leaving a `for await` does). */
  private async close(): Promise<void> {
    const chunks = this.state === 'running' ? this.chunks : null;
    this.state = 'done';
    this.release();
    await chunks?.return(undefined);
  }

  /** Ends the stream with `error`, which wins over one from closing the source (as in a `for await`). */
  private async fail(error: unknown): Promise<never> {
    try {
      await this.close();
    } catch {
      // the first error is the one to report
    }
    throw error;
  }

  private release(): void {
    this.chunks = null;
    this.buf = EMPTY;
    this.pending = [];
    this.pendingLength = 0;
  }

  /** Reads chunks until a record is complete (or the input ends); `buf` holds no terminator after `position`. */
  private async read(): Promise<IteratorResult<ReadResult, undefined>> {
    if (this.state === 'start') {
      this.state = 'running';
      this.chunks = byteChunks(this.source);
    }
    const chunks = this.chunks!;
    if (this.position < this.buf.length) {
      this.pending.push(this.buf.subarray(this.position));
      this.pendingLength += this.buf.length - this.position;
    }
    const pendingOffset = this.bufOffset + this.position;
    this.buf = EMPTY;
    this.position = 0;
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        // the source failed: it is finished, there is nothing to close
        this.state = 'done';
        this.release();
        throw error;
      }
      if (next.done === true) return this.finish(pendingOffset);
      const chunk = next.value;
      const first = chunk.indexOf(RECORD_TERMINATOR);
      if (first === -1) {
        this.pending.push(chunk);
        this.pendingLength += chunk.length;
        continue;
      }
      // the chunk becomes the buffer, after the record that ends at `first`
      this.buf = chunk;
      this.bufOffset = pendingOffset + this.pendingLength;
      if (this.pendingLength === 0) {
        this.position = 0;
        return this.record(() => this.take(first));
      }
      // Join the record's earlier bytes with this chunk's up to (and with) the terminator only.
      this.pending.push(chunk.subarray(0, first + 1));
      const joined = Buffer.concat(this.pending, this.pendingLength + first + 1);
      this.pending = [];
      this.pendingLength = 0;
      this.position = first + 1;
      const index = this.recordIndex++;
      return this.record(() => this.parser.parse(joined, 0, joined.length - 1, true, index, pendingOffset));
    }
  }

  private async record(parse: () => ReadResult): Promise<IteratorResult<ReadResult, undefined>> {
    let result: ReadResult;
    try {
      result = parse();
    } catch (error) {
      return this.fail(error);
    }
    return { value: result, done: false };
  }

  /** The input has ended: the bytes after the last terminator, unless blank, are one last record. */
  private finish(pendingOffset: number): IteratorResult<ReadResult, undefined> {
    this.state = 'done';
    const pending = this.pending;
    const length = this.pendingLength;
    this.release();
    if (length === 0) return { value: undefined, done: true };
    const buf = Buffer.concat(pending, length);
    if (isBlank(buf, 0, buf.length)) return { value: undefined, done: true };
    return {
      value: this.parser.parse(buf, 0, buf.length, false, this.recordIndex, pendingOffset),
      done: false,
    };
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ISO 2709 delimiters are control characters
const MARC_DELIMITERS = /[\x1d-\x1f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ISO 2709 delimiters are control characters
const MARC_DELIMITERS_ALL = /[\x1d-\x1f]/g;

/** ISO 2709's largest field: the directory gives a field's length in 4 digits. */
export const ISO2709_MAX_FIELD_BYTES = 9999;
/** ISO 2709's largest record: the leader gives the record's length in 5 digits. */
export const ISO2709_MAX_RECORD_BYTES = 99999;
const DIRECTORY_END_AND_RECORD_TERMINATOR = 2;
const ISO2709_TAG = /^[0-9A-Za-z]{3}$/;

/** `n` with thousands separators, as messages show byte counts. */
function bytes(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A field body (ending with the field terminator) cut to {@link ISO2709_MAX_FIELD_BYTES}: at a UTF-8
 * character boundary, without a subfield delimiter left dangling at the end.
 */
function cutField(body: Buffer): Buffer {
  let end = ISO2709_MAX_FIELD_BYTES - 1;
  while (end > 0 && (body[end]! & 0xc0) === 0x80) end--;
  while (end > 0 && body[end - 1] === SUBFIELD_DELIMITER) end--;
  return Buffer.concat([body.subarray(0, end), Buffer.of(FIELD_TERMINATOR)]);
}

/**
 * The size a record takes in ISO 2709 (UTF-8), and its largest field: what {@link writeIso2709} would
 * write before any repair. For refusing, at the edge, records ISO 2709 cannot hold whole.
 */
export function iso2709Size(record: MarcRecord): {
  recordBytes: number;
  largestField: { tag: string; bytes: number } | null;
} {
  let recordBytes = LEADER_LENGTH + DIRECTORY_END_AND_RECORD_TERMINATOR;
  let largestField: { tag: string; bytes: number } | null = null;
  for (const field of record.fields) {
    let size = 1;
    if ('subfields' in field) {
      size += Buffer.byteLength(field.ind1) + Buffer.byteLength(field.ind2);
      for (const { code, value } of field.subfields)
        size += 1 + Buffer.byteLength(code) + Buffer.byteLength(value);
    } else size += Buffer.byteLength(field.value);
    recordBytes += DIRECTORY_ENTRY_LENGTH + size;
    if (largestField === null || size > largestField.bytes) largestField = { tag: field.tag, bytes: size };
  }
  return { recordBytes, largestField };
}

/**
 * Encodes a record as one ISO 2709 record in UTF-8 (MARC 21 Unicode): leader/00-04 (record length),
 * leader/12-16 (base address of data) and the directory are recomputed; leader/09 (character coding
 * scheme) is set to 'a', leader/10-11 to "22" and leader/20-23 (entry map) to "4500"; the
 * directory lists the fields in record order.
 *
 * Never throws: what ISO 2709 cannot carry is repaired this way, each repair reported to `onProblem`
 * with the field's tag as the record has it:
 * - a tag of 1 or 2 ASCII digits is padded with zeros (`42` → `042`); a field whose tag is not 3 ASCII
 *   letters or digits then is left out (error);
 * - an indicator that is not one ASCII character is written blank; a subfield code that is not one
 *   ASCII character is written as {@link REPLACEMENT_SUBFIELD_CODE}, its data kept; delimiter
 *   characters (1D, 1E, 1F hex) are removed from the data; leader characters that are not ASCII are
 *   written blank (warnings);
 * - a field over 9,999 bytes is cut to 9,999 at a character boundary (error);
 * - fields that would take the record past 99,999 bytes are left out (error, one problem for the record
 *   naming them): the fields are taken in record order, so items (952) appended last go first.
 */
export function writeIso2709(record: MarcRecord, options: MarcWriteOptions = {}): Uint8Array {
  const report = (
    code: MarcProblemCode,
    tag: string | undefined,
    message: string,
    severity: 'error' | 'warning' = 'warning',
  ) =>
    options.onProblem?.({
      recordIndex: 0,
      byteOffset: 0,
      severity,
      code,
      message,
      ...(tag === undefined ? {} : { tag }),
    });
  const clean = (tag: string, value: string): string => {
    if (!MARC_DELIMITERS.test(value)) return value;
    report(
      'CHARACTER_ILLEGAL',
      tag,
      `field ${tag}: MARC delimiter characters (1D-1F hex) removed from the data`,
    );
    return value.replace(MARC_DELIMITERS_ALL, '');
  };
  const indicator = (tag: string, value: string): string => {
    if (value.length === 1 && value >= ' ' && value <= '~') return value;
    report('INDICATOR_INVALID', tag, `field ${tag}: indicator ${JSON.stringify(value)} written as blank`);
    return ' ';
  };
  const bodies: Buffer[] = [];
  let directory = '';
  let position = 0;
  let recordLength = LEADER_LENGTH + DIRECTORY_END_AND_RECORD_TERMINATOR;
  let wholeLength = recordLength;
  const leftOut = new Map<string, number>();
  let firstLeftOut: string | undefined;
  for (const field of record.fields) {
    const tag = padTag(field.tag);
    if (!ISO2709_TAG.test(tag)) {
      report(
        'TAG_INVALID',
        field.tag,
        `field ${JSON.stringify(field.tag)} left out: an ISO 2709 tag is 3 ASCII letters or digits; its data: ${JSON.stringify(fieldPreview(field))}`,
        'error',
      );
      continue;
    }
    if (tag !== field.tag)
      report('TAG_INVALID', field.tag, `tag ${JSON.stringify(field.tag)} written as ${JSON.stringify(tag)}`);
    let text: string;
    if ('subfields' in field) {
      text = indicator(field.tag, field.ind1) + indicator(field.tag, field.ind2);
      for (const { code, value } of field.subfields) {
        let written = code;
        if (code.length !== 1 || code < ' ' || code > '~') {
          written = REPLACEMENT_SUBFIELD_CODE;
          report(
            'SUBFIELD_CODE_INVALID',
            field.tag,
            `field ${tag}: subfield code ${JSON.stringify(code)} is not one ASCII character; written as ${JSON.stringify(written)} with its data`,
          );
        }
        text += `\x1f${written}${clean(field.tag, value)}`;
      }
    } else {
      text = clean(field.tag, field.value);
    }
    let body: Buffer = Buffer.from(`${text}\x1e`, 'utf8');
    if (body.length > ISO2709_MAX_FIELD_BYTES) {
      const length = body.length;
      body = cutField(body);
      report(
        'FIELD_TOO_LONG',
        field.tag,
        `field ${tag} is ${bytes(length)} bytes, more than the ${bytes(ISO2709_MAX_FIELD_BYTES)} ISO 2709 allows; cut to ${bytes(body.length)} bytes`,
        'error',
      );
    }
    wholeLength += DIRECTORY_ENTRY_LENGTH + body.length;
    if (recordLength + DIRECTORY_ENTRY_LENGTH + body.length > ISO2709_MAX_RECORD_BYTES) {
      firstLeftOut ??= field.tag;
      leftOut.set(tag, (leftOut.get(tag) ?? 0) + 1);
      continue;
    }
    recordLength += DIRECTORY_ENTRY_LENGTH + body.length;
    directory += tag + String(body.length).padStart(4, '0') + String(position).padStart(5, '0');
    bodies.push(body);
    position += body.length;
  }
  if (firstLeftOut !== undefined) {
    const count = [...leftOut.values()].reduce((a, b) => a + b, 0);
    const which = [...leftOut].map(([tag, n]) => `${tag} ×${n}`).join(', ');
    report(
      'RECORD_TOO_LONG',
      firstLeftOut,
      `record is ${bytes(wholeLength)} bytes, more than the ${bytes(ISO2709_MAX_RECORD_BYTES)} ISO 2709 allows; ${count} field(s) left out: ${which}`,
      'error',
    );
  }
  directory += '\x1e';
  const baseAddress = LEADER_LENGTH + directory.length;
  let source = padLeader(record.leader);
  if (source !== record.leader)
    report('LEADER_INVALID', undefined, `leader is ${record.leader.length} characters; padded or cut to 24`);
  if (!/^[\x20-\x7e]*$/.test(source)) {
    report(
      'LEADER_INVALID',
      undefined,
      `leader ${JSON.stringify(source)}: characters that are not ASCII written as blank`,
    );
    source = source.replace(/[^\x20-\x7e]/g, ' ');
  }
  const leader =
    String(recordLength).padStart(5, '0') +
    source.slice(5, 9) +
    'a22' +
    String(baseAddress).padStart(5, '0') +
    source.slice(17, 20) +
    '4500';
  const out = Buffer.allocUnsafe(recordLength);
  out.write(leader, 0, 'latin1');
  out.write(directory, LEADER_LENGTH, 'latin1');
  let at = baseAddress;
  for (const body of bodies) {
    body.copy(out, at);
    at += body.length;
  }
  out[at] = RECORD_TERMINATOR;
  return out;
}
