import { type Kysely, sql } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/**
 * What search needs to count facets without reading other tables, and to let every process keep a copy
 * of the facet table current:
 *
 * - `bib_facets.change_no`: the catalog change number (the `catalog_changes` counter of `sequences`) of
 *   the transaction that last wrote the row; a process that has seen changes up to N reads only the
 *   rows with a higher number.
 * - `bib_subject_headings`: every subject heading once, with a small integer id; `bib_facets.subject_ids`
 *   lists the record's headings by id, joined by spaces.
 * - `bib_facets.branches`: the branches holding items of the record, each followed by `+` when one of
 *   its items there is on the shelf, joined by spaces (branch ids are UUIDs).
 *
 * The format and language indexes of `bib_records` and the subject index of `bib_subjects` go: search
 * reads those values from `bib_facets`, and every record imported paid for them.
 */
/** Indexes of migration 0004 that nothing uses (an import writes each at a random place per record). */
const UNUSED_INDEXES = ['bib_records_format', 'bib_records_language', 'bib_subjects_subject'];

export const migration: StacksMigration = {
  async up(db: Kysely<any>, { dialect }: MigrationContext) {
    await db.schema
      .alterTable('bib_facets')
      .addColumn('change_no', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('bib_subject_headings')
      .addColumn('id', 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey(),
      )
      .addColumn('heading', 'text', (c) => c.notNull().unique())
      .execute();
    await sql`insert into bib_subject_headings (heading) select distinct subject from bib_subjects order by subject`.execute(
      db,
    );
    await db.schema
      .alterTable('bib_facets')
      .addColumn('subject_ids', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .alterTable('bib_facets')
      .addColumn('branches', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('bib_facets_change').on('bib_facets').column('change_no').execute();
    // One pass over each table (a correlated subquery per record takes PostgreSQL many minutes at 1M).
    await sql`update bib_facets set subject_ids = x.ids from (
        select s.record_id, string_agg(cast(h.id as text), ' ' order by h.id) as ids
        from bib_subjects s join bib_subject_headings h on h.heading = s.subject group by s.record_id) as x
      where x.record_id = bib_facets.record_id`.execute(db);
    // What the catalog's availability refresh writes, for every record with items.
    await sql`update bib_facets set branches = x.list from (
        select record_id, string_agg(b, ' ' order by b) as list from (
          select i.record_id, i.branch_id || case when max(case when i.status = 'available' then 1 else 0 end) = 1
            then '+' else '' end as b
          from items i group by i.record_id, i.branch_id) as y
        group by record_id) as x
      where x.record_id = bib_facets.record_id`.execute(db);
    // Nothing reads these (search counts and filters on bib_facets); every import paid for them.
    for (const name of UNUSED_INDEXES) await db.schema.dropIndex(name).execute();
    // The updates above rewrote every facet row: give the planner fresh statistics.
    if (dialect === 'postgres') await sql`analyze bib_facets`.execute(db);
  },
  async down(db: Kysely<any>) {
    await db.schema.createIndex('bib_records_format').on('bib_records').column('format').execute();
    await db.schema.createIndex('bib_records_language').on('bib_records').column('language').execute();
    await db.schema.createIndex('bib_subjects_subject').on('bib_subjects').column('subject').execute();
    await db.schema.dropIndex('bib_facets_change').execute();
    for (const column of ['branches', 'subject_ids', 'change_no'])
      await db.schema.alterTable('bib_facets').dropColumn(column).execute();
    await db.schema.dropTable('bib_subject_headings').execute();
  },
};
