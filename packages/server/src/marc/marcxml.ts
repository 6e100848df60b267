/**
 * MARCXML (MARC 21 XML Schema, "MARC21slim"): streaming reader and writer.
 *
 * @see https://www.loc.gov/standards/marcxml/
 * @see https://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { type ByteSource, byteChunks } from './byte-source.ts';
import {
  fieldPreview,
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
  type DataField,
  isControlField,
  LEADER_LENGTH,
  type MarcField,
  type MarcRecord,
  padLeader,
} from './record.ts';

/** The MARCXML namespace (MARC21slim). */
export const MARCXML_NAMESPACE = 'http://www.loc.gov/MARC21/slim';

interface OpenRecord {
  recordIndex: number;
  byteOffset: number;
  leader: string | undefined;
  fields: MarcField[];
  sink: ProblemSink;
  /** saxes messages already reported for this record (a second root repeats at every tag). */
  seen: Set<string>;
}

type Capture = 'leader' | 'controlfield' | 'subfield' | null;

/**
 * The deepest nesting of elements read; deeper input is reported and the rest of it not read. MARCXML
 * needs four levels (collection, record, datafield, subfield) and envelopes such as OAI-PMH or SRU a
 * few more; the XML parser resolves namespaces through every open level at each tag, so unbounded
 * nesting takes time in the square of its depth.
 */
const MAX_XML_DEPTH = 256;

/** Thrown from the parser's handlers to stop reading input nested deeper than {@link MAX_XML_DEPTH}. */
const TOO_DEEP = new Error('MARCXML nested too deep');

const utf8Encoder = new TextEncoder();

/**
 * Turns saxes events into {@link ReadResult}s. Elements are matched by namespace: the MARC21slim
 * namespace, or no namespace at all (files that omit `xmlns`); other vocabularies around the records
 * (an OAI-PMH envelope, SRU responses) are skipped.
 */
class MarcXmlReader {
  readonly results: ReadResult[] = [];
  private readonly parser: SaxesParser<{ xmlns: true; position: true }>;
  private readonly strict: boolean;
  private recordIndex = 0;
  private current: OpenRecord | null = null;
  private field: DataField | null = null;
  private capture: Capture = null;
  private captureTag = '';
  private captureCode = '';
  private text = '';
  private depthInUnknown = 0;
  /** Elements open now, at any depth; reading stops past {@link MAX_XML_DEPTH}. */
  private xmlDepth = 0;
  private tooDeep = false;
  /** Problems found outside any record; they go with the next record. */
  private pending: MarcProblem[] = [];
  private pendingSeen = new Set<string>();
  // byte offset bookkeeping: saxes counts UTF-16 units, problems want bytes
  private chunk = '';
  private chunkCharStart = 0;
  private chunkByteStart = 0;
  private mappedChar = 0;
  private mappedByte = 0;
  // the record's own text (keepSource): the input from `windowStart` (a character position) on
  private readonly keepSource: boolean;
  private window = '';
  private windowStart = 0;
  /** Character position of the open record's `<`; -1 when unknown. */
  private sourceStart = -1;
  /** Character positions, ascending, of the U+FFFD decoding put in place of bytes that are not UTF-8. */
  private replacements: number[] = [];
  private replacementIndex = 0;
  /** Character position where the value being captured starts. */
  private captureStart = 0;

