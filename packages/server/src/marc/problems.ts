import { AppError } from '../kernel/app-error.ts';
import type { MarcRecord } from './record.ts';

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
  | 'CHARACTER_ILLEGAL';

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
}

/** Reader options shared by every format. */
export interface MarcReadOptions {
  /**
   * Strict mode throws a {@link MarcParseError} on the first problem (warnings included). Lenient
   * mode, the default for import, recovers what it can and reports every problem.
   */
  strict?: boolean;
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

  add(code: MarcProblemCode, severity: MarcProblemSeverity, byteOffset: number, message: string): void {
    const problem: MarcProblem = { recordIndex: this.recordIndex, byteOffset, severity, code, message };
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
