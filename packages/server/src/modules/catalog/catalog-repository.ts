import { CompiledQuery, sql } from 'kysely';
import { type DialectName, type Executor, isPostgres } from '../../db/database.ts';
import { prepared } from '../../db/prepared.ts';
import type {
  BibFacetRow,
  BibIdentifierRow,
  BibRecordRow,
  BibRecordVersionRow,
  CatalogExportRow,
  CatalogImportRow,
  ItemRow,
  ItemTypeRow,
} from '../../db/schema.ts';

const sequenceBump = prepared((db, v: { name: string; count: number }) =>
  db
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', v.count) }))
    .where('name', '=', v.name)
    .returning('value'),
);

/** Takes `count` consecutive values from a named counter and returns the first; creates the counter at 1. */
export async function allocateSequence(db: Executor, name: string, count = 1): Promise<number> {
  const updated = await sequenceBump.first(db, { name, count });
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

/**
 * An IN list padded to a power-of-two length by repeating its last value (the same condition): the
 * statement texts of a long import then repeat, so SQLite prepares and caches a few statements instead
 * of one per list length (each a sizeable program in memory).
 */
export function padded<T>(values: readonly T[]): T[] {
  if (values.length <= 1) return [...values];
  let size = 2;
  while (size < values.length) size *= 2;
  const out = [...values];
  while (out.length < size) out.push(values[values.length - 1]!);
  return out;
}

/**
 * Named counters of `sequences` that search reads to keep what it holds in memory current (see
 * `search-facets.ts`): `catalog_changes` grows with every transaction that writes facet rows (the rows
 * carry the number in `change_no`), `catalog_texts` with every one that changes what records say (the
 * search index), `catalog_deletions` with every record deleted.
 */
export const CATALOG_CHANGES = 'catalog_changes';
export const CATALOG_TEXTS = 'catalog_texts';
export const CATALOG_DELETIONS = 'catalog_deletions';

/**
 * On PostgreSQL `catalog_changes` is kept in this many rows, `catalog_changes.0` to `.31`, each
 * transaction bumping the next in turn: a row bumped stays locked until its transaction ends, and with
 * one row every checkout and check-in in every process waited for the one before to commit.
 */
const PG_CHANGE_STRIPES = 32;
const STRIPE_NAMES = Array.from({ length: PG_CHANGE_STRIPES }, (_, i) => `${CATALOG_CHANGES}.${i}`);
let nextStripe = Math.floor(Math.random() * PG_CHANGE_STRIPES);

/**
 * A change number for the facet rows the caller's transaction writes (`texts`: records were added,
 * changed or deleted too).
 * - SQLite: the counter's row stays locked until the transaction ends (SQLite has one writer anyway), so
 *   numbers follow commit order: the facet copy that has seen every row up to N misses none when it
 *   next reads the rows above N.
 * - PostgreSQL: one of {@link PG_CHANGE_STRIPES} rows is bumped, so writers do not queue behind one
 *   another. The number returned orders nothing (nothing reads `change_no` there); what counts is that
 *   the stripes' sum, which {@link readCounters} gives as `catalog_changes`, grows with every commit that
 *   changed facet rows: it keys the cached whole-catalog facet counts.
 */
export async function nextCatalogChange(db: Executor, texts = false): Promise<number> {
  if (texts) await allocateSequence(db, CATALOG_TEXTS);
  if (!isPostgres(db)) return allocateSequence(db, CATALOG_CHANGES);
  const stripe = nextStripe;
  nextStripe = (nextStripe + 1) % PG_CHANGE_STRIPES;
  const { rows } = await sql<{ value: string | number }>`insert into sequences (name, value)
    values (${STRIPE_NAMES[stripe]!}, 1)
    on conflict (name) do update set value = sequences.value + 1 returning value`.execute(db);
  return Number(rows[0]!.value);
}

/**
 * The current values of the named counters (0 for one never used); on PostgreSQL `catalog_changes` is
 * the sum of its stripes (see {@link nextCatalogChange}) and of the single row an older version kept.
 */
export async function readCounters(db: Executor, names: readonly string[]): Promise<Map<string, number>> {
  const stripes = names.includes(CATALOG_CHANGES) && isPostgres(db) ? STRIPE_NAMES : [];
  const rows = await db
    .selectFrom('sequences')
    .select(['name', 'value'])
    .where('name', 'in', [...names, ...stripes])
    .execute();
  const values = new Map(names.map((n) => [n, 0]));
  for (const row of rows) {
    const name = stripes.includes(row.name) ? CATALOG_CHANGES : row.name;
    values.set(name, values.get(name)! + Number(row.value));
  }
  return values;
}

/**
 * The ids of subject headings in `bib_subject_headings`, adding the new ones. Concurrent writers are
 * safe: a heading another transaction adds first is found once it commits (the unique constraint waits).
 */
export async function subjectHeadingIds(
  db: Executor,
  headings: Iterable<string>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const wanted = [...new Set(headings)];
  const find = async (list: string[]) => {
    for (const part of chunks(list, 1000)) {
      const rows = await db
        .selectFrom('bib_subject_headings')
        .select(['id', 'heading'])
        .where('heading', 'in', padded(part))
        .execute();
      for (const row of rows) ids.set(row.heading, Number(row.id));
    }
  };
  await find(wanted);
  const missing = wanted.filter((h) => !ids.has(h));
  if (missing.length > 0) {
    for (const part of chunks(missing, 1000)) {
      await db
        .insertInto('bib_subject_headings')
        .values(part.map((heading) => ({ heading })))
        .onConflict((oc) => oc.column('heading').doNothing())
        .execute();
    }
    await find(missing);
  }
  return ids;
}

/** `bib_facets.subject_ids` of a record's headings. */
function subjectIdList(subjects: readonly string[], ids: Map<string, number>): string {
  return subjects.map((s) => ids.get(s)!).join(' ');
}

/** The facet row of a new record (see `bib_facets`): no items yet. */
export function facetRow(row: BibRecordRow, subjectIds: string, changeNo: number): BibFacetRow {
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
    change_no: changeNo,
    subject_ids: subjectIds,
    branches: '',
  };
}

