/**
 * A line-per-field text view of MARC records for people, in the style of the Library of Congress
 * MARCMaker/MARCBreaker "mnemonic" format:
 *
 * ```
 * =LDR  00000nam a2200000 a 4500
 * =001  123
 * =008  240101s2024\\\\nyu\\\\\\\\\\\\000\0\eng\d
 * =245  10$aTitle :$bsubtitle /$cby Someone.
 * ```
 *
 * Rules: each field is `=` + tag + two spaces + content. In the leader and control fields a blank is
 * written `\`. A data field's content is its two indicators (blank = `\`) followed by subfields, each
 * `$` + code + data. Characters with a meaning here are escaped in data: `$` as `{dollar}`, `{` as
 * `{lcub}`, `}` as `{rcub}`, `\` in the leader and control fields as `{bsol}`, and control
 * characters as `{U+001F}`-style code points. A `=LDR` line starts each record; blank lines are
 * ignored.
 *
 * @see https://www.loc.gov/marc/makrbrkr.html
 */
import { AppError } from '../kernel/app-error.ts';
import {
  isControlField,
  isControlTag,
  LEADER_LENGTH,
  type MarcField,
  type MarcRecord,
  type Subfield,
} from './record.ts';

/** The error {@link parseMarcText} throws: `line` is the 1-based line of the text that is wrong. */
export class MarcTextError extends AppError<'MARC_TEXT_INVALID'> {
  readonly line: number;

  constructor(line: number, message: string) {
    super('MARC_TEXT_INVALID', `line ${line}: ${message}`, { line });
    this.name = 'MarcTextError';
    this.line = line;
  }
}

const NAMED_ESCAPES: Record<string, string> = { dollar: '$', lcub: '{', rcub: '}', bsol: '\\' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what gets escaped
const NEEDS_ESCAPE = /[${}\\\x00-\x1f\x7f ]/g;

function escapeData(value: string, isControl: boolean): string {
  return value.replace(NEEDS_ESCAPE, (c) => {
    if (c === '$') return '{dollar}';
    if (c === '{') return '{lcub}';
    if (c === '}') return '{rcub}';
    if (c === '\\') return isControl ? '{bsol}' : c;
    if (c === ' ') return isControl ? '\\' : c;
    return `{U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`;
  });
}

function unescapeText(value: string, isControl: boolean, line: number): string {
  return value.replace(/\{([^{}]*)\}|\\|\{|\}/g, (match, name: string | undefined) => {
    if (match === '\\') return isControl ? ' ' : '\\';
    if (name === undefined)
      throw new MarcTextError(line, `unmatched "${match}": write {lcub} for "{" and {rcub} for "}"`);
    const named = NAMED_ESCAPES[name];
    if (named !== undefined) return named;
    const codePoint = /^U\+([0-9A-Fa-f]{4,6})$/.exec(name);
    if (codePoint) return String.fromCodePoint(Number.parseInt(codePoint[1]!, 16));
    throw new MarcTextError(
      line,
      `unknown escape {${name}}: use {dollar}, {lcub}, {rcub}, {bsol} or {U+XXXX}`,
    );
  });
}

function indicatorText(indicator: string): string {
  return indicator === ' ' || indicator === '' ? '\\' : indicator;
}

/** The text view of one record: `=LDR` then one line per field, joined by newlines (no final newline). */
export function toMarcText(record: MarcRecord): string {
  const lines = [`=LDR  ${escapeData(record.leader, true)}`];
  for (const field of record.fields) {
    if (isControlField(field)) {
      lines.push(`=${field.tag}  ${escapeData(field.value, true)}`);
      continue;
    }
    let line = `=${field.tag}  ${indicatorText(field.ind1)}${indicatorText(field.ind2)}`;
    for (const { code, value } of field.subfields) line += `$${code}${escapeData(value, false)}`;
    lines.push(line);
  }
  return lines.join('\n');
}

function parseField(tag: string, content: string, line: number): MarcField {
  if (isControlTag(tag)) return { tag, value: unescapeText(content, true, line) };
  if (content.length < 2)
    throw new MarcTextError(line, `data field ${tag} needs two indicators (blank = \\)`);
  const indicator = (c: string) => (c === '\\' || c === ' ' ? ' ' : c);
  const ind1 = indicator(content.charAt(0));
  const ind2 = indicator(content.charAt(1));
  const rest = content.slice(2);
  if (!rest.startsWith('$')) {
    throw new MarcTextError(
      line,
      rest.length === 0
        ? `data field ${tag} has no subfields (write $a… after the indicators)`
        : `data field ${tag}: expected "$" and a subfield code after the indicators, found ${JSON.stringify(rest.slice(0, 10))}`,
    );
  }
  const subfields: Subfield[] = [];
  let from = 0;
  while (from < rest.length) {
    let to = rest.indexOf('$', from + 2);
    if (to === -1) to = rest.length;
    const code = rest.charAt(from + 1);
    if (code === '')
      throw new MarcTextError(line, `data field ${tag}: "$" at the end of the line has no subfield code`);
    subfields.push({ code, value: unescapeText(rest.slice(from + 2, to), false, line) });
    from = to;
  }
  return { tag, ind1, ind2, subfields };
}

/**
 * Parses the text view back into records (one per `=LDR` line).
 *
 * @throws MarcTextError naming the first wrong line: a line not shaped `=TAG  content`, a leader
 * that is not 24 characters, a data field without indicators or subfields, an unknown `{…}` escape.
 */
export function parseMarcTextRecords(text: string): MarcRecord[] {
  const records: MarcRecord[] = [];
  let current: MarcRecord | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const source = lines[i]!;
    if (source.trim() === '') continue;
    const match = /^=([0-9A-Za-z]{3}) {2}(.*)$/.exec(source);
    if (!match) {
      throw new MarcTextError(
        line,
        `expected "=TAG  content" (an equals sign, a 3-character tag, two spaces), found ${JSON.stringify(source.slice(0, 20))}`,
      );
    }
    const tag = match[1]!;
    const content = match[2]!;
    if (tag === 'LDR') {
      const leader = unescapeText(content, true, line);
      if (leader.length !== LEADER_LENGTH) {
        throw new MarcTextError(
          line,
          `the leader is ${leader.length} characters; it must be 24 (blank = \\)`,
        );
      }
      current = { leader, fields: [] };
      records.push(current);
      continue;
    }
    if (current === null)
      throw new MarcTextError(line, 'a record starts with its leader: put a =LDR line first');
    current.fields.push(parseField(tag, content, line));
  }
  return records;
}

/**
 * Parses the text view of exactly one record (the MARC editor's case).
 *
 * @throws MarcTextError naming the line at fault; also when the text holds no record or several.
 */
export function parseMarcText(text: string): MarcRecord {
  const records = parseMarcTextRecords(text);
  if (records.length !== 1) {
    const ldrLines = text.split(/\r?\n/).flatMap((l, i) => (l.startsWith('=LDR') ? [i + 1] : []));
    throw new MarcTextError(
      ldrLines[1] ?? 1,
      records.length === 0
        ? 'no record: the text needs a =LDR line'
        : `expected one record, found ${records.length}`,
    );
  }
  return records[0]!;
}
