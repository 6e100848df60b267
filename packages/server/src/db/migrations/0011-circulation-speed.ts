import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { StacksMigration } from './migration.ts';

/**
 * Indexes for the desk's hot path and the daily jobs at a million items:
 *
 * - `items_record_status` (record, status) replaces `items_record`: counting a record's copies on the
 *   shelf (every checkout and check-in recounts them) reads that record's rows only, whatever the planner
 *   thinks of `items_status`.
 * - `loans_open_due` becomes (due date, id) on open loans: the fines accrual, overdue notices, lost items
 *   and auto-renewal walk open loans in that order in batches, so every batch starts where the last one
 *   ended instead of sorting all overdue loans again.
 * - `loans_patron` gains the due date: a checkout counts the patron's open and overdue loans from the
 *   index alone, however many loans the patron has.
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('loans_patron').execute();
    await db.schema
      .createIndex('loans_patron')
      .on('loans')
      .columns(['patron_id', 'returned_at', 'due_at'])
      .execute();
    await db.schema.createIndex('items_record_status').on('items').columns(['record_id', 'status']).execute();
    await db.schema.dropIndex('items_record').execute();
    await db.schema.dropIndex('loans_open_due').execute();
    await db.schema
      .createIndex('loans_open_due')
      .on('loans')
      .columns(['due_at', 'id'])
      .where(sql.ref('returned_at'), 'is', null)
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('loans_patron').execute();
    await db.schema.createIndex('loans_patron').on('loans').columns(['patron_id', 'returned_at']).execute();
    await db.schema.createIndex('items_record').on('items').column('record_id').execute();
    await db.schema.dropIndex('items_record_status').execute();
    await db.schema.dropIndex('loans_open_due').execute();
    await db.schema
      .createIndex('loans_open_due')
      .on('loans')
      .column('due_at')
      .where(sql.ref('returned_at'), 'is', null)
      .execute();
  },
};