  constructor(options: MarcReadOptions) {
    this.strict = options.strict === true;
    this.keepSource = options.keepSource === true;
    this.parser = new SaxesParser({ xmlns: true, position: true });
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(tag));
    this.parser.on('text', (text) => {
      if (this.capture !== null) this.text += text;
    });
    this.parser.on('cdata', (text) => {
      if (this.capture !== null) this.text += text;
    });
    this.parser.on('error', (error) => this.xmlError(error));
  }

  write(text: string, byteLength: number): void {
    this.chunk = text;
    this.mappedChar = this.chunkCharStart;
    this.mappedByte = this.chunkByteStart;
    if (this.keepSource) this.window += text;
    if (!this.tooDeep) {
      try {
        this.parser.write(text);
      } catch (error) {
        if (error !== TOO_DEEP) throw error;
        this.tooDeep = true;
        this.problem(
          'XML_MALFORMED',
          'error',
          `elements nested deeper than ${MAX_XML_DEPTH} levels; the rest of the input is not read`,
        );
      }
    }
    this.chunkCharStart += text.length;
    this.chunkByteStart += byteLength;
    if (this.keepSource && this.current === null) {
      // Between records only a tag not yet read to its end matters: it starts at the last `<`.
      const last = this.window.lastIndexOf('<');
      this.dropWindow(last === -1 ? this.window.length : last);
    }
  }

  /** Forgets the first `n` characters of the window. */
  private dropWindow(n: number): void {
    if (n <= 0) return;
    this.window = this.window.slice(n);
    this.windowStart += n;
  }

  /** Characters written so far. */
  get charsWritten(): number {
    return this.chunkCharStart;
  }

  /** Notes where decoding replaced bytes that are not UTF-8 (character positions, ascending). */
  noteReplacements(positions: readonly number[]): void {
    this.replacements.push(...positions);
  }

  /**
   * Reports the replaced bytes up to the parser's position: in the value just captured (named by its
   * field), or, with `inRecord`, anywhere else in the record.
   */
  private reportReplaced(where: string | null, tag?: string): void {
    const end = this.parser.position;
    let inValue = 0;
    let elsewhere = 0;
    while (
      this.replacementIndex < this.replacements.length &&
      this.replacements[this.replacementIndex]! < end
    ) {
      if (where !== null && this.replacements[this.replacementIndex]! >= this.captureStart) inValue++;
      else elsewhere++;
      this.replacementIndex++;
    }
    if (inValue > 0) {
      this.problem(
        'INVALID_UTF8',
        'error',
        `${where}: ${inValue} byte sequence(s) that are not valid UTF-8 replaced by U+FFFD`,
        tag,
      );
    }
    if (elsewhere > 0) {
      this.problem(
        'INVALID_UTF8',
        'error',
        `${elsewhere} byte sequence(s) that are not valid UTF-8 replaced by U+FFFD in the record's markup`,
      );
    }
  }

  /** Skips `n` input bytes the text does not show (a byte order mark). */
  skipBytes(n: number): void {
    this.chunkByteStart += n;
  }

  end(): void {
    if (!this.tooDeep) this.parser.close();
    if (this.current !== null) {
      this.problem('RECORD_TRUNCATED', 'error', 'the input ends inside a <record>; keeping what is complete');
      this.finish();
    }
    if (this.pending.length > 0) {
      this.results.push({
        recordIndex: this.recordIndex,
        byteOffset: this.byteOffset(),
        record: null,
        problems: this.pending,
      });
      this.pending = [];
    }
  }

  private byteOffset(): number {
    const position = this.parser.position;
    if (position > this.mappedChar) {
      const from = this.mappedChar - this.chunkCharStart;
      const to = position - this.chunkCharStart;
      this.mappedByte += Buffer.byteLength(this.chunk.slice(Math.max(from, 0), Math.max(to, 0)), 'utf8');
      this.mappedChar = position;
    }
    return this.mappedByte;
  }

  private problem(code: MarcProblemCode, severity: 'error' | 'warning', message: string, tag?: string): void {
    const where = `${message} (line ${this.parser.line}, column ${this.parser.column})`;
    if (this.current !== null) {
      this.current.sink.add(code, severity, this.byteOffset(), where, tag);
      return;
    }
    const sink = new ProblemSink(this.strict);
    sink.recordIndex = this.recordIndex;
    sink.add(code, severity, this.byteOffset(), where, tag);
    this.pending.push(...sink.take());
  }

  private xmlError(error: Error): void {
    // saxes prefixes "line:column: "; the same message at every tag after a second root is one problem
    const message = error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
    const seen = this.current?.seen ?? this.pendingSeen;
    if (seen.has(message)) return;
    seen.add(message);
    this.problem('XML_MALFORMED', 'error', `XML: ${message}`);
  }

  private isMarc(tag: SaxesTagNS): boolean {
    return tag.uri === MARCXML_NAMESPACE || tag.uri === '';
  }

  private attribute(tag: SaxesTagNS, name: string): string | undefined {
    return tag.attributes[name]?.value;
  }

  private open(tag: SaxesTagNS): void {
    if (++this.xmlDepth > MAX_XML_DEPTH) throw TOO_DEEP;
    if (this.depthInUnknown > 0) {
      this.depthInUnknown++;
      return;
    }
    const isMarc = this.isMarc(tag);
    if (this.current === null) {
      if (isMarc && tag.local === 'record') this.startRecord();
      return;
    }
    if (!isMarc || this.capture !== null) {
      this.problem(
        'XML_UNEXPECTED_ELEMENT',
        'warning',
        `unexpected element <${tag.name}> in a record; ignored`,
      );
      this.depthInUnknown = 1;
      return;
    }
    switch (tag.local) {
      case 'leader':
        this.startCapture('leader');
        return;
      case 'controlfield':
        this.captureTag = this.attribute(tag, 'tag') ?? '';
        this.startCapture('controlfield');
        return;
      case 'datafield': {
        if (this.field !== null) break;
        this.field = {
          tag: this.attribute(tag, 'tag') ?? '',
          ind1: this.indicator(tag, 'ind1'),
          ind2: this.indicator(tag, 'ind2'),
          subfields: [],
        };
        return;
      }
      case 'subfield':
        if (this.field === null) break;
        this.captureCode = this.attribute(tag, 'code') ?? '';
        this.startCapture('subfield');
        return;
    }
    this.problem('XML_UNEXPECTED_ELEMENT', 'warning', `unexpected element <${tag.name}> here; ignored`);
    this.depthInUnknown = 1;
  }

  private indicator(tag: SaxesTagNS, name: 'ind1' | 'ind2'): string {
    const value = this.attribute(tag, name);
    if (value !== undefined && value.length === 1) {
      if (value < ' ' || value > '~') {
        const field = this.attribute(tag, 'tag') ?? '';
        this.problem(
          'INDICATOR_INVALID',
          'warning',
          `datafield ${field}: ${name} ${JSON.stringify(value)} is not printable ASCII; kept as is`,
          field,
        );
      }
      return value;
    }
    this.problem(
      'ATTRIBUTE_MISSING',
      'warning',
      `datafield ${this.attribute(tag, 'tag') ?? ''}: ${name} is ${
        value === undefined ? 'missing' : JSON.stringify(value)
      }, not one character; blank assumed`,
    );
    return ' ';
  }

  private startCapture(capture: Capture): void {
    this.capture = capture;
    this.text = '';
    this.captureStart = this.parser.position;
  }

  private close(tag: SaxesTagNS): void {
    this.xmlDepth--;
    if (this.depthInUnknown > 0) {
      this.depthInUnknown--;
      return;
    }
    const current = this.current;
    if (current === null || !this.isMarc(tag)) return;
    if (this.replacementIndex < this.replacements.length) {
      if (tag.local === 'controlfield')
        this.reportReplaced(`controlfield ${this.captureTag}`, this.captureTag);
      else if (tag.local === 'subfield')
        this.reportReplaced(`datafield ${this.field?.tag} $${this.captureCode}`, this.field?.tag);
      else if (tag.local === 'leader') this.reportReplaced('leader');
    }
    switch (tag.local) {
      case 'leader':
        if (current.leader !== undefined)
          this.problem('LEADER_INVALID', 'warning', 'a second <leader> replaces the first');
        current.leader = this.text;
        if (this.text.length !== LEADER_LENGTH) {
          this.problem('LEADER_INVALID', 'warning', `leader is ${this.text.length} characters, not 24`);
        }
        break;
      case 'controlfield':
        if (this.captureTag === '') {
          this.problem(
            'ATTRIBUTE_MISSING',
            'error',
            `controlfield without tag; ${JSON.stringify(this.text)} lost`,
          );
        } else current.fields.push({ tag: this.captureTag, value: this.text });
        break;
      case 'subfield':
        if (this.captureCode === '') {
          this.problem(
            'ATTRIBUTE_MISSING',
            'error',
            `datafield ${this.field?.tag}: subfield without code; ${JSON.stringify(this.text)} lost`,
          );
        } else {
          const code = this.captureCode;
          if (code.length !== 1 || code < ' ' || code > '~') {
            this.problem(
              'SUBFIELD_CODE_INVALID',
              'warning',
              `datafield ${this.field?.tag}: subfield code ${JSON.stringify(code)} is not one printable ASCII character; kept as is`,
              this.field?.tag,
            );
          }
          this.field?.subfields.push({ code, value: this.text });
        }
        break;
      case 'datafield':
        if (this.field !== null) {
          if (this.field.tag === '')
            this.problem('ATTRIBUTE_MISSING', 'error', 'datafield without tag; field lost');
          else current.fields.push(this.field);
        }
        this.field = null;
        break;
      case 'record':
        this.finish();
        break;
    }
    this.capture = null;
  }

  private startRecord(): void {
    if (this.keepSource) {
      // the open tag just read ends here and holds no `<` of its own after its first character
      const position = this.parser.position;
      const lt = this.window.lastIndexOf('<', position - this.windowStart - 1);
      this.sourceStart = lt === -1 ? -1 : this.windowStart + lt;
      if (lt > 0) this.dropWindow(lt);
    }
    const sink = new ProblemSink(this.strict);
    sink.recordIndex = this.recordIndex;
    sink.problems = this.pending.map((p) => ({ ...p, recordIndex: this.recordIndex }));
    this.pending = [];
    this.current = {
      recordIndex: this.recordIndex++,
      byteOffset: this.byteOffset(),
      leader: undefined,
      fields: [],
      sink,
      seen: this.pendingSeen,
    };
    this.pendingSeen = new Set();
  }

  private finish(): void {
    const current = this.current!;
    if (this.replacementIndex < this.replacements.length) this.reportReplaced(null);
    if (current.leader === undefined)
      this.problem('LEADER_MISSING', 'warning', 'record without <leader>; blank leader used');
    const result: ReadResult = {
      recordIndex: current.recordIndex,
      byteOffset: current.byteOffset,
      record: { leader: current.leader ?? padLeader(''), fields: current.fields },
      problems: current.sink.take(),
    };
    if (this.keepSource && this.sourceStart !== -1) {
      const end = this.parser.position - this.windowStart;
      const text = this.window.slice(this.sourceStart - this.windowStart, end);
      result.source = { format: 'marcxml', bytes: utf8Encoder.encode(text) };
      this.dropWindow(end);
      this.sourceStart = -1;
    }
    this.results.push(result);
    this.current = null;
    this.field = null;
  }
}

