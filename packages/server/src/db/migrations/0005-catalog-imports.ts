import type { Kysely } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/** Imports started through the API: their progress, so any server process can report it, and their report. */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    await db.schema
      .createTable('catalog_imports')
      .addColumn('id', t.id, (c) => c.primaryKey())
      // running | done | failed
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('format', 'text')
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('bytes_done', 'bigint', (c) => c.notNull())
      .addColumn('records_read', 'integer', (c) => c.notNull())
      .addColumn('options', t.json, (c) => c.notNull())
      .addColumn('report', t.json)
      .addColumn('error', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .addColumn('finished_at', t.instant)
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('catalog_imports').execute();
  },
};
