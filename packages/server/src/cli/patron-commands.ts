import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { App } from '../app.ts';
import { systemActor } from '../kernel/actor.ts';
import type { PatronImportReport } from '../modules/patrons/index.ts';
import { CliError, withApp } from './context.ts';
import { progressBar } from './progress.ts';

const CLI = systemActor('cli');

export interface PatronImportFlags {
  onExisting: string;
  dryRun?: boolean;
  report?: string;
  batch?: string;
}

/** Where command output goes (standard output; tests collect it). */
type Print = (line: string) => void;

/** The columns of the patron CSV format, for `--help`. */
export const PATRON_CSV_HELP = `
Columns (a header row names them, in any order; only first_name, last_name, category and home_branch are required):
  card_barcode    library card barcode (empty: a new one is generated)
  first_name      required
  last_name       required
  birth_date      YYYY-MM-DD
  email, phone, address
  category        patron category code, e.g. ADULT
  home_branch     branch code, e.g. MAIN
  expires_on      YYYY-MM-DD (empty: today + the category's enrolment months)
  notice_channel  email or print (empty: email when there is an address)
  language        e.g. en, es (empty: en)
  notes
A row whose card barcode a patron already has is skipped, or with --on-existing update updates that patron
(non-empty cells only). Possible duplicates (same name and birth date, or same e-mail) are imported and
listed as warnings. A bad row is reported and the others are imported; the exit code is 1 when any row failed.`;

/** Imports a patron CSV file with an app that is already open (the command and tests share it). */
export async function importPatronsWith(app: App, file: string, flags: PatronImportFlags, print: Print) {
  if (!['skip', 'update'].includes(flags.onExisting))
    throw new CliError('--on-existing must be skip or update', 2);
  const batchSize = flags.batch === undefined ? 100 : Number(flags.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000)
    throw new CliError('--batch must be a whole number from 1 to 5000', 2);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliError(`${file}: no such file`, 2);
  }
  const bar = progressBar(`importing ${file}`);
  const report = await app.services.patrons.importCsv(CLI, text, {
    onExisting: flags.onExisting as 'skip' | 'update',
    dryRun: flags.dryRun ?? false,
    batchSize,
    onProgress: (done, total) => bar(done, total, `${done} rows`),
  });
  bar.done();
  printReport(file, report, flags.report, print);
  if (flags.report) await writeFile(resolve(flags.report), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

function printReport(file: string, r: PatronImportReport, reportFile: string | undefined, print: Print) {
  print(
    `${file}: ${r.rows} rows, ${r.created} added, ${r.updated} updated, ${r.unchanged} unchanged, ` +
      `${r.skipped} skipped (card already registered), ${r.failed} failed, ${r.warnings.length} warning(s)` +
      (r.dryRun ? ' — dry run, nothing was written' : ''),
  );
  const shown = reportFile ? 5 : 20;
  const describe = (p: PatronImportReport['errors'][number]) =>
    `row ${p.row}${p.column ? `, ${p.column}` : ''}: ${p.message}`;
  for (const p of r.errors.slice(0, shown)) print(`  error   ${describe(p)}`);
  for (const p of r.warnings.slice(0, shown)) print(`  warning ${describe(p)}`);
  const more = Math.max(0, r.errors.length - shown) + Math.max(0, r.warnings.length - shown);
  if (more > 0)
    print(`  … ${more} more${reportFile ? ` in ${reportFile}` : '; write them all with --report FILE'}`);
}

/** Writes every active patron to a CSV file with an app that is already open. */
export async function exportPatronsWith(app: App, out: string, print: Print): Promise<number> {
  const patrons = app.services.patrons;
  const total = await patrons.countActivePatrons();
  const bar = progressBar(`exporting to ${out}`);
  let count = 0;
  const rows = patrons.exportCsv(CLI, {
    onProgress: (done) => {
      count = done;
      bar(done, total, `${done} patrons`);
    },
  });
  await pipeline(Readable.from(rows), createWriteStream(resolve(out)));
  bar.done();
  print(`Exported ${count} patron(s) to ${resolve(out)}`);
  return count;
}

/** `stacks patrons import FILE`: registers (or updates) patrons from CSV, row by row, with a report. */
export async function importPatrons(file: string, flags: PatronImportFlags): Promise<void> {
  const report = await withApp((app) => importPatronsWith(app, file, flags, console.log));
  if (report.failed > 0) process.exitCode = 1;
}

/** `stacks patrons export --out FILE`: every active patron as CSV, in the import's columns. */
export async function exportPatrons(flags: { out: string }): Promise<void> {
  await withApp((app) => exportPatronsWith(app, flags.out, console.log));
}
