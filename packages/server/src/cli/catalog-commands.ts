import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { systemActor } from '../kernel/actor.ts';
import {
  DEFAULT_MATCH_POINTS,
  type DuplicateRule,
  type ImportReport,
  isExportFormat,
  type MatchPoint,
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

/** `stacks export`: records (all, or those a query finds) with their items, in any of the three formats. */
export async function exportRecords(flags: { format: string; query?: string; out: string }): Promise<void> {
  const format = flags.format;
  if (!isExportFormat(format)) throw new CliError('--format must be iso2709, marcxml or json', 2);
  await withApp(async (app) => {
    const total = (await app.services.catalog.search({ q: flags.query ?? '', limit: 1 })).total;
    const bar = progressBar(`exporting to ${flags.out}`);
    let count = 0;
    async function* counted() {
      for await (const record of app.services.catalogExport.exportRecords(flags.query ?? '')) {
        count++;
        if (count % 500 === 0) bar(count, total, `${count} records`);
        yield record;
      }
    }
    await pipeline(writeExport(counted(), format), createWriteStream(resolve(flags.out)));
    bar(total, total, `${count} records`);
    bar.done();
    console.log(`Exported ${count} record(s) to ${resolve(flags.out)} (${flags.format})`);
  });
}
