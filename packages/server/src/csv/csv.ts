/**
 * Comma-separated values as RFC 4180 defines them: fields separated by commas, records by CRLF (LF
 * alone and a missing final line break are accepted too), fields that hold a comma, a quote or a
 * line break enclosed in double quotes, and a quote inside such a field written twice. Pure: text in,
 * rows out, and back; no I/O. Spreadsheets write a UTF-8 byte order mark first; the reader drops it.
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
      fields.push(field);
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

/** One field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, quote, line break or edge space. */
export function formatCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One record followed by CRLF. `null` and `undefined` are written as empty fields. */
export function formatCsvRow(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map((f) => (f === null || f === undefined ? '' : formatCsvField(String(f)))).join(',')}\r\n`;
}

/** A whole file: every record in turn, each ending in CRLF. */
export function writeCsv(
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  return rows.map(formatCsvRow).join('');
}
