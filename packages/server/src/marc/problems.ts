import { AppError } from '../kernel/app-error.ts';
import type { MarcField, MarcRecord } from './record.ts';

/**
 * Stable codes for what a reader or writer found wrong in a record. The message says the details;
 * the code is for programs (import reports, counts per kind of problem).
 */
export type MarcProblemCode =
  // ISO 2709 structure (MARC 21 Specifications for Record Structure)
  | 'RECORD_EMPTY'
  | 'RECORD_TOO_SHORT'
  | 'RECORD_TRUNCATED'
  | 'JUNK_BEFORE_RECORD'
  | 'RECORD_LENGTH_INVALID'
  | 'LEADER_INVALID'
  | 'BASE_ADDRESS_INVALID'
  | 'DIRECTORY_TERMINATOR_MISSING'
  | 'DIRECTORY_LENGTH_INVALID'
  | 'DIRECTORY_ENTRY_INVALID'
  | 'FIELD_LOST'
  | 'FIELD_TERMINATOR_MISSING'
  | 'INDICATORS_MISSING'
  | 'SUBFIELD_DELIMITER_MISSING'
  | 'DATA_BEFORE_FIRST_SUBFIELD'
  // character coding (leader/09)
  | 'CHARACTER_CODING_MISMATCH'
  | 'CHARACTER_CODING_UNKNOWN'
  | 'INVALID_UTF8'
  | 'INVALID_MARC8'
  // record structures other than MARC 21's (leader/10-11 other than "22")
  | 'RECORD_STRUCTURE_UNSUPPORTED'
  // MARCXML and MARC-in-JSON
  | 'XML_MALFORMED'
  | 'XML_UNEXPECTED_ELEMENT'
  | 'ATTRIBUTE_MISSING'
  | 'LEADER_MISSING'
  | 'JSON_MALFORMED'
  | 'JSON_NOT_A_RECORD'
  // writers: values a format cannot carry
  | 'TAG_INVALID'
  | 'INDICATOR_INVALID'
  | 'SUBFIELD_CODE_INVALID'
  | 'FIELD_EMPTY'
  | 'CHARACTER_ILLEGAL'
  | 'FIELD_TOO_LONG'
  | 'RECORD_TOO_LONG';

/**
 * How bad a problem is. `error`: data was lost (a field, a subfield, a whole record). `warning`: the
 * record was recovered without losing data, but only by guessing past what its structure says.
 */
export type MarcProblemSeverity = 'error' | 'warning';

/** One problem found while reading (or writing) one record. */
export interface MarcProblem {
  /** 0-based position of the record in its file or stream (records that failed count too). */
  recordIndex: number;
  /** Byte offset in the input where the problem is (for MARCXML: of the parser position). */
  byteOffset: number;
  severity: MarcProblemSeverity;
  code: MarcProblemCode;
  /** What is wrong, for people: names the field tag and the values involved. */
  message: string;
  /** The tag of the field the problem is in, as the record has it (readers and writers set it). */
  tag?: string;
}

/** The bytes a record was read from, as they were in the input (see {@link MarcReadOptions.keepSource}). */
export interface RecordSource {
  format: 'iso2709' | 'marcxml' | 'marc-json';
  /**
   * ISO 2709: the record slot, from the byte after the previous record terminator to its own
   * terminator. MARCXML: the `<record>` element's text (UTF-8). MARC-in-JSON: the record object's text.
   */
  bytes: Uint8Array;
}

/**
 * One record slot of the input: the record recovered (or `null` when nothing could be recovered),
 * with every problem found in it. Readers yield one result per record they find, in input order,
 * so an import can report "record 17 (byte 20 480): …" and go on.
 */
export interface ReadResult {
  /** 0-based position of the record in the input. */
  recordIndex: number;
  /** Byte offset of the record's first byte in the input. */
  byteOffset: number;
  record: MarcRecord | null;
  problems: MarcProblem[];
  /** The record's original bytes, when the reader was asked to keep them. */
  source?: RecordSource;
}

