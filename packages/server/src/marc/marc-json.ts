/**
 * MARC-in-JSON (the code4lib proposal by Ross Singer, as written by pymarc, MARC::Record::MiJ, yaz):
 * `{"leader": "…", "fields": [{"001": "…"}, {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "…"}]}}]}`.
 *
 * @see https://web.archive.org/web/2015/http://dilettantes.code4lib.org/blog/2010/09/a-proposal-to-serialize-marc-in-json/
 */
import { Buffer } from 'node:buffer';
import { type ByteSource, byteChunks } from './byte-source.ts';
import {
  type MarcProblemCode,
  type MarcReadOptions,
  type MarcWriteOptions,
  ProblemSink,
  type ReadResult,
} from './problems.ts';
import {
  isControlField,
  type MarcField,
  type MarcRecord,
  padLeader,
  type Subfield,
  setLeaderPosition,
} from './record.ts';

/** A MARC-in-JSON data field: indicators and subfields as one-key objects (`{"a": "Title"}`). */
export interface MarcJsonDataField {
  ind1: string;
  ind2: string;
  subfields: Record<string, string>[];
}

/** A MARC-in-JSON record: each field is a one-key object, tag → value (control) or data field. */
export interface MarcJsonRecord {
  leader: string;
  fields: Record<string, string | MarcJsonDataField>[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts a parsed MARC-in-JSON object into a record, reporting what does not fit the format to
 * `sink`. Returns null when the value is not a record at all (no `fields` array).
 */
function fromJsonValue(value: unknown, sink: ProblemSink, byteOffset: number): MarcRecord | null {
  const report = (code: MarcProblemCode, severity: 'error' | 'warning', message: string, tag?: string) =>
    sink.add(code, severity, byteOffset, message, tag);
  if (!isObject(value) || !Array.isArray(value.fields)) {
    report(
      'JSON_NOT_A_RECORD',
      'error',
      'not a MARC-in-JSON record (an object with a "fields" array); record lost',
    );
    return null;
  }
  let leader = padLeader('');
  if (typeof value.leader === 'string') leader = value.leader;
  else report('LEADER_MISSING', 'warning', 'record without a "leader" string; blank leader used');
  const fields: MarcField[] = [];
  value.fields.forEach((entry: unknown, i: number) => {
    const keys = isObject(entry) ? Object.keys(entry) : [];
    const tag = keys[0];
    if (!isObject(entry) || tag === undefined || keys.length !== 1) {
      report(
        'JSON_NOT_A_RECORD',
        'error',
        `fields[${i}] is not an object with one key (the tag); field lost`,
      );
      return;
    }
    const content = entry[tag];
    if (typeof content === 'string') {
      fields.push({ tag, value: content });
      return;
    }
    if (!isObject(content) || !Array.isArray(content.subfields)) {
      report(
        'JSON_NOT_A_RECORD',
        'error',
        `field ${tag} is neither a string nor an object with "subfields"; field lost`,
      );
      return;
    }
    const indicator = (name: 'ind1' | 'ind2'): string => {
      const ind = content[name];
      if (typeof ind === 'string' && ind.length === 1) {
        if (ind < ' ' || ind > '~') {
          report(
            'INDICATOR_INVALID',
            'warning',
            `field ${tag}: ${name} ${JSON.stringify(ind)} is not printable ASCII; kept as is`,
            tag,
          );
        }
        return ind;
      }
      report(
        'INDICATOR_INVALID',
        'warning',
        `field ${tag}: ${name} is ${JSON.stringify(ind)}; blank assumed`,
      );
      return ' ';
    };
    const subfields: Subfield[] = [];
    for (const subfield of content.subfields as unknown[]) {
      const codes = isObject(subfield) ? Object.keys(subfield) : [];
      const code = codes[0];
      const data = code === undefined || !isObject(subfield) ? undefined : subfield[code];
      if (code === undefined || codes.length !== 1 || typeof data !== 'string') {
        report(
          'SUBFIELD_CODE_INVALID',
          'error',
          `field ${tag}: subfield ${JSON.stringify(subfield)} is not {code: string}; lost`,
        );
        continue;
      }
      if (code.length !== 1 || code < ' ' || code > '~') {
        report(
          'SUBFIELD_CODE_INVALID',
          'warning',
          `field ${tag}: subfield code ${JSON.stringify(code)} is not one printable ASCII character; kept as is`,
          tag,
        );
      }
      subfields.push({ code, value: data });
    }
    fields.push({ tag, ind1: indicator('ind1'), ind2: indicator('ind2'), subfields });
  });
  return { leader, fields };
}

/**
 * Converts one MARC-in-JSON object (already `JSON.parse`d) into a record. Lenient: problems are
 * returned beside the record, which is null when the value is not a record.
 */
export function fromMarcJson(
  value: unknown,
  options: MarcReadOptions = {},
): Omit<ReadResult, 'recordIndex' | 'byteOffset'> {
  const sink = new ProblemSink(options.strict === true);
  const record = fromJsonValue(value, sink, 0);
  return { record, problems: sink.take() };
}

/**
 * Cuts a byte stream of JSON into top-level records without parsing it all: a single object, a JSON
 * array of objects, or objects one after another (newline-delimited JSON). Tracks strings and
 * nesting only, so memory holds just the record in progress.
 */
class JsonRecordScanner {
  readonly results: ReadResult[] = [];
  private readonly sink: ProblemSink;
  private readonly keepSource: boolean;
  private readonly decoder = new TextDecoder('utf-8');
  /** Nesting depth at which records sit: 0 for objects, 1 inside a top-level array; -1 = not known yet. */
  private recordDepth = -1;
  private depth = 0;
  /** The opening bytes (`{` or `[`) of the levels open now. */
  private openers: number[] = [];
  /**
   * How many of `openers` are `{` and `[`: a closer with no opener of its kind open is known at once,
   * instead of by a search through every open level (which made deep nesting take quadratic time).
   */
  private openBraces = 0;
  private openBrackets = 0;
  private isInString = false;
  private isEscaped = false;
  private pieces: Buffer[] = [];
  private recordStart = -1;
  private offset = 0;
  private recordIndex = 0;
  /** The previous significant byte was stray: one report per run of garbage, not per byte. */
  private isInStray = false;

  constructor(options: MarcReadOptions) {
    this.sink = new ProblemSink(options.strict === true);
    this.keepSource = options.keepSource === true;
  }

  write(chunk: Buffer): void {
    let start = this.recordStart === -1 ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.isInString) {
        if (this.isEscaped) this.isEscaped = false;
        else if (b === 0x5c) this.isEscaped = true;
        else if (b === 0x22) this.isInString = false;
        continue;
      }
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      if (this.recordDepth === -1) this.recordDepth = b === 0x5b ? 1 : 0;
      if (b === 0x22) {
        this.isInString = true;
        if (this.depth <= this.recordDepth) this.stray(i, b);
        continue;
      }
      if (this.depth <= this.recordDepth && (b === 0x7b || b === 0x2c)) this.isInStray = false;
      if (b === 0x7b || b === 0x5b) {
        if (this.depth === this.recordDepth) {
          if (b === 0x7b) {
            start = i;
            this.recordStart = this.offset + i;
          } else this.stray(i, b);
        }
        this.openers.push(b);
        if (b === 0x7b) this.openBraces++;
        else this.openBrackets++;
        this.depth++;
      } else if (b === 0x7d || b === 0x5d) {
        // A closer that does not match its opener closes the levels up to one that it does match, so
        // broken JSON ends its own record instead of swallowing the records after it.
        const opener = b === 0x7d ? 0x7b : 0x5b;
        const open = opener === 0x7b ? this.openBraces : this.openBrackets;
        const match = open === 0 ? -1 : this.openers.lastIndexOf(opener);
        const levels = match === -1 ? 1 : this.openers.length - match;
        const kept = Math.max(this.openers.length - levels, 0);
        for (let k = kept; k < this.openers.length; k++) {
          if (this.openers[k] === 0x7b) this.openBraces--;
          else this.openBrackets--;
        }
        this.openers.length = kept;
        const wasInRecord = this.depth > this.recordDepth;
        this.depth -= levels;
        if (wasInRecord && this.depth <= this.recordDepth && this.recordStart !== -1) {
          this.depth = this.recordDepth;
          this.pieces.push(chunk.subarray(Math.max(start, 0), i + 1));
          this.emit();
          start = -1;
        }
        if (this.depth < 0) {
          this.stray(i, b);
          this.depth = 0;
        }
      } else if (!(b === 0x2c && this.depth === this.recordDepth) && this.depth <= this.recordDepth) {
        this.stray(i, b);
      }
    }
    if (this.recordStart !== -1) this.pieces.push(chunk.subarray(Math.max(start, 0)));
    this.offset += chunk.length;
  }

