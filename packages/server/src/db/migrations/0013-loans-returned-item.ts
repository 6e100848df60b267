import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { StacksMigration } from './migration.ts';

/**
 * `loans_returned_item` (item, return time) over ended loans: a check-in of an item that has no open
 * loan finds the loan the check-in before it ended (a retry, or the loser of two desks scanning at
 * once), so it can answer like that one. Open loans stay out of it, so a checkout writes no entry.
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createIndex('loans_returned_item')
      .on('loans')
      .columns(['item_id', 'returned_at'])
      .where(sql.ref('returned_at'), 'is not', null)
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('loans_returned_item').execute();
  },
};
