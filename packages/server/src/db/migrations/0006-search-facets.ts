import { type Kysely, sql } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/**
 * A narrow table of what search counts facets on, one row per record keyed by its small integer `seq`
 * (the SQLite rowid): counting facets and ranking a large result then read a few bytes per record
 * instead of whole catalog rows. `available` counts the record's items on the shelf.
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { dialect }: MigrationContext) {
    const seqType = dialect === 'sqlite' ? 'integer' : 'bigint';
    await db.schema
      .createTable('bib_facets')
      .addColumn('seq', seqType, (c) => c.primaryKey())
      .addColumn('record_id', dialect === 'sqlite' ? 'text' : 'uuid', (c) =>
        c.notNull().unique().references('bib_records.id').onDelete('cascade'),
      )
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('language', 'text')
      .addColumn('decade', 'integer')
      .addColumn('pub_year', 'integer')
      // Length of the title: relevance ties go to the shorter title, and ranking needs it for every match.
      .addColumn('title_length', 'integer', (c) => c.notNull())
      .addColumn('available', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into bib_facets (seq, record_id, format, language, decade, pub_year, title_length, available)
      select r.seq, r.id, r.format, r.language, (r.pub_year / 10) * 10, r.pub_year, length(r.title),
        (select count(*) from items i where i.record_id = r.id and i.status = 'available')
      from bib_records r`.execute(db);
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('bib_facets').execute();
  },
};
