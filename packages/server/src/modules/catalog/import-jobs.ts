import { rm } from 'node:fs/promises';
import type { Database } from '../../db/database.ts';
import type { CatalogImportRow } from '../../db/schema.ts';
import { type Actor, actorRef } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { Logger } from '../../kernel/logger.ts';
import { detectFileFormat } from '../../marc/index.ts';
import * as repo from './catalog-repository.ts';
import type { ImportOptions, ImportReport, ImportService } from './import-service.ts';

/** An import started through the API, as its progress is reported. */
export interface ImportJob {
  id: string;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  fileName: string;
  format: string | null;
  sizeBytes: number;
  bytesDone: number;
  recordsRead: number;
  /** 0–100. */
  percent: number;
  report: ImportReport | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A report as stored; reports written before problems had their own positions get the record's. */
function withProblemPositions(report: ImportReport): ImportReport {
  for (const p of report.problems as Partial<ImportReport['problems'][number]>[]) {
    p.recordOffset ??= p.byteOffset;
    p.code ??= null;
    p.tag ??= null;
  }
  return report;
}

/** A running import not heard from in this long died with its server process. */
const STALE_MS = 5 * 60_000;
/** Progress is written to the database at most this often. */
const PROGRESS_EVERY_MS = 500;

/**
 * Imports started by an upload: the file is already on disk; the import runs in this process in the
 * background and writes its progress to the database, so any process can answer "how far is it?".
 */
export function createImportJobs(deps: {
  database: Database;
  clock: Clock;
  imports: ImportService;
  log: Logger;
}) {
  const { database, clock, imports, log } = deps;
  const db = database.db;

  function toJob(row: CatalogImportRow): ImportJob {
    const stale = row.status === 'running' && clock.now().getTime() - Date.parse(row.updated_at) > STALE_MS;
    const size = Number(row.size_bytes);
    const done = Number(row.bytes_done);
    return {
      id: row.id,
      status: stale ? 'interrupted' : (row.status as ImportJob['status']),
      fileName: row.file_name,
      format: row.format,
      sizeBytes: size,
      bytesDone: done,
      recordsRead: row.records_read,
      percent: row.status === 'done' ? 100 : size === 0 ? 0 : Math.min(99, Math.floor((done / size) * 100)),
      report: row.report === null ? null : withProblemPositions(JSON.parse(row.report) as ImportReport),
      error: row.error,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    };
  }

  return {
    /**
     * Starts importing an uploaded file (removed when done) and returns at once with the job; the
     * import goes on in the background, recording its outcome in the job.
     */
    async start(
      actor: Actor,
      upload: { path: string; fileName: string; sizeBytes: number },
      options: Omit<ImportOptions, 'onProgress'>,
    ): Promise<ImportJob> {
      const now = clock.now();
      const id = newId(now.getTime());
      const format = await detectFileFormat(upload.path).catch(() => null);
      if (format === null) {
        await rm(upload.path, { force: true });
        throw new AppError('INVALID_MARC', `${upload.fileName} is not ISO 2709, MARCXML or MARC-in-JSON`, {
          reason: `${upload.fileName}: not ISO 2709, MARCXML or MARC-in-JSON`,
        });
      }
      await repo.insertImportRow(db, {
        id,
        status: 'running',
        file_name: upload.fileName,
        format,
        size_bytes: upload.sizeBytes,
        bytes_done: 0,
        records_read: 0,
        options: JSON.stringify(options),
        report: null,
        error: null,
        created_by: actorRef(actor).id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        finished_at: null,
      });
      let lastWrite = 0;
      let pending: Promise<void> = Promise.resolve();
      void (async () => {
        try {
          const { report } = await imports.importFile(actor, upload.path, {
            ...options,
            importId: id,
            onProgress: ({ read, byteOffset }) => {
              const t = performance.now();
              if (t - lastWrite < PROGRESS_EVERY_MS) return;
              lastWrite = t;
              pending = repo.updateImportRow(db, id, {
                bytes_done: byteOffset,
                records_read: read,
                updated_at: clock.now().toISOString(),
              });
            },
          });
          await pending;
          const at = clock.now().toISOString();
          await repo.updateImportRow(db, id, {
            status: 'done',
            bytes_done: upload.sizeBytes,
            records_read: report.read,
            report: JSON.stringify(report),
            updated_at: at,
            finished_at: at,
          });
          log.info({ importId: id, read: report.read, created: report.created }, 'catalog import finished');
        } catch (error) {
          const at = clock.now().toISOString();
          await repo.updateImportRow(db, id, {
            status: 'failed',
            error: (error as Error).message,
            updated_at: at,
            finished_at: at,
          });
          log.error({ importId: id, err: error }, 'catalog import failed');
        } finally {
          await rm(upload.path, { force: true });
        }
      })();
      return toJob((await repo.findImportRow(db, id))!);
    },

    async get(id: string): Promise<ImportJob> {
      const row = await repo.findImportRow(db, id);
      if (!row) throw new AppError('IMPORT_NOT_FOUND', `No import has the id ${id}`, { importId: id });
      return toJob(row);
    },
  };
}

export type ImportJobs = ReturnType<typeof createImportJobs>;
