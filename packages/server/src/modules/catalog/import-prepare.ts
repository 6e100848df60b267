import { LEADER_LENGTH, type MarcRecord, type ReadResult, type RecordSource } from '../../marc/index.ts';
import { type EmbeddedItem, splitHoldings } from './holdings.ts';
import { iso2709Excess, type PreparedRecord, prepareRecord } from './record-prepare.ts';

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
  problems: PreparedProblem[];
  /** Null when nothing could be recovered. */
  entry: { prepared: PreparedRecord; items: EmbeddedItem[] } | null;
  /** The record's original bytes, when the reader kept them (the import stores them beside the record). */
  source?: RecordSource;
}

/** A problem found in a record before the import writes it. */
export interface PreparedProblem {
  severity: 'error' | 'warning';
  message: string;
  /** Where in the input the problem is; the record's own offset when not given. */
  byteOffset?: number;
  /** The reader's code for the problem (see MarcProblemCode). */
  code?: string;
  /** The field the problem is in. */
  tag?: string;
}

/**
 * Where a record holds U+0000, in words (`field 245 $a`), or null. PostgreSQL cannot store the character
 * in text, so such a record is refused on both dialects alike; other control characters are kept.
 */
export function nulCharacterIn(record: MarcRecord): string | null {
  if (record.leader.includes('\0')) return 'the leader';
  for (const f of record.fields) {
    const tag = f.tag.replaceAll('\0', '\\u0000');
    if (f.tag.includes('\0')) return `the tag of field ${tag}`;
    if ('subfields' in f) {
      if (f.ind1.includes('\0') || f.ind2.includes('\0')) return `the indicators of field ${tag}`;
      for (const sf of f.subfields) {
        if (sf.code.includes('\0')) return `a subfield code of field ${tag}`;
        if (sf.value.includes('\0')) return `field ${tag} $${sf.code}`;
      }
    } else if (f.value.includes('\0')) return `field ${tag}`;
  }
  return null;
}

/**
 * The most data an import takes in one record, in UTF-16 code units (leader, tags, indicators, subfield
 * codes and values): ten times what an ISO 2709 record can hold. A larger record (MARCXML and
 * MARC-in-JSON have no limit of their own) is reported and left out before any work is done on it, so
 * one record bounds the time and storage it can cost.
 */
export const MAX_IMPORT_RECORD_LENGTH = 1_000_000;

/** How much data a record holds, counted up to just past `max` (see {@link MAX_IMPORT_RECORD_LENGTH}). */
function recordLength(record: MarcRecord, max: number): number {
  let length = record.leader.length;
  for (const f of record.fields) {
    length += f.tag.length;
    if ('subfields' in f) {
      length += f.ind1.length + f.ind2.length;
      for (const sf of f.subfields) length += sf.code.length + sf.value.length;
    } else length += f.value.length;
    if (length > max) break;
  }
  return length;
}

/** Works out a record read from a file: its embedded items split off, its rows prepared. */
export function prepareInput(result: ReadResult): PreparedInput {
  const problems = result.problems.map(
    (p): PreparedProblem => ({
      severity: p.severity,
      message: p.message,
      byteOffset: p.byteOffset,
      code: p.code,
      ...(p.tag === undefined ? {} : { tag: p.tag }),
    }),
  );
  if (!result.record)
    return { recordIndex: result.recordIndex, byteOffset: result.byteOffset, problems, entry: null };
  const nul = nulCharacterIn(result.record);
  if (nul !== null) {
    problems.push({
      severity: 'error',
      message: `${nul} contains a NUL character (U+0000), which cannot be stored; not imported`,
    });
    return { recordIndex: result.recordIndex, byteOffset: result.byteOffset, problems, entry: null };
  }
  if (recordLength(result.record, MAX_IMPORT_RECORD_LENGTH) > MAX_IMPORT_RECORD_LENGTH) {
    problems.push({
      severity: 'error',
      message: `the record is too large to import: more than ${MAX_IMPORT_RECORD_LENGTH.toLocaleString('en-US')} characters of data; not imported`,
    });
    return { recordIndex: result.recordIndex, byteOffset: result.byteOffset, problems, entry: null };
  }
  const leader = result.record.leader;
  if (leader.length > LEADER_LENGTH && leader.slice(LEADER_LENGTH).trim() !== '') {
    // The catalog keeps a 24-character leader; the rest is only in the original.
    problems.push({
      severity: 'error',
      code: 'LEADER_INVALID',
      message: `the leader is ${leader.length} characters; stored as its first 24 (${JSON.stringify(leader.slice(LEADER_LENGTH))} left out)`,
    });
  }
  const { record, items } = splitHoldings(result.record);
  // Kept whole (another system's record, as it was), but said: an ISO 2709 export cannot carry it whole.
  const excess = iso2709Excess(record);
  if (excess !== null)
    problems.push({
      severity: 'error',
      message: `${excess.message}: imported whole; ISO 2709 exports will cut the field or leave fields out, and report it`,
      code: excess.field === null ? 'RECORD_TOO_LONG' : 'FIELD_TOO_LONG',
      ...(excess.field === null ? {} : { tag: excess.field }),
    });
  const prepared: PreparedInput = {
    recordIndex: result.recordIndex,
    byteOffset: result.byteOffset,
    problems,
    entry: { prepared: prepareRecord(record), items },
  };
  if (result.source) prepared.source = result.source;
  return prepared;
}
