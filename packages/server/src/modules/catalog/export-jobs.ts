import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../../db/database.ts';
import type { CatalogExportRow } from '../../db/schema.ts';
import { type Actor, actorRef } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { Logger } from '../../kernel/logger.ts';
import * as repo from './catalog-repository.ts';
import {
  EXPORT_FILE_TYPES,
  type ExportEntry,
  type ExportFormat,
  type ExportReport,
  type ExportService,
  newExportReport,
  writeExport,
} from './export-service.ts';

/** An export started through the API, as its progress is reported. */
export interface ExportJob {
  id: string;
  /** `expired`: it finished, but its file has since been removed (see {@link EXPORT_KEEP_HOURS}). */
  status: 'running' | 'done' | 'failed' | 'interrupted' | 'expired';
  format: ExportFormat;
  query: string;
  /** Records the query matched when the export started. */
  recordsTotal: number;
  recordsDone: number;
  /** 0–100. */
  percent: number;
  report: ExportReport | null;
  error: string | null;
  /** The file's size once done. */
  sizeBytes: number | null;
  /** The name the file downloads as. */
  fileName: string;
  createdAt: string;
  finishedAt: string | null;
}

/** A running export not heard from in this long died with its server process. */
const STALE_MS = 5 * 60_000;
/** Progress is written to the database at most this often. */
const PROGRESS_EVERY_MS = 500;
/** How long a finished export's file is kept for download. */
export const EXPORT_KEEP_HOURS = 24;
/** How many finished exports' files are kept at most (the newest). */
export const EXPORT_KEEP_FILES = 5;
/** Exports running at once at most: each reads the whole catalog and writes a file of its size. */
export const EXPORT_MAX_RUNNING = 2;

/**
 * Exports run in the background: the file is written to `<data dir>/exports/` (under a temporary name
 * until it is complete), progress and the report go to the database, so any process can answer "how
 * far is it?", and the file is downloaded when done. Files are removed after
 * {@link EXPORT_KEEP_HOURS} hours, or sooner when more than {@link EXPORT_KEEP_FILES} are kept.
 */