/** Updates a record's facet row after its MARC changed (its item counts stay). */
export async function updateFacetRow(
  db: Executor,
  row: BibRecordRow,
  subjects: readonly string[],
): Promise<void> {
  const changeNo = await nextCatalogChange(db, true);
  const ids = subjectIdList(subjects, await subjectHeadingIds(db, subjects));
  const { format, language, decade, pub_year, title_length } = facetRow(row, ids, changeNo);
  await db
    .updateTable('bib_facets')
    .set({ format, language, decade, pub_year, title_length, change_no: changeNo, subject_ids: ids })
    .where('seq', '=', row.seq)
    .execute();
}

/**
 * Recounts the items on the shelf of these records, and where they have items (after items were added,
 * changed or removed). Every change of an item's status or branch must come through here: search's
 * facet copies learn of it by the change number.
 */
export async function refreshAvailability(db: Executor, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  const changeNo = await nextCatalogChange(db);
  if (recordIds.length === 1) {
    await oneRecordRefresh.run(db, { changeNo, recordId: recordIds[0]! });
    return;
  }
  for (const part of chunks([...new Set(recordIds)], 1000))
    await availabilityUpdate(db, changeNo, padded(part)).execute();
}

function availabilityUpdate(db: Executor, changeNo: number, recordIds: readonly string[]) {
  return db
    .updateTable('bib_facets')
    .set((eb) => ({
      available: eb
        .selectFrom('items')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('items.record_id', '=', 'bib_facets.record_id')
        .where('items.status', '=', 'available'),
      // The same expression as migration 0010 (SQLite 3.44+ knows string_agg with ORDER BY).
      branches: sql<string>`coalesce((select string_agg(b, ' ' order by b) from (
          select i.branch_id || case when max(case when i.status = 'available' then 1 else 0 end) = 1 then '+' else '' end as b
          from items i where i.record_id = bib_facets.record_id group by i.branch_id) x), '')`,
      change_no: changeNo,
    }))
    .where('record_id', 'in', recordIds);
}

/** The refresh of one record (every checkout and check-in), built once. */
const oneRecordRefresh = prepared((db, v: { changeNo: number; recordId: string }) =>
  availabilityUpdate(db, v.changeNo, [v.recordId]),
);

/** Notes a record deletion for search's facet copies (the facet row goes with the record). */
export async function noteRecordDeleted(db: Executor): Promise<void> {
  await allocateSequence(db, CATALOG_DELETIONS);
  await nextCatalogChange(db, true);
}

/**
 * SQLite settings for a long run of write transactions (an import), until the returned function puts
 * the previous ones back: a 64 MiB page cache (the indexes an import writes at random places stay in
 * memory) and a checkpoint every 40 MiB of log instead of 4 (a page written by many transactions in a
 * row is copied to the database file once). Nothing to do on PostgreSQL.
 */
export async function useBulkWriteSettings(db: Executor, dialect: DialectName): Promise<() => Promise<void>> {
  if (dialect !== 'sqlite') return async () => {};
  const read = async (name: string) =>
    Number(
      Object.values(
        (await sql<Record<string, number>>`pragma ${sql.raw(name)}`.execute(db)).rows[0] ?? {},
      )[0],
    );
  const before = { cache: await read('cache_size'), checkpoint: await read('wal_autocheckpoint') };
  await sql`pragma cache_size = -65536`.execute(db);
  await sql`pragma wal_autocheckpoint = 10000`.execute(db);
  return async () => {
    await sql`pragma cache_size = ${sql.raw(String(before.cache))}`.execute(db);
    await sql`pragma wal_autocheckpoint = ${sql.raw(String(before.checkpoint))}`.execute(db);
  };
}

