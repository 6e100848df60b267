import { createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { systemActor } from '../kernel/actor.ts';
import {
  DEFAULT_MATCH_POINTS,
  type DuplicateRule,
  type ImportReport,
  isExportFormat,
  type MatchPoint,
  newExportReport,
  writeExport,
} from '../modules/catalog/index.ts';
import { CliError, withApp } from './context.ts';
import { progressBar } from './progress.ts';

const CLI = systemActor('cli');
const MATCH_POINTS: readonly MatchPoint[] = ['oclc', 'system', 'lccn', 'isbn', 'issn', 'control'];

export interface ImportFlags {
  onDuplicate: string;
  match?: string;
  branch?: string;
  itemType?: string;
  report?: string;
  batch: string;
}

/** `stacks import FILE…`: MARC records into the catalog, with items from embedded 952 or 852/876 fields. */
export async function importFiles(files: string[], flags: ImportFlags): Promise<void> {
  if (!['skip', 'overlay', 'add'].includes(flags.onDuplicate))
    throw new CliError('--on-duplicate must be skip, overlay or add', 2);
  const matchPoints =
    flags.match === undefined
      ? DEFAULT_MATCH_POINTS
      : (flags.match.split(',').map((m) => m.trim()) as MatchPoint[]);
  for (const m of matchPoints)
    if (!MATCH_POINTS.includes(m))
      throw new CliError(`--match: unknown match point ${m} (known: ${MATCH_POINTS.join(', ')})`, 2);
  const batchSize = Number(flags.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new CliError('--batch must be a whole number from 1 to 10000', 2);
  for (const file of files) {
    try {
      await stat(file);
    } catch {
      throw new CliError(`${file}: no such file`, 2);
    }
  }
  const reports: { file: string; format: string; report: ImportReport; seconds: number }[] = [];
  await withApp(async (app) => {
    for (const file of files) {
      const { size } = await stat(file);
      const bar = progressBar(`importing ${file}`);
      const started = performance.now();
      const { format, report } = await app.services.catalogImport.importFile(CLI, file, {
        onDuplicate: flags.onDuplicate as DuplicateRule,
        matchPoints,
        batchSize,
        ...(flags.branch ? { defaultBranchCode: flags.branch } : {}),
        ...(flags.itemType ? { defaultItemType: flags.itemType } : {}),
        onProgress: ({ read, byteOffset }) => bar(byteOffset, size, `${read} records`),
      });
      bar(size, size, `${report.read} records`);
      bar.done();
      const seconds = (performance.now() - started) / 1000;
      reports.push({ file, format, report, seconds });
      const r = report;
      console.log(
        `${file} (${format}): ${r.read} read, ${r.created} added, ${r.overlaid} overlaid, ${r.skipped} matched and skipped, ` +
          `${r.failed} failed; items: ${r.itemsCreated} added, ${r.itemsExisting} already there, ${r.itemsFailed} failed ` +
          `(${Math.round(r.read / Math.max(seconds, 0.001))} records/s)`,
      );
      const errors = r.problems.filter((p) => p.severity === 'error');
      for (const p of errors.slice(0, flags.report ? 5 : 20))
        console.log(`  record ${p.recordIndex + 1} (byte ${p.byteOffset}): ${p.message}`);
      const more = r.problems.length + r.problemsOmitted - Math.min(errors.length, flags.report ? 5 : 20);
      if (more > 0)
        console.log(
          `  … ${more} more problem(s)${flags.report ? ` in ${flags.report}` : '; write them all with --report FILE'}`,
        );
    }
  });
  if (flags.report) await writeFile(resolve(flags.report), `${JSON.stringify(reports, null, 2)}\n`);
}

/**
 * Writes `chunks` to `path` whole or not at all: to a temporary file beside it first, renamed to `path`
 * once complete. When `chunks` fails (or the disk does), the temporary file is removed, `path` is left
 * as it was, and the error is thrown on.
 */
export async function writeWholeFile(
  path: string,
  chunks: AsyncIterable<Uint8Array | string>,
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.part`);
  try {
    await pipeline(Readable.from(chunks), createWriteStream(temporary, { flags: 'wx' }));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * `stacks export`: records (all, or those a query finds) with their items, in any of the three formats.
 * One record never stops it: what a format cannot carry is repaired or left out, said in the summary
 * (and every repair in `--report FILE`, as JSON). The file is written whole or not at all. Exit code 0
 * when the file is complete (repairs included), 1 when the export stopped (the file is then not
 * written, an older one at that path left as it was).
 */
export async function exportRecords(flags: {
  format: string;
  query?: string;
  out: string;
  report?: string;
}): Promise<void> {
  const format = flags.format;
  if (!isExportFormat(format)) throw new CliError('--format must be iso2709, marcxml or json', 2);
  const out = resolve(flags.out);
  await withApp(async (app) => {
    const exports = app.services.catalogExport;
    const total = await exports.countRecords(flags.query ?? '');
    const bar = progressBar(`exporting to ${out}`);
    let count = 0;
    async function* counted() {
      for await (const entry of exports.exportRecords(flags.query ?? '')) {
        count++;
        if (count % 500 === 0) bar(count, total, `${count} records`);
        yield entry;
      }
    }
    const report = newExportReport(format);
    try {
      await writeWholeFile(out, writeExport(counted(), format, report));
    } catch (error) {
      bar.done();
      throw new CliError(
        `export stopped after ${count} record(s): ${(error as Error).message}; ${out} was not written`,
        1,
      );
    }
    bar(total, total, `${count} records`);
    bar.done();
    console.log(
      `Exported ${report.written} record(s) to ${out} (${format}): ${report.repaired} repaired, ${report.skipped} left out`,
    );
    const shown = flags.report ? 5 : 20;
    for (const p of report.problems.slice(0, shown))
      console.log(
        `  record ${p.recordIndex + 1} (id ${p.recordId}${p.controlNumber ? `, 001 ${p.controlNumber}` : ''}) ${p.severity}: ${p.message}`,
      );
    const more = report.problems.length + report.problemsOmitted - Math.min(report.problems.length, shown);
    if (more > 0)
      console.log(
        `  … ${more} more problem(s)${flags.report ? ` in ${resolve(flags.report)}` : '; write them all with --report FILE'}`,
      );
    if (flags.report) await writeFile(resolve(flags.report), `${JSON.stringify(report, null, 2)}\n`);
  });
}