export function createExportJobs(deps: {
  database: Database;
  clock: Clock;
  exports: ExportService;
  log: Logger;
  dataDir: string;
}) {
  const { database, clock, exports, log } = deps;
  const db = database.db;
  const folder = join(deps.dataDir, 'exports');
  const filePath = (id: string, format: string) =>
    join(folder, `${id}.${EXPORT_FILE_TYPES[format as ExportFormat].extension}`);
  const partPath = (id: string) => join(folder, `${id}.part`);
  const isStale = (updatedAt: string, now: Date) => now.getTime() - Date.parse(updatedAt) > STALE_MS;

  function toJob(row: CatalogExportRow): ExportJob {
    const status =
      row.status === 'running' && isStale(row.updated_at, clock.now())
        ? 'interrupted'
        : (row.status as ExportJob['status']);
    const total = row.records_total;
    const format = row.format as ExportFormat;
    return {
      id: row.id,
      status,
      format,
      query: row.query,
      recordsTotal: total,
      recordsDone: row.records_done,
      percent:
        row.status === 'done' || row.status === 'expired'
          ? 100
          : total === 0
            ? 0
            : Math.min(99, Math.floor((row.records_done / total) * 100)),
      report: row.report === null ? null : (JSON.parse(row.report) as ExportReport),
      error: row.error,
      sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
      fileName: `catalog-${row.created_at.slice(0, 10)}.${EXPORT_FILE_TYPES[format].extension}`,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    };
  }

  /** Removes the files of exports past keeping, and of exports that died with their process. */
  async function tidy(now: Date): Promise<void> {
    const rows = await repo.findExportRowsByStatus(db, ['running', 'done']);
    let kept = 0;
    for (const row of rows) {
      if (row.status === 'running') {
        if (!isStale(row.updated_at, now)) continue;
        await rm(partPath(row.id), { force: true });
        await repo.updateExportRow(db, row.id, { status: 'interrupted' });
        continue;
      }
      const old =
        now.getTime() - Date.parse(row.finished_at ?? row.updated_at) > EXPORT_KEEP_HOURS * 3_600_000;
      if (!old && ++kept <= EXPORT_KEEP_FILES) continue;
      await rm(filePath(row.id, row.format), { force: true });
      await repo.updateExportRow(db, row.id, { status: 'expired' });
    }
  }

  async function run(id: string, format: ExportFormat, query: string): Promise<void> {
    const report = newExportReport(format);
    let done = 0;
    let lastWrite = performance.now();
    let pending: Promise<void> = Promise.resolve();
    async function* counted(): AsyncGenerator<ExportEntry> {
      for await (const entry of exports.exportRecords(query)) {
        done++;
        const t = performance.now();
        if (t - lastWrite >= PROGRESS_EVERY_MS) {
          lastWrite = t;
          await pending;
          pending = repo.updateExportRow(db, id, {
            records_done: done,
            updated_at: clock.now().toISOString(),
          });
        }
        yield entry;
      }
    }
    const part = partPath(id);
    try {
      await pipeline(Readable.from(writeExport(counted(), format, report)), createWriteStream(part));
      await pending;
      const { size } = await stat(part);
      await rename(part, filePath(id, format));
      const at = clock.now().toISOString();
      await repo.updateExportRow(db, id, {
        status: 'done',
        records_done: done,
        size_bytes: size,
        report: JSON.stringify(report),
        updated_at: at,
        finished_at: at,
      });
      log.info(
        { exportId: id, written: report.written, repaired: report.repaired, skipped: report.skipped },
        'catalog export finished',
      );
    } catch (error) {
      log.error({ exportId: id, err: error }, 'catalog export failed');
      try {
        await pending.catch(() => undefined);
        await rm(part, { force: true });
        const at = clock.now().toISOString();
        await repo.updateExportRow(db, id, {
          status: 'failed',
          records_done: done,
          error: `The export stopped after ${done} record(s): ${(error as Error).message}`,
          report: JSON.stringify(report),
          updated_at: at,
          finished_at: at,
        });
      } catch (cleanup) {
        log.error({ exportId: id, err: cleanup }, 'catalog export failure could not be recorded');
      }
    }
  }

  async function get(id: string): Promise<ExportJob> {
    const row = await repo.findExportRow(db, id);
    if (!row) throw new AppError('EXPORT_NOT_FOUND', `No export has the id ${id}`, { exportId: id });
    return toJob(row);
  }

  return {
    /**
     * Starts exporting the records `q` finds (every record when empty) and returns at once with the
     * job; the export goes on in the background. Refused while {@link EXPORT_MAX_RUNNING} run.
     */
    async start(actor: Actor, input: { format: ExportFormat; q?: string }): Promise<ExportJob> {
      const now = clock.now();
      await tidy(now);
      const running = await repo.findExportRowsByStatus(db, ['running']);
      if (running.length >= EXPORT_MAX_RUNNING)
        throw new AppError(
          'EXPORT_LIMIT_REACHED',
          `${running.length} exports are running; start another when one has finished`,
          { running: running.length, limit: EXPORT_MAX_RUNNING },
        );
      const query = input.q?.trim() ?? '';
      const total = await exports.countRecords(query);
      await mkdir(folder, { recursive: true });
      const id = newId(now.getTime());
      await repo.insertExportRow(db, {
        id,
        status: 'running',
        format: input.format,
        query,
        records_total: total,
        records_done: 0,
        size_bytes: null,
        report: null,
        error: null,
        created_by: actorRef(actor).id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        finished_at: null,
      });
      void run(id, input.format, query);
      return toJob((await repo.findExportRow(db, id))!);
    },

    get,

    /** Where a finished export's file is, to send it; refused while it runs, or when it failed or expired. */
    async file(
      id: string,
    ): Promise<{ path: string; sizeBytes: number; fileName: string; contentType: string }> {
      const job = await get(id);
      if (job.status === 'expired')
        throw new AppError(
          'EXPORT_NOT_FOUND',
          `The file of export ${id} was removed (files are kept ${EXPORT_KEEP_HOURS} hours); export again`,
          { exportId: id, status: job.status },
        );
      if (job.status !== 'done')
        throw new AppError('EXPORT_NOT_READY', `Export ${id} is ${job.status}: it has no file to download`, {
          exportId: id,
          status: job.status,
        });
      const path = filePath(id, job.format);
      const size = await stat(path).then(
        (s) => s.size,
        () => null,
      );
      if (size === null)
        throw new AppError('EXPORT_NOT_FOUND', `The file of export ${id} is not on this server`, {
          exportId: id,
        });
      return {
        path,
        sizeBytes: size,
        fileName: job.fileName,
        contentType: EXPORT_FILE_TYPES[job.format].contentType,
      };
    },
  };
}

export type ExportJobs = ReturnType<typeof createExportJobs>;
