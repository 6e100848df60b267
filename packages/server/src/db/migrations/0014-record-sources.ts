import type { Kysely } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/**
 * Imported records as they came: the original bytes of each record an import created or overlaid
 * (an ISO 2709 record, a MARCXML `<record>` element, a MARC-in-JSON object), so whatever the parsed
 * record lost or changed can be recovered. Kept when the record is deleted, like its versions.
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t, dialect }: MigrationContext) {
    await db.schema
      .createTable('catalog_record_sources')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('record_id', t.id, (c) => c.notNull())
      // iso2709 | marcxml | marc-json
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('original', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('imported_at', t.instant, (c) => c.notNull())
      // the import job (catalog_imports) when the file was uploaded; null from the command line
      .addColumn('import_id', t.id)
      .execute();
    await db.schema
      .createIndex('catalog_record_sources_record')
      .on('catalog_record_sources')
      .columns(['record_id', 'imported_at'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('catalog_record_sources').execute();
  },
};
