import { createReadStream } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readMarc } from '../../marc/index.ts';
import { type PreparedInput, prepareInput } from './import-prepare.ts';
import { overBudgetMessage, PROGRESS_SLOTS, progressTime } from './import-progress.ts';
import type { WorkerInput, WorkerMessage } from './import-source.ts';

/**
 * The import worker (see `import-source.ts`): reads a file and prepares its records, sending them in
 * messages of `input.batch` records, at most `input.ahead` messages ahead of what the import has taken.
 * It shows in `input.progress` which record it is on and since when, so the import can stop it when
 * one record takes longer than its budget; a worker started again after that reads past the records
 * already delivered and reports the skipped ones. This module is the worker's entry point; it is
 * bundled with what it imports and nothing else (no database code, no configuration).
 */

async function runWorker(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  let credit = input.ahead;
  let more: (() => void) | null = null;
  port.on('message', () => {
    credit++;
    more?.();
  });
  const progress = new Float64Array(input.progress);
  const skip = new Set(input.skip);
  const send = async (inputs: PreparedInput[]) => {
    progress[PROGRESS_SLOTS.busySince] = 0;
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
  progress[PROGRESS_SLOTS.lastRead] = -1;
  progress[PROGRESS_SLOTS.busySince] = progressTime();
  for await (const result of readMarc(
    createReadStream(input.path, { highWaterMark: 1 << 20 }),
    input.format,
    { keepSource: true },
  )) {
    progress[PROGRESS_SLOTS.lastRead] = result.recordIndex;
    progress[PROGRESS_SLOTS.lastReadOffset] = result.byteOffset;
    progress[PROGRESS_SLOTS.preparing] = 1;
    if (result.recordIndex > input.after) {
      if (skip.has(result.recordIndex)) {
        batch.push({
          recordIndex: result.recordIndex,
          byteOffset: result.byteOffset,
          problems: [{ severity: 'error', message: overBudgetMessage(input.budgetMs) }],
          entry: null,
        });
      } else {
        if (result.recordIndex === input.stallForTest) for (;;);
        batch.push(prepareInput(result));
      }
    }
    if (batch.length >= input.batch) {
      await send(batch);
      batch = [];
    }
    if (result.recordIndex === input.stopAfter) break;
    progress[PROGRESS_SLOTS.preparing] = 0;
    progress[PROGRESS_SLOTS.busySince] = progressTime();
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
