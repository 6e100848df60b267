import type { Executor } from '../../db/database.ts';
import type {
  BibFacetRow,
  BibIdentifierRow,
  BibRecordRow,
  BibRecordVersionRow,
  CatalogImportRow,
  ItemRow,
  ItemTypeRow,
} from '../../db/schema.ts';

/** Takes `count` consecutive values from a named counter and returns the first; creates the counter at 1. */
export async function allocateSequence(db: Executor, name: string, count = 1): Promise<number> {
  const updated = await db
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  if (updated) return Number(updated.value) - count + 1;
  await db
    .insertInto('sequences')
    .values({ name, value: count })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return allocateSequence(db, name, count);
}

/** Splits rows into multi-row statements of at most `size` rows (fewer round trips for imports). */
function* chunks<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** The facet row of a record (see `bib_facets`). */
export function facetRow(row: BibRecordRow): BibFacetRow {
  return {
    seq: row.seq,
    record_id: row.id,
    format: row.format,
    language: row.language,
    decade: row.pub_year === null ? null : Math.floor(row.pub_year / 10) * 10,
    pub_year: row.pub_year,
    // Characters as both dialects' length() counts them (code points).
    title_length: [...row.title].length,
    available: 0,
  };
}

/** Updates a record's facet row after its MARC changed (its item counts stay). */
export async function updateFacetRow(db: Executor, row: BibRecordRow): Promise<void> {
  const { format, language, decade, pub_year, title_length } = facetRow(row);
  await db
    .updateTable('bib_facets')
    .set({ format, language, decade, pub_year, title_length })
    .where('seq', '=', row.seq)
    .execute();
}

/** Recounts the items on the shelf of these records (after items were added, changed or removed). */
export async function refreshAvailability(db: Executor, recordIds: readonly string[]): Promise<void> {
  for (const part of chunks([...new Set(recordIds)], 1000)) {
    await db
      .updateTable('bib_facets')
      .set((eb) => ({
        available: eb
          .selectFrom('items')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('items.record_id', '=', 'bib_facets.record_id')
          .where('items.status', '=', 'available'),
      }))
      .where('record_id', 'in', part)
      .execute();
  }
}

/** Many new records with their identifiers, subjects and version rows, in few statements. */
export async function insertRecordRows(
  db: Executor,
  rows: {
    records: BibRecordRow[];
    identifiers: BibIdentifierRow[];
    subjects: { record_id: string; subject: string }[];
    versions: BibRecordVersionRow[];
  },
): Promise<void> {
  // SQLite allows 32,766 parameters a statement: keep every chunk well below.
  for (const part of chunks(rows.records, 500)) await db.insertInto('bib_records').values(part).execute();
  for (const part of chunks(rows.records.map(facetRow), 2000))
    await db.insertInto('bib_facets').values(part).execute();
  for (const part of chunks(rows.identifiers, 2000))
    await db.insertInto('bib_identifiers').values(part).execute();
  for (const part of chunks(rows.subjects, 2000)) await db.insertInto('bib_subjects').values(part).execute();
  for (const part of chunks(rows.versions, 1000))
    await db.insertInto('bib_record_versions').values(part).execute();
}

export async function updateRecordRow(db: Executor, id: string, row: Partial<BibRecordRow>): Promise<void> {
  await db.updateTable('bib_records').set(row).where('id', '=', id).execute();
}

export async function deleteRecordRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('bib_records').where('id', '=', id).execute();
}

