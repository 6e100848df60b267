/** RFC 4180 comma-separated values: a small reader and writer for imports and exports (pure, no I/O). */
export { type CsvRecord, CsvSyntaxError, formatCsvField, formatCsvRow, parseCsv, writeCsv } from './csv.ts';
