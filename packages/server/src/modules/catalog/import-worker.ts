import { createReadStream } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readMarc } from '../../marc/index.ts';
import { type PreparedInput, prepareInput } from './import-prepare.ts';
import type { WorkerInput, WorkerMessage } from './import-source.ts';

/**
 * The import worker (see `import-source.ts`): reads a file and prepares its records, sending them in
 * messages of `input.batch` records, at most `input.ahead` messages ahead of what the import has taken.
 * This module is the worker's entry point; it is bundled with what it imports and nothing else (no
 * database code, no configuration).
 */

async function runWorker(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  let credit = input.ahead;
  let more: (() => void) | null = null;
  port.on('message', () => {
    credit++;
    more?.();
  });
  const send = async (inputs: PreparedInput[]) => {
    while (credit === 0) {
      await new Promise<void>((resolve) => {
        more = resolve;
      });
      more = null;
    }
    credit--;
    port.postMessage({ type: 'batch', inputs } satisfies WorkerMessage);
  };
  let batch: PreparedInput[] = [];
  for await (const result of readMarc(
    createReadStream(input.path, { highWaterMark: 1 << 20 }),
    input.format,
  )) {
    batch.push(prepareInput(result));
    if (batch.length >= input.batch) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
  port.postMessage({ type: 'done' } satisfies WorkerMessage);
  port.close();
}

if (!isMainThread && (workerData as WorkerInput | undefined)?.kind === 'stacks-catalog-import') {
  runWorker(workerData as WorkerInput).catch((error: Error) => {
    parentPort!.postMessage({ type: 'error', message: error.stack ?? String(error) } satisfies WorkerMessage);
  });
}
