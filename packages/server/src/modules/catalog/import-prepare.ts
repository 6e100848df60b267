import type { ReadResult } from '../../marc/index.ts';
import { type EmbeddedItem, splitHoldings } from './holdings.ts';
import { type PreparedRecord, prepareRecord } from './record-prepare.ts';

/**
 * A record read from a file and worked out for the catalog, as plain data: what the import needs from
 * it, without the MARC record object. The import's CPU work per record (parsing, the summary, the
 * search document, MARC-in-JSON, the content hash) happens here, so it can run in a worker thread
 * while the import thread writes to the database (see `import-worker.ts`).
 */
export interface PreparedInput {
  recordIndex: number;
  byteOffset: number;
  /** What the reader reported about the record. */
  problems: { severity: 'error' | 'warning'; message: string }[];
  /** Null when nothing could be recovered. */
  entry: { prepared: PreparedRecord; items: EmbeddedItem[] } | null;
}

/** Works out a record read from a file: its embedded items split off, its rows prepared. */
export function prepareInput(result: ReadResult): PreparedInput {
  const problems = result.problems.map((p) => ({ severity: p.severity, message: p.message }));
  if (!result.record)
    return { recordIndex: result.recordIndex, byteOffset: result.byteOffset, problems, entry: null };
  const { record, items } = splitHoldings(result.record);
  return {
    recordIndex: result.recordIndex,
    byteOffset: result.byteOffset,
    problems,
    entry: { prepared: prepareRecord(record), items },
  };
}