/**
 * Finds where a UTF-8 decoder (WHATWG, as TextDecoder) puts U+FFFD in place of bytes that are not
 * UTF-8, as character positions in the text it makes, chunk after chunk. Valid chunks cost one native
 * check; only a chunk with bad bytes is walked character by character.
 */
class Utf8Check {
  /** The bytes of a character that the last chunk left incomplete. */
  private carry: Uint8Array = new Uint8Array(0);

  /** The positions of replacement characters in the text decoded from `chunk` (starting at `base`). */
  scan(chunk: Uint8Array, base: number): number[] {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const end = bytes.length - incompleteTail(bytes);
    this.carry = bytes.slice(end);
    const body = bytes.subarray(0, end);
    if (isUtf8(body)) return [];
    const positions: number[] = [];
    let chars = base;
    for (let i = 0; i < end; ) {
      const length = utf8SequenceLength(body, i, end);
      if (length > 0) {
        chars += length === 4 ? 2 : 1;
        i += length;
      } else {
        positions.push(chars++);
        i += -length;
      }
    }
    return positions;
  }

  /** A character still incomplete at the end of the input becomes one replacement character. */
  end(base: number): number[] {
    return this.carry.length > 0 ? [base] : [];
  }
}

/** How many bytes at the end of `bytes` begin a character that may still be completed by more input. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const at = bytes.length - back;
    const b = bytes[at]!;
    if (b < 0x80) return 0;
    if (b < 0xc0) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return need > back && -utf8SequenceLength(bytes, at, bytes.length) === back ? back : 0;
  }
  return 0;
}

/**
 * The length of the valid UTF-8 character at `i`; when there is none, minus the length of the bytes one
 * replacement character stands for (the lead byte and the continuation bytes that fitted it).
 */
