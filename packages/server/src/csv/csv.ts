/**
 * Comma-separated values as RFC 4180 defines them: fields separated by commas, records by CRLF (LF
 * alone and a missing final line break are accepted too), fields that hold a comma, a quote or a
 * line break enclosed in double quotes, and a quote inside such a field written twice. Pure: text in,
 * rows out, and back; no I/O. Spreadsheets write a UTF-8 byte order mark first; the reader drops it.
 *
 * Formula injection: a spreadsheet opening a CSV file runs a cell that starts with `=`, `+`, `-` or `@`
 * (or a tab or carriage return before one) as a formula, so `=HYPERLINK(…)` typed in as a patron's name
 * would become a live link or command in whoever opens the export. The writer puts a single quote `'`
 * before any text field that starts with one of those characters (`-2+3` is written `'-2+3`), which
 * spreadsheets show as text; numbers and booleans passed as such are written as they are. The reader
 * undoes it: a field that starts with `'` followed by one of those characters loses the `'`, as a
 * spreadsheet shows it. Text that already starts with quote marks before such a character gets one more,
 * so whatever this writer wrote reads back exactly.
 * The reader refuses text holding U+0000, which the databases cannot store as text.
 */

/** One record of a file: its fields and the line it starts on (1-based, counting physical lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Why a text is not CSV: the message names the line where the problem is. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Splits CSV text into records. Blank lines between records are skipped (spreadsheets leave them at
 * the end); a quoted field may span lines. Throws {@link CsvSyntaxError} for a quote that is never
 * closed or text after a closing quote, naming the line.
 *
 * @example
 * parseCsv('name,notes\r\n"Doe, Jo","said ""hi"""\r\n');
 * // [{ line: 1, fields: ['name', 'notes'] }, { line: 2, fields: ['Doe, Jo', 'said "hi"'] }]
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const nul = source.indexOf('\0');
  if (nul !== -1) {
    const line = source.slice(0, nul).split('\n').length;
    throw new CsvSyntaxError('a NUL character (U+0000) is not allowed', line);
  }
  const length = source.length;
  let i = 0;
  let line = 1;
  while (i < length) {
    const start = line;
    // A line with nothing on it is not a record of one empty field.
    if (source[i] === '\n' || (source[i] === '\r' && source[i + 1] === '\n')) {
      i += source[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (source[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= length) throw new CsvSyntaxError('a quoted field is never closed', quoteLine);
          const c = source[i]!;
          if (c === '"') {
            if (source[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = source[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(
            'text follows a closing quote; write a quote inside a quoted field as two quotes ("")',
            line,
          );
        }
      } else {
        const from = i;
        while (i < length) {
          const c = source[i];
          if (c === ',' || c === '\n' || (c === '\r' && source[i + 1] === '\n')) break;
          i++;
        }
        field = source.slice(from, i);
      }
      fields.push(NEUTRALISED.test(field) ? field.slice(1) : field);
      if (source[i] === ',') {
        i++;
        continue;
      }
      // End of the record: a line break or the end of the text.
      if (source[i] === '\r') i++;
      if (source[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    records.push({ fields, line: start });
  }
  return records;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
/**
 * Text the writer puts a `'` before: what a spreadsheet would run as a formula, and (so that reading
 * takes off exactly what writing added) such text already behind quote marks.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
/** A field as the writer neutralises it: one `'` more before such text. */
const NEUTRALISED = /^''*[=+\-@\t\r]/;

/**
 * One text field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, quote, line break
 * or edge space; and a `'` first when it starts with `=`, `+`, `-`, `@`, a tab or a carriage return, so
 * no spreadsheet runs it as a formula.
 */
export function formatCsvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One record followed by CRLF. `null` and `undefined` are written as empty fields; numbers and booleans
 * as they are (a negative number is a number, not a formula); text through {@link formatCsvField}.
 */
export function formatCsvRow(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields
    .map((f) => (f === null || f === undefined ? '' : typeof f === 'string' ? formatCsvField(f) : String(f)))
    .join(',')}\r\n`;
}

/** A whole file: every record in turn, each ending in CRLF. */
export function writeCsv(
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  return rows.map(formatCsvRow).join('');
}
