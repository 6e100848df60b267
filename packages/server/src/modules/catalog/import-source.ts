import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type MarcFormat, readMarc } from '../../marc/index.ts';
import { type PreparedInput, prepareInput } from './import-prepare.ts';
import { PROGRESS_SLOTS, progressTime } from './import-progress.ts';

/**
 * The records of a file, read and prepared for import in a worker thread, so that an import uses two
 * cores: the worker parses and works out each record (about half the CPU time of an import), the
 * import's thread writes to the database. The worker is `import-worker.ts` bundled by esbuild (a
 * dependency of the server, which bundles the CLI the same way) into one CommonJS script run with
 * `eval`: it needs no file of its own and starts in a fraction of a second. Where that is impossible
 * (no sources next to the bundle, no esbuild), or for a small file, the records are read and prepared
 * in this thread: the same functions, the same results.
 */

/** Files smaller than this are read in this thread: starting a worker would cost more than it saves. */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * How long the worker may spend on one record (reading it and working it out) before the record is
 * given up: the worker is stopped, the record reported as a problem and skipped, and a new worker goes
 * on after it. A record takes well under a millisecond; the bound only catches input that something
 * still handles in more than linear time, so that it cannot hold an import for ever.
 */
const RECORD_BUDGET_MS = 10_000;

/** Records given up for time in one file; at the next, the rest of the file is given up too. */
const MAX_RECORDS_OVER_BUDGET = 10;

export interface WorkerInput {
  kind: 'stacks-catalog-import';
  path: string;
  format: MarcFormat;
  /** Records per message. */
  batch: number;
  /** Messages the worker may send before the import asks for more. */
  ahead: number;
  /** Records up to this index were delivered by an earlier worker: read past, not sent again. */
  after: number;
  /** Records given up for time by an earlier worker: reported, not worked on. */
  skip: number[];
  /** Stop after this record (the rest of the file is given up), or -1. */
  stopAfter: number;
  /** The budget, for the problem reported with a skipped record. */
  budgetMs: number;
  /** Where the worker shows what it is doing (a Float64Array of `PROGRESS_SLOTS`). */
  progress: SharedArrayBuffer;
  /** Tests only: the worker spins on this record until it is stopped, to exercise the budget. */
  stallForTest?: number;
}

/** Records per message from the worker. */
const WORKER_BATCH = 256;

export type WorkerMessage =
  | { type: 'batch'; inputs: PreparedInput[] }
  | { type: 'done' }
  | { type: 'error'; message: string };

let workerCode: Promise<string | null> | null = null;

/** The worker script, bundled once per process; null when that is impossible. */
function bundledWorker(): Promise<string | null> {
  workerCode ??= (async () => {
    // Beside this module when running from the sources; under src/ when running from the bundle in dist/.
    const here = dirname(fileURLToPath(import.meta.url));
    const source = [
      join(here, 'import-worker.ts'),
      join(here, '..', 'src', 'modules', 'catalog', 'import-worker.ts'),
    ].find((path) => existsSync(path));
    if (source === undefined) return null;
    try {
      const esbuild = await import('esbuild');
      const result = await esbuild.build({
        entryPoints: [source],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      });
      return result.outputFiles[0]?.text ?? null;
    } catch {
      return null;
    }
  })();
  return workerCode;
}

/** Whether imports can prepare records in a worker thread here. */
export async function importWorkerAvailable(): Promise<boolean> {
  return (await bundledWorker()) !== null;
}

/**
 * The records of a file, read and prepared for import: in a worker thread when possible and the file
 * is at least `workerMinBytes` long. The worker works up to two of the import's transactions
 * (`batchSize` records each) ahead: while one is being written it prepares the next in full, so neither
 * thread waits for the other. A record the worker spends more than its budget on is reported and
 * skipped (see {@link RECORD_BUDGET_MS}); in this thread the work per record is bounded by the size
 * limits alone (`MAX_IMPORT_RECORD_LENGTH`, and files this small).
 */