/** Many new records with their identifiers, subjects and version rows, in few statements. */
export async function insertRecordRows(
  db: Executor,
  dialect: DialectName,
  rows: {
    records: BibRecordRow[];
    identifiers: BibIdentifierRow[];
    subjects: { record_id: string; subject: string }[];
    versions: BibRecordVersionRow[];
  },
): Promise<void> {
  await insertRows(db, dialect, 'bib_records', rows.records);
  const headingIds = await subjectHeadingIds(
    db,
    rows.subjects.map((s) => s.subject),
  );
  const subjectsOf = new Map<string, string[]>();
  for (const { record_id, subject } of rows.subjects) {
    const list = subjectsOf.get(record_id);
    if (list) list.push(subject);
    else subjectsOf.set(record_id, [subject]);
  }
  const changeNo = await nextCatalogChange(db, true);
  const facets = rows.records.map((r) =>
    facetRow(r, subjectIdList(subjectsOf.get(r.id) ?? [], headingIds), changeNo),
  );
  await insertRows(db, dialect, 'bib_facets', facets);
  await insertRows(db, dialect, 'bib_identifiers', rows.identifiers);
  await insertRows(db, dialect, 'bib_subjects', rows.subjects);
  await insertRows(db, dialect, 'bib_record_versions', rows.versions);
}

/** Parameters a multi-row statement may carry (SQLite allows 32,766, PostgreSQL 65,535). */
const MAX_PARAMETERS = 30_000;
const insertTexts = new Map<string, string>();

/**
 * Inserts rows (objects of the same shape) in multi-row statements whose text is made once per shape,
 * bypassing the query builder: an import writes millions of values, and a syntax tree node per value
 * cost more than the database's own work. The statement texts repeat, so SQLite's prepared statements
 * are reused.
 */
export async function insertRows(
  db: Executor,
  dialect: DialectName,
  table: string,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  // Statements of power-of-two row counts (the rest split the same way): few texts, each prepared once.
  let perStatement = 1;
  while (perStatement * 2 * columns.length <= MAX_PARAMETERS && perStatement < 1024) perStatement *= 2;
  for (let start = 0; start < rows.length; ) {
    let count = perStatement;
    while (count > rows.length - start) count /= 2;
    const key = `${dialect}\u0000${table}\u0000${columns.join(',')}\u0000${count}`;
    let text = insertTexts.get(key);
    if (text === undefined) {
      let n = 0;
      const tuple = () => `(${columns.map(() => (dialect === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
      text = `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: count }, tuple).join(', ')}`;
      if (insertTexts.size > 200) insertTexts.clear();
      insertTexts.set(key, text);
    }
    const parameters: unknown[] = new Array(count * columns.length);
    let k = 0;
    for (let i = start; i < start + count; i++) {
      const row = rows[i] as Record<string, unknown>;
      for (const column of columns) parameters[k++] = row[column] ?? null;
    }
    await db.executeQuery(CompiledQuery.raw(text, parameters));
    start += count;
  }
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
    for (let i = 0; i < list.length; i += 4096) {
      found.push(
        ...(await db
          .selectFrom('bib_identifiers')
          .select(['record_id', 'kind', 'value'])
          .where('kind', '=', kind)
          .where('value', 'in', padded(list.slice(i, i + 4096)))
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

// Exports started through the API

export async function insertExportRow(db: Executor, row: CatalogExportRow): Promise<void> {
  await db.insertInto('catalog_exports').values(row).execute();
}

export async function updateExportRow(
  db: Executor,
  id: string,
  changes: Partial<CatalogExportRow>,
): Promise<void> {
  await db.updateTable('catalog_exports').set(changes).where('id', '=', id).execute();
}

export async function findExportRow(db: Executor, id: string): Promise<CatalogExportRow | undefined> {
  return db.selectFrom('catalog_exports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Exports in one of `statuses`, newest first, without their reports. */
export async function findExportRowsByStatus(db: Executor, statuses: readonly string[]) {
  return db
    .selectFrom('catalog_exports')
    .select(['id', 'status', 'format', 'updated_at', 'finished_at'])
    .where('status', 'in', statuses)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
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
    .where('i.status', '=', 'in_processing')
    // The condition of the partial index items_status, which SQLite reads only when a query says it.
    .where(sql<boolean>`i.status not in ('available', 'checked_out')`);
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