export async function findRecordRow(db: Executor, id: string): Promise<BibRecordRow | undefined> {
  return db.selectFrom('bib_records').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countRecords(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('bib_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records some of whose identifiers equal one of `identifiers`, for duplicate detection (one query per kind). */
export async function findRecordIdsByIdentifiers(
  db: Executor,
  identifiers: readonly Omit<BibIdentifierRow, 'record_id'>[],
) {
  const byKind = new Map<string, Set<string>>();
  for (const { kind, value } of identifiers) {
    const values = byKind.get(kind) ?? new Set<string>();
    values.add(value);
    byKind.set(kind, values);
  }
  const found: BibIdentifierRow[] = [];
  for (const [kind, values] of byKind) {
    const list = [...values];
    for (let i = 0; i < list.length; i += 5000) {
      found.push(
        ...(await db
          .selectFrom('bib_identifiers')
          .select(['record_id', 'kind', 'value'])
          .where('kind', '=', kind)
          .where('value', 'in', list.slice(i, i + 5000))
          .execute()),
      );
    }
  }
  return found;
}

export async function replaceIdentifiers(
  db: Executor,
  recordId: string,
  rows: readonly BibIdentifierRow[],
  isNew: boolean,
) {
  if (!isNew) await db.deleteFrom('bib_identifiers').where('record_id', '=', recordId).execute();
  if (rows.length > 0)
    await db
      .insertInto('bib_identifiers')
      .values([...rows])
      .execute();
}

export async function replaceSubjects(
  db: Executor,
  recordId: string,
  subjects: readonly string[],
  isNew: boolean,
) {
  if (!isNew) await db.deleteFrom('bib_subjects').where('record_id', '=', recordId).execute();
  if (subjects.length > 0) {
    await db
      .insertInto('bib_subjects')
      .values(subjects.map((subject) => ({ record_id: recordId, subject })))
      .execute();
  }
}

export async function insertVersion(db: Executor, row: BibRecordVersionRow): Promise<void> {
  await db.insertInto('bib_record_versions').values(row).execute();
}

export async function findVersions(db: Executor, recordId: string): Promise<BibRecordVersionRow[]> {
  return db
    .selectFrom('bib_record_versions')
    .selectAll()
    .where('record_id', '=', recordId)
    .orderBy('version', 'desc')
    .execute();
}

// Item types

export async function findItemTypes(db: Executor): Promise<ItemTypeRow[]> {
  return db.selectFrom('item_types').selectAll().orderBy('code').execute();
}

export async function insertItemType(db: Executor, row: ItemTypeRow): Promise<void> {
  await db.insertInto('item_types').values(row).execute();
}

// Items

export async function insertItemRow(db: Executor, row: ItemRow): Promise<void> {
  await db.insertInto('items').values(row).execute();
}

export async function updateItemRow(db: Executor, id: string, row: Partial<ItemRow>): Promise<void> {
  await db.updateTable('items').set(row).where('id', '=', id).execute();
}

export async function deleteItemRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('items').where('id', '=', id).execute();
}

export async function findItemRow(db: Executor, id: string): Promise<ItemRow | undefined> {
  return db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findItemByBarcode(db: Executor, barcode: string): Promise<ItemRow | undefined> {
  return db.selectFrom('items').selectAll().where('barcode', '=', barcode).executeTakeFirst();
}

export async function findItemsOfRecords(db: Executor, recordIds: readonly string[]): Promise<ItemRow[]> {
  if (recordIds.length === 0) return [];
  return db
    .selectFrom('items')
    .selectAll()
    .where('record_id', 'in', recordIds)
    .orderBy('shelf_key')
    .orderBy('barcode')
    .execute();
}

export async function countItemsOfRecord(db: Executor, recordId: string): Promise<number> {
  const row = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('record_id', '=', recordId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Items of a branch (and optionally a shelving location) in shelf order, paged by shelf key. */
export async function findShelfList(
  db: Executor,
  q: { branchId: string; location?: string | undefined; afterShelfKey?: string | undefined; limit: number },
) {
  let query = db
    .selectFrom('items as i')
    .innerJoin('bib_records as r', 'r.id', 'i.record_id')
    .selectAll('i')
    .select(['r.title', 'r.main_author'])
    .where('i.branch_id', '=', q.branchId);
  if (q.location !== undefined) query = query.where('i.location', '=', q.location);
  if (q.afterShelfKey !== undefined) query = query.where('i.shelf_key', '>', q.afterShelfKey);
  return query.orderBy('i.shelf_key').orderBy('i.barcode').limit(q.limit).execute();
}

// Imports started through the API

export async function insertImportRow(db: Executor, row: CatalogImportRow): Promise<void> {
  await db.insertInto('catalog_imports').values(row).execute();
}

export async function updateImportRow(
  db: Executor,
  id: string,
  changes: Partial<CatalogImportRow>,
): Promise<void> {
  await db.updateTable('catalog_imports').set(changes).where('id', '=', id).execute();
}

export async function findImportRow(db: Executor, id: string): Promise<CatalogImportRow | undefined> {
  return db.selectFrom('catalog_imports').selectAll().where('id', '=', id).executeTakeFirst();
}

// Processing

/** Items with their record's title, in the order of `itemIds` (missing ones left out). */
export async function findItemsForLabels(db: Executor, itemIds: readonly string[]) {
  if (itemIds.length === 0) return [];
  return db
    .selectFrom('items as i')
    .innerJoin('bib_records as r', 'r.id', 'i.record_id')
    .select([
      'i.id',
      'i.barcode',
      'i.branch_id',
      'i.call_number',
      'i.call_number_scheme',
      'i.volume',
      'i.copy_number',
      'i.record_id',
      'r.title',
    ])
    .where('i.id', 'in', itemIds)
    .execute();
}

/** Barcodes among `barcodes` that items have already. */
export async function findTakenBarcodes(db: Executor, barcodes: readonly string[]): Promise<Set<string>> {
  if (barcodes.length === 0) return new Set();
  const rows = await db.selectFrom('items').select('barcode').where('barcode', 'in', barcodes).execute();
  return new Set(rows.map((r) => r.barcode));
}

/** Items still in processing, oldest first. */
export async function findProcessingQueue(db: Executor, branchId: string | undefined, limit: number) {
  let q = db
    .selectFrom('items as i')
    .innerJoin('bib_records as r', 'r.id', 'i.record_id')
    .select([
      'i.id',
      'i.barcode',
      'i.branch_id',
      'i.call_number',
      'i.created_at',
      'r.id as record_id',
      'r.title',
    ])
    .where('i.status', '=', 'in_processing');
  if (branchId) q = q.where('i.branch_id', '=', branchId);
  return q.orderBy('i.created_at').orderBy('i.barcode').limit(limit).execute();
}

/** Sets processed items available; returns how many were still in processing. */
export async function releaseItems(db: Executor, itemIds: readonly string[], at: string): Promise<number> {
  if (itemIds.length === 0) return 0;
  const result = await db
    .updateTable('items')
    .set({ status: 'available', status_changed_at: at, updated_at: at })
    .where('id', 'in', itemIds)
    .where('status', '=', 'in_processing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
