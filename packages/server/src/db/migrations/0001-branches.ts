import { type Kysely, sql } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/** Libraries, their branches (time zone), weekly opening hours and closed days. */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    await db.schema
      .createTable('libraries')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('branches')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('library_id', t.id, (c) => c.notNull().references('libraries.id'))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('address', 'text')
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('branch_opening_hours')
      .addColumn('branch_id', t.id, (c) => c.notNull().references('branches.id').onDelete('cascade'))
      .addColumn('weekday', 'integer', (c) => c.notNull().check(sqlRange('weekday', 1, 7)))
      .addColumn('opens', 'text', (c) => c.notNull())
      .addColumn('closes', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('branch_opening_hours_pk', ['branch_id', 'weekday', 'opens'])
      .execute();
    await db.schema
      .createTable('closed_days')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('branch_id', t.id, (c) => c.references('branches.id').onDelete('cascade'))
      .addColumn('date', t.localDate, (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .execute();
    // One closed day per branch and date; a NULL branch means every branch, kept unique by an index
    // on the coalesced value so both dialects treat "all branches" as one key.
    await db.schema
      .createIndex('closed_days_branch_date')
      .on('closed_days')
      .expression(coalescedBranchDate())
      .unique()
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('closed_days').execute();
    await db.schema.dropTable('branch_opening_hours').execute();
    await db.schema.dropTable('branches').execute();
    await db.schema.dropTable('libraries').execute();
  },
};

function sqlRange(column: string, min: number, max: number) {
  return sql`${sql.ref(column)} between ${sql.lit(min)} and ${sql.lit(max)}`;
}

function coalescedBranchDate() {
  return sql`coalesce(cast(branch_id as text), '*'), date`;
}