function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
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
  } else return -1;
  for (let k = 1; k < length; k++) {
    const c = i + k < end ? bytes[i + k]! : -1;
    if (c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return -k;
  }
  return length;
}

/**
 * Streams the records of a MARCXML document: a `<collection>`, a single `<record>`, records
 * with or without a namespace prefix, records inside another envelope (OAI-PMH, SRU). Yields one
 * {@link ReadResult} per MARC `<record>` as soon as it closes; only the record in progress is held
 * in memory. Input is UTF-8 (a byte order mark is skipped). XML errors are reported against the
 * record they occur in (`XML_MALFORMED`), and reading goes on as far as the XML parser can.
 * `byteOffset`s are the parser's position when it reported, converted to bytes.
 */
export async function* readMarcXml(
  source: ByteSource,
  options: MarcReadOptions = {},
): AsyncGenerator<ReadResult> {
  const reader = new MarcXmlReader(options);
  const decoder = new TextDecoder('utf-8');
  const check = new Utf8Check();
  let isFirst = true;
  for await (const chunk of byteChunks(source)) {
    const hasBom = isFirst && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
    if (hasBom) reader.skipBytes(3);
    isFirst = false;
    const text = decoder.decode(chunk, { stream: true });
    reader.noteReplacements(check.scan(hasBom ? chunk.subarray(3) : chunk, reader.charsWritten));
    reader.write(text, Buffer.byteLength(text, 'utf8'));
    yield* reader.results.splice(0);
  }
  const rest = decoder.decode();
  reader.noteReplacements(check.end(reader.charsWritten));
  if (rest.length > 0) reader.write(rest, 0);
  reader.end();
  yield* reader.results.splice(0);
}

