import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** How often the checkpointer works, and how it keeps the write-ahead log file in bounds. */
export interface CheckpointerOptions {
  /** How often the worker copies the log into the database file (PASSIVE checkpoint). Default 100 ms. */
  everyMs?: number;
  /** After this long without a single write, a log file larger than `truncateAboveBytes` is emptied. Default 60 s. */
  idleTruncateMs?: number;
  /** Default 64 MiB. */
  truncateAboveBytes?: number;
  /**
   * A log that has grown to this many pages without a moment's pause in the writes is started over
   * even though that holds up the writes for a moment. Default 1,048,576 (4 GiB of 4 KiB pages).
   */
  restartAboveFrames?: number;
  /** Told when the worker fails (the server's connection then checkpoints by itself again). */
  onError?: (error: unknown) => void;
}

/**
 * Copies the SQLite write-ahead log back into the database file from a worker thread, so that the
 * server's own thread never does: a checkpoint ends with an fsync of the log and of the database file,
 * and under a steady stream of commits each fsync waits for the disk to take everything written
 * meanwhile. Measured at a million items and 1,000 checkouts a second, every checkpoint left to the
 * server's connection cost one request 18 ms to 150 ms and held up the hundreds queued behind it.
 *
 * The worker opens its own connection and runs a PASSIVE checkpoint (it never blocks readers or the
 * writer) every `everyMs`. The server's connection never checkpoints (`wal_autocheckpoint = 0`) and
 * never truncates the log (`journal_size_limit = -1`, since cutting a file of hundreds of megabytes
 * took 300 ms here). SQLite starts the log over at the first write after a checkpoint has copied all of
 * it, which happens at the first pause in the writes; under a burst with no pause the log grows meanwhile
 * (about 65 MB a second at 1,000 checkouts a second). What the worker does to keep it in bounds:
 * - after `idleTruncateMs` with no write at all, it empties a log file larger than `truncateAboveBytes`
 *   (TRUNCATE checkpoint: a write arriving just then waits for it);
 * - should the log ever reach `restartAboveFrames` pages, it starts it over (RESTART checkpoint), which
 *   makes the writes wait for it.
 *
 * If the worker fails, the server's connection goes back to SQLite's own checkpoints and `onError` is told.
 */
export function startCheckpointer(
  sqlite: BetterSqlite3.Database,
  file: string,
  options: CheckpointerOptions = {},
): { stop(): Promise<void> } {
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma('journal_size_limit = -1');
  const everyMs = options.everyMs ?? 100;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      everyMs,
      idleTicks: Math.max(1, Math.round((options.idleTruncateMs ?? 60_000) / everyMs)),
      truncateAboveBytes: options.truncateAboveBytes ?? 64 * 1024 * 1024,
      restartAboveFrames: options.restartAboveFrames ?? 1_048_576,
    },
  });
  worker.unref();
  worker.on('error', (error) => {
    sqlite.pragma('wal_autocheckpoint = 1000');
    sqlite.pragma('journal_size_limit = 67108864');
    options.onError?.(error);
  });
  return {
    async stop() {
      await worker.terminate();
    },
  };
}

// `log` and `checkpointed` are the pages in the log and the pages copied, as the checkpoint saw them:
// the same `log` as the tick before, all of it copied, means nothing was written in between.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 100');
let idle = 0;
let lastLog = -1;
setInterval(() => {
  try {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    idle = log === lastLog && log === checkpointed ? idle + 1 : 0;
    lastLog = log;
    if (log >= workerData.restartAboveFrames) {
      db.pragma('wal_checkpoint(RESTART)');
    } else if (idle >= workerData.idleTicks && statSync(workerData.file + '-wal').size > workerData.truncateAboveBytes) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      idle = 0;
    }
  } catch {
    // Busy (a write or another checkpoint in the way): the next tick tries again.
  }
}, workerData.everyMs);
`;
