import type { Kysely } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/**
 * Exports started through the API: their progress, so any server process can report it, their report
 * (each repair and skip), and where their file stands.
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    await db.schema
      .createTable('catalog_exports')
      .addColumn('id', t.id, (c) => c.primaryKey())
      // running | done | failed | interrupted | expired (done, its file since removed)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('query', 'text', (c) => c.notNull())
      .addColumn('records_total', 'integer', (c) => c.notNull())
      .addColumn('records_done', 'integer', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint')
      .addColumn('report', t.json)
      .addColumn('error', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .addColumn('finished_at', t.instant)
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('catalog_exports').execute();
  },
};