  end(): void {
    if (this.recordStart !== -1) {
      this.sink.recordIndex = this.recordIndex;
      this.sink.add(
        'RECORD_TRUNCATED',
        'error',
        this.recordStart,
        'the input ends inside a JSON record; record lost',
      );
      this.results.push({
        recordIndex: this.recordIndex++,
        byteOffset: this.recordStart,
        record: null,
        problems: this.sink.take(),
      });
      this.recordStart = -1;
      this.pieces = [];
    }
  }

  private stray(i: number, b: number): void {
    if (this.isInStray) return;
    this.isInStray = true;
    // Stray bytes between records (a top-level number, an array inside the array…) are reported once
    // against the record slot they stand in.
    this.sink.recordIndex = this.recordIndex;
    this.sink.add(
      'JSON_MALFORMED',
      'error',
      this.offset + i,
      `unexpected ${JSON.stringify(String.fromCharCode(b))} between records`,
    );
    this.results.push({
      recordIndex: this.recordIndex++,
      byteOffset: this.offset + i,
      record: null,
      problems: this.sink.take(),
    });
  }

  private emit(): void {
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    this.pieces = [];
    const byteOffset = this.recordStart;
    this.recordStart = -1;
    this.sink.recordIndex = this.recordIndex;
    let record: MarcRecord | null = null;
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(bytes));
    } catch (error) {
      this.sink.add(
        'JSON_MALFORMED',
        'error',
        byteOffset,
        `invalid JSON: ${(error as Error).message}; record lost`,
      );
    }
    if (value !== undefined) record = fromJsonValue(value, this.sink, byteOffset);
    const result: ReadResult = {
      recordIndex: this.recordIndex++,
      byteOffset,
      record,
      problems: this.sink.take(),
    };
    // a copy: `bytes` may be a view on a large input chunk
    if (this.keepSource) result.source = { format: 'marc-json', bytes: new Uint8Array(bytes) };
    this.results.push(result);
  }
}