export async function* preparedFromFile(
  path: string,
  format: MarcFormat,
  options: {
    batchSize: number;
    workerMinBytes?: number;
    /** How long the worker may spend on one record; see {@link RECORD_BUDGET_MS}. */
    recordBudgetMs?: number;
    /** Tests only: see {@link WorkerInput.stallForTest}. */
    stallForTest?: number;
  },
): AsyncGenerator<PreparedInput> {
  const workerMinBytes = options.workerMinBytes ?? WORKER_MIN_BYTES;
  const { size } = await stat(path);
  const code = size >= workerMinBytes ? await bundledWorker() : null;
  if (code === null) {
    for await (const result of readMarc(createReadStream(path, { highWaterMark: 1 << 20 }), format, {
      keepSource: true,
    }))
      yield prepareInput(result);
    return;
  }
  const ahead = Math.max(4, Math.ceil((2 * options.batchSize) / WORKER_BATCH));
  const budgetMs = options.recordBudgetMs ?? RECORD_BUDGET_MS;
  let delivered = -1;
  const skip: number[] = [];
  /** Set when the rest of the file is given up: the last record to read, and what to report after it. */
  let giveUp: { stopAfter: number; problem: PreparedInput } | null = null;
  for (;;) {
    const input: WorkerInput = {
      kind: 'stacks-catalog-import',
      path,
      format,
      batch: WORKER_BATCH,
      ahead,
      after: delivered,
      skip: [...skip],
      stopAfter: giveUp?.stopAfter ?? -1,
      budgetMs,
      progress: new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT),
      ...(options.stallForTest === undefined ? {} : { stallForTest: options.stallForTest }),
    };
    const run = workerRun(code, input);
    let step = await run.next();
    try {
      while (!step.done) {
        delivered = step.value.recordIndex;
        yield step.value;
        step = await run.next();
      }
    } finally {
      await run.return(null);
    }
    const stall = step.value;
    if (stall === null) {
      if (giveUp) yield giveUp.problem;
      return;
    }
    // Working a record out took too long: go on without it. Reading one took too long (or too many
    // records did, or a worker given up on once stalls again): read up to it once more, then give up
    // the rest of the file.
    if (stall.preparing && skip.length < MAX_RECORDS_OVER_BUDGET && giveUp === null) {
      skip.push(stall.recordIndex);
      continue;
    }
    const seconds = budgetMs / 1000;
    const problem: PreparedInput = {
      recordIndex: stall.recordIndex,
      byteOffset: stall.byteOffset,
      problems: [
        {
          severity: 'error',
          message: stall.preparing
            ? `working out the record took longer than ${seconds} s, as it did for ${skip.length} earlier ones; the rest of the file was not read`
            : `reading the record after byte ${stall.byteOffset} took longer than ${seconds} s; the rest of the file was not read`,
        },
      ],
      entry: null,
    };
    if (giveUp !== null) {
      yield problem;
      return;
    }
    giveUp = { stopAfter: stall.recordIndex - 1, problem };
  }
}

/**
 * A record a worker spent more than its budget on: its index, whether the worker was working it out
 * (else reading it), and the byte offset of the last record read (this one when working it out).
 */
interface Stall {
  recordIndex: number;
  preparing: boolean;
  byteOffset: number;
}

/**
 * One worker's run over the file: yields what it prepares, and returns null when it is done, or the
 * record it spent more than `input.budgetMs` on (it is stopped then).
 */
async function* workerRun(code: string, input: WorkerInput): AsyncGenerator<PreparedInput, Stall | null> {
  const worker = new Worker(code, { eval: true, workerData: input });
  const progress = new Float64Array(input.progress);
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  let stall: Stall | null = null;
  worker.on('message', (message: WorkerMessage) => {
    queue.push(message);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', (code) => {
    if (code !== 0) failure ??= new Error(`the import worker stopped (exit code ${code})`);
    wake?.();
  });
  const watchdog = setInterval(
    () => {
      const since = progress[PROGRESS_SLOTS.busySince]!;
      if (stall !== null || since === 0 || progressTime() - since <= input.budgetMs) return;
      const preparing = progress[PROGRESS_SLOTS.preparing] === 1;
      const lastRead = progress[PROGRESS_SLOTS.lastRead]!;
      const byteOffset = progress[PROGRESS_SLOTS.lastReadOffset]!;
      stall = { recordIndex: preparing ? lastRead : lastRead + 1, preparing, byteOffset };
      void worker.terminate();
      wake?.();
    },
    Math.min(1000, Math.max(10, input.budgetMs / 4)),
  );
  watchdog.unref();
  try {
    for (;;) {
      const message = queue.shift();
      if (message === undefined) {
        if (stall) return stall;
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      if (message.type === 'error') throw new Error(message.message);
      if (message.type === 'done') return null;
      worker.postMessage('more');
      yield* message.inputs;
    }
  } finally {
    clearInterval(watchdog);
    await worker.terminate();
  }
}
