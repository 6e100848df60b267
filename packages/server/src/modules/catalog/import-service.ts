import type { Database, Executor } from '../../db/database.ts';
import type { Actor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import {
  type DataField,
  detectFileFormat,
  fromMarcJson,
  type MarcFormat,
  type MarcRecord,
  type ReadResult,
  toMarcJsonText,
} from '../../marc/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { BranchService } from '../branches/index.ts';
import * as repo from './catalog-repository.ts';
import {
  insertItem,
  itemRow,
  type PreparedRecord,
  replaceRecord,
  writeNewRecords,
} from './catalog-service.ts';
import { type EmbeddedItem, restoreHoldings } from './holdings.ts';
import { type PreparedInput, prepareInput } from './import-prepare.ts';
import { preparedFromFile } from './import-source.ts';
import { findLatestRecordSource, insertRecordSources } from './record-source-repository.ts';

/** What to do with an incoming record that matches one in the catalog. */
export type DuplicateRule = 'skip' | 'overlay' | 'add';

/** Identifiers an incoming record is matched by (a record with the same content always matches). */
export type MatchPoint = 'oclc' | 'system' | 'lccn' | 'isbn' | 'issn' | 'control';

export const DEFAULT_MATCH_POINTS: readonly MatchPoint[] = ['oclc', 'system', 'lccn', 'isbn', 'issn'];

export interface ImportOptions {
  onDuplicate: DuplicateRule;
  matchPoints?: readonly MatchPoint[];
  /** Records per transaction. */
  batchSize?: number;
  /** Branch for embedded items whose branch code is missing or unknown (by code). */
  defaultBranchCode?: string;
  /** Item type for embedded items that name none (by code). */
  defaultItemType?: string;
  /** Called after each batch commits. */
  onProgress?: (progress: ImportProgress) => void;
  /** The import job (`catalog_imports`) the records come from, noted with their originals. */
  importId?: string;
}

export interface ImportProgress {
  read: number;
  /** Byte offset reached in the input. */
  byteOffset: number;
}

/** One line of the import report: where in the file, and what happened. */
export interface ImportProblem {
  recordIndex: number;
  /** Byte offset of the problem itself in the file (the record's own offset when it concerns the whole record). */
  byteOffset: number;
  /** Byte offset of the record's first byte in the file. */
  recordOffset: number;
  severity: 'error' | 'warning';
  /** The reader's code for the problem (see MarcProblemCode); null for the import's own. */
  code: string | null;
  /** The field the problem is in; null when it concerns the whole record. */
  tag: string | null;
  message: string;
}

/** An imported record's original bytes, as the file held them. */
export interface RecordSourceFile {
  recordId: string;
  format: 'iso2709' | 'marcxml' | 'marc-json';
  bytes: Uint8Array;
  importedAt: string;
  /** The import job it came from; null for imports from the command line. */
  importId: string | null;
}

/** A report line about a record as a whole, at its own offset. */
function recordProblem(
  input: { recordIndex: number; byteOffset: number },
  severity: 'error' | 'warning',
  message: string,
  tag: string | null = null,
): ImportProblem {
  const { recordIndex, byteOffset } = input;
  return { recordIndex, byteOffset, recordOffset: byteOffset, severity, code: null, tag, message };
}

/** A data field as a string, to find the same field again. */
function fieldKey(field: DataField): string {
  let key = `${field.tag}\u001f${field.ind1}${field.ind2}`;
  for (const { code, value } of field.subfields) key += `\u001f${code}${value}`;
  return key;
}

export interface ImportReport {
  read: number;
  created: number;
  overlaid: number;
  /** Matched a catalog record and left alone (rule `skip`, or the same content imported before). */
  skipped: number;
  /** Could not be imported; each has an error in `problems`. */
  failed: number;
  itemsCreated: number;
  /** Items whose barcode the catalog already had on the same record (a re-run). */
  itemsExisting: number;
  itemsFailed: number;
  problems: ImportProblem[];
  /** Problems left out of `problems` once it reached its cap. */
  problemsOmitted: number;
}

const MAX_PROBLEMS = 10_000;
/** Records per transaction unless the caller says otherwise. */
export const DEFAULT_BATCH_SIZE = 500;

/** Batch imports of MARC records with duplicate detection, embedded items and a per-record report. */
export function createImportService(deps: { database: Database; clock: Clock; branches: BranchService }) {
  const { database, clock } = deps;
  const db = database.db;

  /** Imports records already read and prepared (here or in a worker thread). */
  async function importPrepared(
    actor: Actor,
    source: AsyncIterable<PreparedInput>,
    options: ImportOptions,
  ): Promise<ImportReport> {
    const problem = (p: ImportProblem) => {
      if (report.problems.length < MAX_PROBLEMS) report.problems.push(p);
      else report.problemsOmitted++;
    };
    const branches = new Map(
      (await deps.branches.listBranches()).map((b) => [b.code.toUpperCase(), b.id] as const),
    );
    const itemTypes = new Set((await repo.findItemTypes(db)).map((t) => t.code));
    const defaultBranch =
      options.defaultBranchCode === undefined
        ? undefined
        : branches.get(options.defaultBranchCode.toUpperCase());
    if (options.defaultBranchCode !== undefined && defaultBranch === undefined) {
      throw new AppError('BRANCH_NOT_FOUND', `No branch has the code ${options.defaultBranchCode}`);
    }
    if (options.defaultItemType !== undefined && !itemTypes.has(options.defaultItemType)) {
      throw new AppError('ITEM_TYPE_NOT_FOUND', `No item type has the code ${options.defaultItemType}`);
    }
    const matchPoints = new Set<string>(options.matchPoints ?? DEFAULT_MATCH_POINTS);
    /** Records that received items in the batch being written (their shelf counts need updating). */
    let touched: string[] = [];
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

    type Counts = Pick<
      ImportReport,
      'created' | 'overlaid' | 'skipped' | 'failed' | 'itemsCreated' | 'itemsExisting' | 'itemsFailed'
    >;
    const zero = (): Counts => ({
      created: 0,
      overlaid: 0,
      skipped: 0,
      failed: 0,
      itemsCreated: 0,
      itemsExisting: 0,
      itemsFailed: 0,
    });
    const report: ImportReport = { read: 0, ...zero(), problems: [], problemsOmitted: 0 };

    /**
     * Imports a batch in `trx`: one look-up of identifiers for the whole batch, new records written
     * in multi-row statements, overlays one by one. Expected problems are reported, not thrown.
     */
    async function importBatch(
      trx: Executor,
      at: Date,
      batch: PreparedInput[],
      counts: Counts,
      problems: ImportProblem[],
    ) {
      touched = [];
      /** `borrowed`: items of later copies of the same record in this batch, made on this one's record. */
      type Entry = {
        result: PreparedInput;
        prepared: PreparedRecord;
        items: EmbeddedItem[];
        borrowed: EmbeddedItem[];
      };
      const entries: Entry[] = [];
      for (const result of batch) {
        for (const p of result.problems) {
          problems.push({
            recordIndex: result.recordIndex,
            byteOffset: p.byteOffset ?? result.byteOffset,
            recordOffset: result.byteOffset,
            severity: p.severity,
            code: p.code ?? null,
            tag: p.tag ?? null,
            message: p.message,
          });
        }
        if (!result.entry) {
          counts.failed++;
          if (!result.problems.some((p) => p.severity === 'error')) {
            problems.push(recordProblem(result, 'error', 'no record could be recovered'));
          }
          continue;
        }
        const { prepared, items } = result.entry;
        if (prepared.summary.title === '') {
          counts.failed++;
          problems.push(recordProblem(result, 'error', 'the record has no title (245 $a); not imported'));
          continue;
        }
        entries.push({ result, prepared, items, borrowed: [] });
      }

      // Identifiers already in the catalog, looked up once for the batch.
      const wanted = entries.flatMap((e) =>
        e.prepared.identifiers.filter((i) => i.kind === 'hash' || matchPoints.has(i.kind)),
      );
      const known = new Map<string, string>();
      for (const row of await repo.findRecordIdsByIdentifiers(trx, wanted))
        known.set(`${row.kind}\u0000${row.value}`, row.record_id);
      // Records earlier in this batch count too (a file may hold the same record twice).
      const inBatch = new Map<string, Entry>();
      /** Records written from this batch, with the input each came from: their originals are kept. */
      const sources: { recordId: string; result: PreparedInput }[] = [];

      const creating: Entry[] = [];
      for (const entry of entries) {
        const keys = entry.prepared.identifiers
          .filter((i) => i.kind === 'hash' || matchPoints.has(i.kind))
          .map((i) => ({ ...i, key: `${i.kind}\u0000${i.value}` }));
        const hashKey = keys.find((k) => k.kind === 'hash')!.key;
        const sameInBatch = inBatch.get(hashKey);
        const sameId = known.get(hashKey);
        if (sameId || sameInBatch) {
          // The same content was imported before: nothing to change; its items may still be new.
          counts.skipped++;
          // Items of a repeated record join the first one's (created with it below).
          if (sameInBatch) sameInBatch.borrowed.push(...entry.items);
          else if (sameId)
            await importItems(trx, at, sameId, null, entry.items, entry.result, counts, problems);
          continue;
        }
        const match =
          options.onDuplicate === 'add'
            ? undefined
            : keys.find((k) => k.kind !== 'hash' && (known.has(k.key) || inBatch.has(k.key)));
        if (match && options.onDuplicate === 'skip') {
          counts.skipped++;
          const other = known.get(match.key) ?? 'an earlier record in this file';
          problems.push(
            recordProblem(
              entry.result,
              'warning',
              `matches ${other} by ${match.kind} ${match.value}; skipped`,
            ),
          );
          continue;
        }
        if (match && known.has(match.key)) {
          const row = (await repo.findRecordRow(trx, known.get(match.key)!))!;
          await replaceRecord(database, trx, at, actor, row, entry.prepared, 'overlaid');
          counts.overlaid++;
          sources.push({ recordId: row.id, result: entry.result });
          await importItems(trx, at, row.id, entry, [], entry.result, counts, problems);
          continue;
        }
        // New (or matching only a record earlier in this batch under rule `overlay`: kept as its own record).
        for (const k of keys) if (!inBatch.has(k.key)) inBatch.set(k.key, entry);
        creating.push(entry);
      }
      const written = await writeNewRecords(
        database,
        trx,
        at,
        actor,
        creating.map((e) => e.prepared),
      );
      counts.created += written.length;
      for (const [i, entry] of creating.entries()) {
        sources.push({ recordId: written[i]!.id, result: entry.result });
        await importItems(trx, at, written[i]!.id, entry, entry.borrowed, entry.result, counts, problems);
      }
      await repo.refreshAvailability(trx, touched);
      const rows = sources.flatMap(({ recordId, result }) =>
        result.source
          ? [
              {
                id: newId(at.getTime()),
                record_id: recordId,
                format: result.source.format,
                original: Buffer.from(
                  result.source.bytes.buffer,
                  result.source.bytes.byteOffset,
                  result.source.bytes.byteLength,
                ),
                imported_at: at.toISOString(),
                import_id: options.importId ?? null,
              },
            ]
          : [],
      );
      await insertRecordSources(trx, database.dialect, rows);
    }

    /**
     * Makes the items a record carries. `own` is the entry the record was written from (null for a
     * record already in the catalog): fields of its items that could not be made are put back in the
     * stored record, so only fields that became items leave it. `others` are items of copies of the
     * record that were skipped: a field of theirs that became an item (now or before) is taken out of
     * the stored record, one that did not is reported when the stored record lacks it.
     */
    async function importItems(
      trx: Executor,
      at: Date,
      recordId: string,
      own: { prepared: PreparedRecord; items: EmbeddedItem[] } | null,
      others: EmbeddedItem[],
      input: PreparedInput,
      counts: Counts,
      problems: ImportProblem[],
    ) {
      const ownItems = own?.items ?? [];
      if (ownItems.length === 0 && others.length === 0) return;
      type Outcome = { item: EmbeddedItem; isOwn: boolean; made: boolean; message: string | null };
      const outcomes: Outcome[] = [];
      for (const [isOwn, items] of [
        [true, ownItems],
        [false, others],
      ] as const) {
        for (const item of items) {
          const message = await importItem(trx, at, recordId, item, counts);
          outcomes.push({ item, isOwn, made: message === null, message });
        }
      }
      const failedOwn = outcomes
        .filter((o) => o.isOwn && !o.made && o.item.barcode !== null)
        .map((o) => o.item);
      const madeOthers = outcomes.filter((o) => !o.isOwn && o.made);
      const needsRecord = outcomes.some((o) => !o.made) || madeOthers.length > 0;
      if (needsRecord) {
        const storedJson = own ? own.prepared.marcJson : (await repo.findRecordRow(trx, recordId))?.marc;
        const stored = storedJson === undefined ? null : fromMarcJson(JSON.parse(storedJson)).record;
        if (!stored) throw new Error(`record ${recordId} is gone or its stored MARC is unreadable`);
        let final = failedOwn.length > 0 ? restoreHoldings(stored, ownItems, failedOwn) : stored;
        // Fields that became items are carried by the items, whichever copy of the record they came in.
        const madeKeys = new Set(
          madeOthers.flatMap((o) => o.item.fields.map(({ field }) => fieldKey(field))),
        );
        if (madeKeys.size > 0) {
          const fields = final.fields.filter((f) => !('subfields' in f) || !madeKeys.has(fieldKey(f)));
          if (fields.length < final.fields.length) final = { leader: final.leader, fields };
        }
        if (final !== stored) await repo.updateRecordRow(trx, recordId, { marc: toMarcJsonText(final) });
        const kept = new Set(final.fields.flatMap((f) => ('subfields' in f ? [fieldKey(f)] : [])));
        for (const o of outcomes) {
          if (o.made) continue;
          const isKept = o.item.fields.every(({ field }) => kept.has(fieldKey(field)));
          const tag = o.item.tag;
          const note = isKept
            ? `the ${tag} stays in the record`
            : `the ${tag} is not stored (the record was skipped as a copy of one already in the catalog)`;
          problems.push(
            recordProblem(
              input,
              isKept && o.item.barcode === null ? 'warning' : 'error',
              `${o.message}; ${note}`,
              tag,
            ),
          );
        }
      }
    }

    /** Makes one item on the record; the reason when it could not (counted), null when it was made or was there. */
    async function importItem(
      trx: Executor,
      at: Date,
      recordId: string,
      item: EmbeddedItem,
      counts: Counts,
    ): Promise<string | null> {
      if (!item.barcode) {
        counts.itemsFailed++;
        return `item in ${item.tag} has no barcode; no item made`;
      }
      const existing = await repo.findItemByBarcode(trx, item.barcode);
      if (existing) {
        if (existing.record_id === recordId) {
          counts.itemsExisting++;
          return null;
        }
        counts.itemsFailed++;
        return `item ${item.barcode}: the barcode belongs to an item of another record; not created`;
      }
      const branchId = (item.branchCode && branches.get(item.branchCode.toUpperCase())) || defaultBranch;
      if (!branchId) {
        counts.itemsFailed++;
        return `item ${item.barcode}: unknown branch ${item.branchCode ?? '(none)'}; give a default branch to import it`;
      }
      const itemType = item.itemType ?? options.defaultItemType;
      if (!itemType || !itemTypes.has(itemType)) {
        counts.itemsFailed++;
        return `item ${item.barcode}: unknown item type ${itemType ?? '(none)'}; give a default item type to import it`;
      }
      await insertItem(
        trx,
        itemRow(
          recordId,
          {
            barcode: item.barcode,
            branchId,
            location: item.location,
            callNumber: item.callNumber,
            itemType,
            copyNumber: item.copyNumber,
            volume: item.volume,
            priceMinor: item.priceMinor,
            publicNote: item.publicNote,
            staffNote: item.staffNote,
            status: item.status,
          },
          at,
          newId(at.getTime()),
        ),
      );
      counts.itemsCreated++;
      touched.push(recordId);
      return null;
    }

    function add(counts: Counts, problems: ImportProblem[]) {
      for (const key of Object.keys(counts) as (keyof Counts)[]) report[key] += counts[key];
      for (const p of problems) problem(p);
    }

    async function flush(batch: PreparedInput[]) {
      if (batch.length === 0) return;
      const at = clock.now();
      try {
        const counts = zero();
        const problems: ImportProblem[] = [];
        await db.transaction().execute((trx) => importBatch(trx, at, batch, counts, problems));
        add(counts, problems);
      } catch {
        // Something unexpected in the batch: do it again one record at a time to find and report it.
        for (const result of batch) {
          const counts = zero();
          const problems: ImportProblem[] = [];
          try {
            await db.transaction().execute((trx) => importBatch(trx, at, [result], counts, problems));
            add(counts, problems);
          } catch (error) {
            report.failed++;
            problem(
              recordProblem(
                result,
                'error',
                error instanceof AppError ? error.message : `not imported: ${(error as Error).message}`,
              ),
            );
          }
        }
      }
      const last = batch[batch.length - 1]!;
      options.onProgress?.({ read: report.read, byteOffset: last.byteOffset });
    }

    let batch: PreparedInput[] = [];
    const restore = await repo.useBulkWriteSettings(db, database.dialect);
    try {
      for await (const result of source) {
        report.read++;
        batch.push(result);
        if (batch.length >= batchSize) {
          await flush(batch);
          batch = [];
        }
      }
      await flush(batch);
    } finally {
      await restore();
    }
    await db.transaction().execute((trx) =>
      recordAudit(trx, clock.now(), actor, {
        action: 'catalog.imported',
        entityType: 'catalog',
        changes: {
          read: report.read,
          created: report.created,
          overlaid: report.overlaid,
          skipped: report.skipped,
          failed: report.failed,
          itemsCreated: report.itemsCreated,
        },
      }),
    );
    return report;
  }

  return {
    /**
     * Imports every record the reader yields. Batches commit in one transaction each; when a batch
     * fails on something unexpected it is retried record by record, so one bad record never loses
     * its neighbours. Re-running the same file changes nothing: identical records and known item
     * barcodes are recognised.
     */
    async importRecords(
      actor: Actor,
      source: AsyncIterable<ReadResult> | Iterable<ReadResult>,
      options: ImportOptions,
    ): Promise<ImportReport> {
      async function* prepared() {
        for await (const result of source) yield prepareInput(result);
      }
      return importPrepared(actor, prepared(), options);
    },

    /**
     * Imports a file (ISO 2709, MARCXML or MARC-in-JSON, detected from its content). A large file is
     * read and prepared in a worker thread while this one writes to the database.
     */
    async importFile(
      actor: Actor,
      path: string,
      options: ImportOptions,
    ): Promise<{ format: MarcFormat; report: ImportReport }> {
      const format = await detectFileFormat(path);
      if (format === null)
        throw new AppError('INVALID_MARC', `${path}: not ISO 2709, MARCXML or MARC-in-JSON`);
      const source = preparedFromFile(path, format, { batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE });
      return { format, report: await importPrepared(actor, source, options) };
    },

    /** The original bytes a record was last imported from (a record made in the catalog has none). */
    async recordSource(recordId: string): Promise<RecordSourceFile> {
      const row = await findLatestRecordSource(db, recordId);
      if (!row) {
        throw new AppError('RECORD_SOURCE_NOT_FOUND', `Record ${recordId} has no imported original`, {
          recordId,
        });
      }
      return {
        recordId,
        format: row.format as RecordSourceFile['format'],
        bytes: row.original,
        importedAt: row.imported_at,
        importId: row.import_id,
      };
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;

/** A record as MARC, for callers that build records in code. */
export function asReadResults(records: MarcRecord[]): ReadResult[] {
  return records.map((record, recordIndex) => ({ recordIndex, byteOffset: 0, record, problems: [] }));
}