/**
 * Streams the records of MARC-in-JSON input: a single record object, a JSON array of records, or
 * newline-delimited JSON (one record per line). Yields one {@link ReadResult} per record object as
 * soon as it closes; only that record's bytes are held. A record that is not valid JSON, or not
 * shaped like MARC-in-JSON, is reported (`JSON_MALFORMED`, `JSON_NOT_A_RECORD`) and reading goes on.
 */
export async function* readMarcJson(
  source: ByteSource,
  options: MarcReadOptions = {},
): AsyncGenerator<ReadResult> {
  const scanner = new JsonRecordScanner(options);
  let isFirst = true;
  for await (let chunk of byteChunks(source)) {
    if (isFirst && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    isFirst = false;
    scanner.write(chunk);
    yield* scanner.results.splice(0);
  }
  scanner.end();
  yield* scanner.results.splice(0);
}

/** Reads every record of MARC-in-JSON input held in memory; see {@link readMarcJson}. */
export function parseMarcJson(input: string | Uint8Array, options: MarcReadOptions = {}): ReadResult[] {
  const scanner = new JsonRecordScanner(options);
  scanner.write(
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength),
  );
  scanner.end();
  return scanner.results;
}

/**
 * A record as a MARC-in-JSON object (ready for `JSON.stringify`). leader/09 is set to 'a': JSON text
 * is Unicode. Subfield codes and indicators are written as they are (JSON can carry any string).
 */
export function toMarcJson(record: MarcRecord, _options: MarcWriteOptions = {}): MarcJsonRecord {
  return {
    leader: setLeaderPosition(record.leader, 9, 'a'),
    fields: record.fields.map((field) =>
      isControlField(field)
        ? { [field.tag]: field.value }
        : {
            [field.tag]: {
              ind1: field.ind1,
              ind2: field.ind2,
              subfields: field.subfields.map(({ code, value }) => ({ [code]: value })),
            },
          },
    ),
  };
}

/** Streams records as one JSON array (`[`, records separated by commas, `]`). */
export async function* writeMarcJsonArray(
  records: AsyncIterable<MarcRecord> | Iterable<MarcRecord>,
): AsyncGenerator<string> {
  let separator = '[\n';
  for await (const record of records) {
    yield separator + JSON.stringify(toMarcJson(record));
    separator = ',\n';
  }
  yield separator === '[\n' ? '[]\n' : '\n]\n';
}

/** Streams records as newline-delimited JSON, one MARC-in-JSON record per line. */
export async function* writeMarcJsonLines(
  records: AsyncIterable<MarcRecord> | Iterable<MarcRecord>,
): AsyncGenerator<string> {
  for await (const record of records) yield `${JSON.stringify(toMarcJson(record))}\n`;
}

/**
 * The MARC-in-JSON text of a record, written straight to a string: the same text as
 * `JSON.stringify(toMarcJson(record))`, without building the intermediate objects (a hot path of
 * catalog imports).
 */
export function toMarcJsonText(record: MarcRecord): string {
  let out = `{"leader":${JSON.stringify(setLeaderPosition(record.leader, 9, 'a'))},"fields":[`;
  let first = true;
  for (const field of record.fields) {
    out += first ? '{' : ',{';
    first = false;
    if (isControlField(field)) {
      out += `${JSON.stringify(field.tag)}:${JSON.stringify(field.value)}}`;
      continue;
    }
    out += `${JSON.stringify(field.tag)}:{"ind1":${JSON.stringify(field.ind1)},"ind2":${JSON.stringify(field.ind2)},"subfields":[`;
    let firstSub = true;
    for (const sub of field.subfields) {
      out += `${firstSub ? '' : ','}{${JSON.stringify(sub.code)}:${JSON.stringify(sub.value)}}`;
      firstSub = false;
    }
    out += ']}}';
  }
  return `${out}]}`;
}