/** Reads every record of a MARCXML document held in memory; see {@link readMarcXml}. */
export function parseMarcXml(input: string | Uint8Array, options: MarcReadOptions = {}): ReadResult[] {
  const reader = new MarcXmlReader(options);
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (typeof input !== 'string') {
    const hasBom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
    if (hasBom) reader.skipBytes(3);
    const check = new Utf8Check();
    reader.noteReplacements(check.scan(hasBom ? input.subarray(3) : input, 0));
    // an incomplete character at the end is the text's last character, a replacement
    reader.noteReplacements(check.end(text.length - 1));
  }
  reader.write(text, Buffer.byteLength(text, 'utf8'));
  reader.end();
  return reader.results;
}

/** Options for the MARCXML writers. */
export interface MarcXmlWriteOptions extends MarcWriteOptions {
  /** Declare the MARCXML namespace on `<record>` (default true; the collection writer declares it once). */
  hasNamespace?: boolean;
  /** Position reported in problems (the collection writer sets it). */
  recordIndex?: number;
}

// XML 1.0 Char production: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF
const ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const HAS_ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const CONTROL_TAG = /^00[1-9A-Za-z]$/;
const DATA_TAG =
  /^(0([1-9A-Z][0-9A-Z])|0([1-9a-z][0-9a-z]))$|^(([1-9A-Z][0-9A-Z]{2})|([1-9a-z][0-9a-z]{2}))$/;
