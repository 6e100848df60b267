/**
 * What the import worker (`import-worker.ts`) and the thread that runs it (`import-source.ts`) share
 * about the worker's progress, so the import can give up a record the worker spends too long on.
 * Kept apart from both so the worker's bundle takes nothing of the main thread's code.
 */

/**
 * The slots of the worker's progress (a Float64Array over a SharedArrayBuffer): since when (by
 * {@link progressTime}) the worker has been busy on its current record, 0 while it waits for the
 * import; the index and byte offset of the last record read; and whether it is working that record
 * out (1) or reading the next (0).
 */
export const PROGRESS_SLOTS = { busySince: 0, lastRead: 1, lastReadOffset: 2, preparing: 3 } as const;

/** The problem reported for a record given up for time. */
export function overBudgetMessage(budgetMs: number): string {
  return `working out the record took longer than ${budgetMs / 1000} s; skipped`;
}

/**
 * Milliseconds for measuring how long the worker is busy, comparable between threads (each thread's
 * `performance.now()` counts from its own start). Not the domain's time, which comes from the Clock.
 */
export function progressTime(): number {
  return performance.timeOrigin + performance.now();
}
