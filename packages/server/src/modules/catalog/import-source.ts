import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type MarcFormat, readMarc } from '../../marc/index.ts';
import { type PreparedInput, prepareInput } from './import-prepare.ts';

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

export interface WorkerInput {
  kind: 'stacks-catalog-import';
  path: string;
  format: MarcFormat;
  /** Records per message. */
  batch: number;
  /** Messages the worker may send before the import asks for more. */
  ahead: number;
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
 * thread waits for the other.
 */
export async function* preparedFromFile(
  path: string,
  format: MarcFormat,
  options: { batchSize: number; workerMinBytes?: number },
): AsyncGenerator<PreparedInput> {
  const workerMinBytes = options.workerMinBytes ?? WORKER_MIN_BYTES;
  const { size } = await stat(path);
  const code = size >= workerMinBytes ? await bundledWorker() : null;
  if (code === null) {
    for await (const result of readMarc(createReadStream(path, { highWaterMark: 1 << 20 }), format))
      yield prepareInput(result);
    return;
  }
  const ahead = Math.max(4, Math.ceil((2 * options.batchSize) / WORKER_BATCH));
  const input: WorkerInput = { kind: 'stacks-catalog-import', path, format, batch: WORKER_BATCH, ahead };
  const worker = new Worker(code, { eval: true, workerData: input });
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
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
  try {
    for (;;) {
      const message = queue.shift();
      if (message === undefined) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      if (message.type === 'error') throw new Error(message.message);
      if (message.type === 'done') return;
      worker.postMessage('more');
      yield* message.inputs;
    }
  } finally {
    await worker.terminate();
  }
}