/** Reader options shared by every format. */
export interface MarcReadOptions {
  /**
   * Strict mode throws a {@link MarcParseError} on the first problem (warnings included). Lenient
   * mode, the default for import, recovers what it can and reports every problem.
   */
  strict?: boolean;
  /** Keep each record's original bytes in {@link ReadResult.source} (an import stores them). */
  keepSource?: boolean;
}

/**
 * The subfield code writers put in place of one the output format cannot carry (not one ASCII
 * character, or one MARC21slim.xsd forbids): the data is kept, the original code goes to the report.
 * MARC 21 defines no `?` subfield, and both ISO 2709 and MARC21slim.xsd allow it.
 */
export const REPLACEMENT_SUBFIELD_CODE = '?';

/**
 * The tag writers put out for a field's tag: 1 or 2 ASCII digits padded with zeros on the left (`42` →
 * `042`: a tag that lost its leading zero on its way through MARCXML or a spreadsheet), any other tag
 * unchanged. @internal
 */
export function padTag(tag: string): string {
  return tag.length < 3 && /^[0-9]{1,2}$/.test(tag) ? tag.padStart(3, '0') : tag;
}

/**
 * A field's content as MARC-style text (`$a…$b…` for a data field), cut to `max` characters: for a
 * writer's report of a field it left out, so the data can be found and put back. @internal
 */
export function fieldPreview(field: MarcField, max = 100): string {
  const text =
    'subfields' in field ? field.subfields.map((sf) => `$${sf.code}${sf.value}`).join('') : field.value;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Writer options shared by every format. */
export interface MarcWriteOptions {
  /** Called for each value the output format cannot carry and that the writer left out or replaced. */
  onProblem?: (problem: MarcProblem) => void;
}

/** The error strict-mode readers throw (and writers, for records a format cannot represent). */
export class MarcParseError extends AppError<'MARC_INVALID'> {
  readonly problem: MarcProblem;

  constructor(problem: MarcProblem) {
    super('MARC_INVALID', `record ${problem.recordIndex} (byte ${problem.byteOffset}): ${problem.message}`, {
      problem,
    });
    this.name = 'MarcParseError';
    this.problem = problem;
  }
}

/** Problems of one kind kept per record; more are counted and summed up in one last problem. */
export const MAX_PROBLEMS_OF_A_KIND = 20;

/**
 * Collects problems for one record: in strict mode throws on the first one, else appends it. Keeps
 * at most {@link MAX_PROBLEMS_OF_A_KIND} problems per code per record (a 12,000-entry broken
 * directory makes one summary, not 12,000 lines in an import report).
 * @internal
 */
export class ProblemSink {
  problems: MarcProblem[] = [];
  recordIndex = 0;
  private counts = new Map<MarcProblemCode, number>();
  private overflow = new Map<MarcProblemCode, MarcProblem & { count: number }>();
  constructor(readonly strict: boolean) {}

  add(
    code: MarcProblemCode,
    severity: MarcProblemSeverity,
    byteOffset: number,
    message: string,
    tag?: string,
  ): void {
    const problem: MarcProblem = { recordIndex: this.recordIndex, byteOffset, severity, code, message };
    if (tag !== undefined) problem.tag = tag;
    if (this.strict) throw new MarcParseError(problem);
    const count = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, count);
    if (count <= MAX_PROBLEMS_OF_A_KIND) {
      this.problems.push(problem);
      return;
    }
    const summary = this.overflow.get(code);
    if (summary === undefined) this.overflow.set(code, { ...problem, count: 1 });
    else {
      summary.count++;
      if (severity === 'error') summary.severity = 'error';
    }
  }

  take(): MarcProblem[] {
    const out = this.problems;
    for (const { count, ...first } of this.overflow.values()) {
      out.push({
        ...first,
        message: `${count} more problem(s) of this kind (${first.code}) in this record, the first: ${first.message}`,
      });
    }
    this.problems = [];
    if (this.counts.size > 0) this.counts = new Map();
    if (this.overflow.size > 0) this.overflow = new Map();
    return out;
  }
}