const INDICATOR = /^[\da-z ]$/;
const SUBFIELD_CODE = /^[\dA-Za-z!"#$%&'()*+,\-./:;<=>?{}_^`~[\]\\]$/;

/** leader positions and what MARC21slim.xsd allows there; `fill` replaces anything else. */
const LEADER_RULES: { from: number; to: number; allowed: RegExp; fill: string }[] = [
  { from: 0, to: 5, allowed: /[\d ]/, fill: ' ' },
  { from: 5, to: 6, allowed: /[\dA-Za-z ]/, fill: ' ' },
  { from: 6, to: 8, allowed: /[\dA-Za-z]/, fill: 'u' },
  { from: 8, to: 10, allowed: /[\dA-Za-z ]/, fill: ' ' },
  { from: 10, to: 12, allowed: /[2 ]/, fill: '2' },
  { from: 12, to: 17, allowed: /[\d ]/, fill: ' ' },
  { from: 17, to: 20, allowed: /[\dA-Za-z ]/, fill: ' ' },
];

function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One record as a MARCXML `<record>` element that validates against MARC21slim.xsd. To stay valid
 * the writer: puts control fields before data fields (the schema's order); sets leader/09 to 'a'
 * (the XML is Unicode); replaces leader characters the schema forbids (leader/06-07 by 'u', others
 * by blank, leader/10-11 by '2', leader/20-23 by "4500") and indicators outside [0-9a-z ] by blank;
 * pads tags of 1 or 2 digits with zeros (`42` → `042`); writes a control field whose tag the schema
 * allows only on data fields (Aleph's `FMT`) as a data field with blank indicators and its value in
 * `$a`; writes subfield codes the schema forbids as {@link REPLACEMENT_SUBFIELD_CODE}, keeping their
 * data; leaves out fields whose tag the schema forbids either way (`0°1`; error) and data fields with
 * no subfield (error); strips characters illegal in XML 1.0. Each change goes to `onProblem` with
 * the field's tag as the record has it. Never throws.
 */
export function toMarcXml(record: MarcRecord, options: MarcXmlWriteOptions = {}): string {
  const recordIndex = options.recordIndex ?? 0;
  const report = (code: MarcProblemCode, severity: 'error' | 'warning', message: string, tag?: string) =>
    options.onProblem?.({
      recordIndex,
      byteOffset: 0,
      severity,
      code,
      message,
      ...(tag === undefined ? {} : { tag }),
    });
  const clean = (where: string, value: string, tag?: string): string => {
    if (!HAS_ILLEGAL_XML.test(value)) return escapeText(value);
    const removed = [...value.matchAll(ILLEGAL_XML)].map(
      (m) => `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    );
    report(
      'CHARACTER_ILLEGAL',
      'warning',
      `${where}: characters illegal in XML 1.0 removed (${removed.join(', ')})`,
      tag,
    );
    return escapeText(value.replace(ILLEGAL_XML, ''));
  };
  let leader = padLeader(record.leader);
  if (leader !== record.leader)
    report('LEADER_INVALID', 'warning', `leader is ${record.leader.length} characters; padded or cut to 24`);
  let fixed = '';
  for (const { from, to, allowed, fill } of LEADER_RULES) {
    for (let i = from; i < to; i++) {
      const c = i === 9 ? 'a' : leader.charAt(i);
      if (allowed.test(c)) fixed += c;
      else {
        fixed += fill;
        report(
          'LEADER_INVALID',
          'warning',
          `leader/${String(i).padStart(2, '0')} ${JSON.stringify(c)} is not allowed by MARC21slim; written as ${JSON.stringify(fill)}`,
        );
      }
    }
  }
  const entryMap = leader.slice(20, 24);
  if (entryMap !== '4500' && entryMap !== '    ') {
    report('LEADER_INVALID', 'warning', `leader/20-23 ${JSON.stringify(entryMap)} written as "4500"`);
  }
  leader = fixed + (entryMap === '    ' ? entryMap : '4500');

  const parts: string[] = [
    options.hasNamespace === false ? '<record>' : `<record xmlns="${MARCXML_NAMESPACE}">`,
  ];
  parts.push(`<leader>${escapeText(leader)}</leader>`);
  const dataFields: string[] = [];
  for (const field of record.fields) {
    const tag = padTag(field.tag);
    const asControlField = isControlField(field) && CONTROL_TAG.test(tag);
    if (!asControlField && !DATA_TAG.test(tag)) {
      report(
        'TAG_INVALID',
        'error',
        `${isControlField(field) ? 'control' : 'data'} field ${JSON.stringify(field.tag)} left out: MARC21slim allows no such ${isControlField(field) ? 'control field' : 'data field'} tag; its data: ${JSON.stringify(fieldPreview(field))}`,
        field.tag,
      );
      continue;
    }
    if (tag !== field.tag)
      report(
        'TAG_INVALID',
        'warning',
        `tag ${JSON.stringify(field.tag)} written as ${JSON.stringify(tag)}`,
        field.tag,
      );
    if (asControlField) {
      parts.push(
        `<controlfield tag="${tag}">${clean(`field ${tag}`, field.value, field.tag)}</controlfield>`,
      );
      continue;
    }
    if (isControlField(field)) {
      // A local control field (Aleph's FMT, CAT…): the schema allows its tag only on a data field.
      report(
        'TAG_INVALID',
        'warning',
        `control field ${tag} written as a data field with its value in $a: MARC21slim allows control fields 001-009 (00A-00Z) only`,
        field.tag,
      );
      dataFields.push(
        `<datafield tag="${tag}" ind1=" " ind2=" "><subfield code="a">${clean(`field ${tag}`, field.value, field.tag)}</subfield></datafield>`,
      );
      continue;
    }
    const indicator = (value: string, name: string): string => {
      if (INDICATOR.test(value)) return value;
      report(
        'INDICATOR_INVALID',
        'warning',
        `field ${tag}: ${name} ${JSON.stringify(value)} written as blank`,
        field.tag,
      );
      return ' ';
    };
    const subfields: string[] = [];
    for (const { code, value } of field.subfields) {
      let written = code;
      if (!SUBFIELD_CODE.test(code)) {
        written = REPLACEMENT_SUBFIELD_CODE;
        report(
          'SUBFIELD_CODE_INVALID',
          'warning',
          `field ${tag}: subfield code ${JSON.stringify(code)} is not allowed by MARC21slim; written as ${JSON.stringify(written)} with its data`,
          field.tag,
        );
      }
      subfields.push(
        `<subfield code="${escapeAttribute(written)}">${clean(`field ${tag} $${written}`, value, field.tag)}</subfield>`,
      );
    }
    if (subfields.length === 0) {
      report('FIELD_EMPTY', 'error', `field ${tag} has no subfield; field left out`, field.tag);
      continue;
    }
    dataFields.push(
      `<datafield tag="${tag}" ind1="${indicator(field.ind1, 'ind1')}" ind2="${indicator(field.ind2, 'ind2')}">${subfields.join('')}</datafield>`,
    );
  }
  parts.push(...dataFields, '</record>');
  return parts.join('\n  ');
}

/** The opening of a MARCXML collection document (XML declaration and `<collection>` start tag). */
export const MARCXML_COLLECTION_HEADER = `<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="${MARCXML_NAMESPACE}">\n`;
/** The end of a MARCXML collection document. */
export const MARCXML_COLLECTION_FOOTER = '</collection>\n';

/**
 * Streams a MARCXML `<collection>` document: the header, one `<record>` per input record as it
 * comes, the footer; pipe it to a file or response with `Readable.from(…)`. Records are written as
 * by {@link toMarcXml}; problems carry the record's position in the stream.
 */
export async function* writeMarcXmlCollection(
  records: AsyncIterable<MarcRecord> | Iterable<MarcRecord>,
  options: MarcWriteOptions = {},
): AsyncGenerator<string> {
  yield MARCXML_COLLECTION_HEADER;
  let recordIndex = 0;
  for await (const record of records) {
    yield `${toMarcXml(record, { ...options, hasNamespace: false, recordIndex: recordIndex++ })}\n`;
  }
  yield MARCXML_COLLECTION_FOOTER;
}

/** A whole MARCXML collection document for records held in memory; see {@link writeMarcXmlCollection}. */
export function toMarcXmlCollection(records: Iterable<MarcRecord>, options: MarcWriteOptions = {}): string {
  const parts = [MARCXML_COLLECTION_HEADER];
  let recordIndex = 0;
  for (const record of records) {
    parts.push(`${toMarcXml(record, { ...options, hasNamespace: false, recordIndex: recordIndex++ })}\n`);
  }
  parts.push(MARCXML_COLLECTION_FOOTER);
  return parts.join('');
}
