import { type Kysely, sql } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/**
 * The catalog: bibliographic records (MARC kept whole, with extracted fields), their identifiers for
 * duplicate detection, version history, item types, items, named counters, and the search index
 * (an FTS5 table on SQLite; tsvector columns with GIN indexes on PostgreSQL).
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { dialect, t }: MigrationContext) {
    // Sort keys compare byte by byte on both dialects (PostgreSQL's default collation follows the locale).
    const sortKey = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
    await db.schema
      .createTable('sequences')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('bib_records')
      .addColumn('id', t.id, (c) => c.primaryKey())
      // A small integer per record: the FTS5 rowid on SQLite (UUIDs cannot be rowids).
      .addColumn('seq', 'bigint', (c) => c.notNull().unique())
      .addColumn('control_number', 'text')
      .addColumn('marc', t.json, (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('title_sort', sortKey, (c) => c.notNull())
      .addColumn('responsibility', 'text')
      .addColumn('main_author', 'text')
      .addColumn('author_sort', sortKey, (c) => c.notNull())
      .addColumn('authors', t.json, (c) => c.notNull())
      .addColumn('subjects', t.json, (c) => c.notNull())
      .addColumn('series', t.json, (c) => c.notNull())
      .addColumn('publisher', 'text')
      .addColumn('pub_year', 'integer')
      .addColumn('language', 'text')
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('edition', 'text')
      .addColumn('isbns', t.json, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('bib_records_title_sort')
      .on('bib_records')
      .columns(['title_sort', 'id'])
      .execute();
    await db.schema
      .createIndex('bib_records_author_sort')
      .on('bib_records')
      .columns(['author_sort', 'id'])
      .execute();
    await db.schema.createIndex('bib_records_year').on('bib_records').columns(['pub_year', 'id']).execute();
    await db.schema.createIndex('bib_records_format').on('bib_records').column('format').execute();
    await db.schema.createIndex('bib_records_language').on('bib_records').column('language').execute();

    await db.schema
      .createTable('bib_identifiers')
      .addColumn('record_id', t.id, (c) => c.notNull().references('bib_records.id').onDelete('cascade'))
      // isbn (13 digits), issn, lccn, oclc, control (001), system (035 $a)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('bib_identifiers_pk', ['kind', 'value', 'record_id'])
      .execute();
    await db.schema.createIndex('bib_identifiers_record').on('bib_identifiers').column('record_id').execute();

    await db.schema
      .createTable('bib_subjects')
      .addColumn('record_id', t.id, (c) => c.notNull().references('bib_records.id').onDelete('cascade'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('bib_subjects_pk', ['record_id', 'subject'])
      .execute();
    await db.schema.createIndex('bib_subjects_subject').on('bib_subjects').column('subject').execute();

    await db.schema
      .createTable('bib_record_versions')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('record_id', t.id, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('at', t.instant, (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      // created | updated | overlaid | deleted
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('marc', t.json, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('bib_record_versions_record')
      .on('bib_record_versions')
      .columns(['record_id', 'version'])
      .execute();

    await db.schema
      .createTable('item_types')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('is_circulating', t.bool, (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('items')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('record_id', t.id, (c) => c.notNull().references('bib_records.id'))
      .addColumn('barcode', 'text', (c) => c.notNull().unique())
      .addColumn('branch_id', t.id, (c) => c.notNull().references('branches.id'))
      .addColumn('location', 'text')
      .addColumn('call_number', 'text')
      .addColumn('call_number_scheme', 'text', (c) => c.notNull())
      .addColumn('shelf_key', sortKey, (c) => c.notNull())
      .addColumn('item_type', 'text', (c) => c.notNull().references('item_types.code'))
      .addColumn('copy_number', 'text')
      .addColumn('volume', 'text')
      .addColumn('price_minor', t.money)
      .addColumn('public_note', 'text')
      .addColumn('staff_note', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_changed_at', t.instant, (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('items_record').on('items').column('record_id').execute();
    await db.schema
      .createIndex('items_shelf')
      .on('items')
      .columns(['branch_id', 'location', 'shelf_key'])
      .execute();
    await db.schema.createIndex('items_status').on('items').columns(['status', 'branch_id']).execute();

    if (dialect === 'sqlite') {
      // Contentless: the analysed text lives only in the index; rowid = bib_records.seq.
      await sql`create virtual table bib_search using fts5(
        title, author, subject, series, other,
        content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`.execute(db);
    } else {
      await sql`alter table bib_records add column search_vector tsvector`.execute(db);
      await sql`alter table bib_records add column series_vector tsvector`.execute(db);
      await sql`create index bib_records_search on bib_records using gin (search_vector)`.execute(db);
      await sql`create index bib_records_series_search on bib_records using gin (series_vector)`.execute(db);
    }
  },
  async down(db: Kysely<any>, { dialect }: MigrationContext) {
    if (dialect === 'sqlite') await sql`drop table bib_search`.execute(db);
    for (const table of [
      'items',
      'item_types',
      'bib_record_versions',
      'bib_subjects',
      'bib_identifiers',
      'bib_records',
      'sequences',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
