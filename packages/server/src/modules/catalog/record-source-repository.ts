import type { DialectName, Executor } from '../../db/database.ts';
import type { CatalogRecordSourceRow } from '../../db/schema.ts';
import { insertRows } from './catalog-repository.ts';

/** Imported records' original bytes (`catalog_record_sources`). */

/** Adds the originals of records an import wrote, in few statements. */
export async function insertRecordSources(
  db: Executor,
  dialect: DialectName,
  rows: readonly CatalogRecordSourceRow[],
): Promise<void> {
  await insertRows(db, dialect, 'catalog_record_sources', rows);
}

/** The original a record was last imported from, if any. */
export async function findLatestRecordSource(
  db: Executor,
  recordId: string,
): Promise<CatalogRecordSourceRow | undefined> {
  return db
    .selectFrom('catalog_record_sources')
    .selectAll()
    .where('record_id', '=', recordId)
    .orderBy('imported_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
