import { type Kysely, sql } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/** Patron categories, patrons, their library cards, manual blocks and OPAC sessions. */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    await db.schema
      .createTable('patron_categories')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      // Items a patron of the category may have out at once (all item types together).
      .addColumn('loan_limit', 'integer', (c) => c.notNull())
      // Borrowing stops once the unpaid balance is over this (minor units); NULL: no limit.
      .addColumn('fine_limit_minor', t.money)
      .addColumn('enrolment_months', 'integer', (c) => c.notNull())
      .addColumn('age_min', 'integer')
      .addColumn('age_max', 'integer')
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('patrons')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('card_barcode', 'text', (c) => c.notNull())
      .addColumn('first_name', 'text', (c) => c.notNull())
      .addColumn('last_name', 'text', (c) => c.notNull())
      // Folded "last first" for searching and duplicate checks.
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('birth_date', t.localDate)
      .addColumn('email', 'text')
      .addColumn('email_key', 'text')
      .addColumn('phone', 'text')
      .addColumn('address', 'text')
      .addColumn('category_code', 'text', (c) => c.notNull().references('patron_categories.code'))
      .addColumn('home_branch_id', t.id, (c) => c.notNull().references('branches.id'))
      .addColumn('pin_hash', 'text')
      .addColumn('expires_on', t.localDate, (c) => c.notNull())
      .addColumn('notes', 'text')
      .addColumn('guarantor_id', t.id, (c) => c.references('patrons.id'))
      .addColumn('notice_channel', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('keep_history', t.bool, (c) => c.notNull())
      // active | merged | deleted (a deleted patron is kept, emptied of personal data, so ledgers add up)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('merged_into_id', t.id, (c) => c.references('patrons.id'))
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('patrons_name_key')
      .on('patrons')
      .columns(['name_key', 'birth_date'])
      .execute();
    await db.schema.createIndex('patrons_email_key').on('patrons').column('email_key').execute();
    await db.schema.createIndex('patrons_card').on('patrons').column('card_barcode').execute();

    // Every card a patron has held; only one is active. A replaced card's barcode never works again.
    await db.schema
      .createTable('patron_cards')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id'))
      .addColumn('barcode', 'text', (c) => c.notNull().unique())
      // active | replaced
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('issued_at', t.instant, (c) => c.notNull())
      .addColumn('replaced_at', t.instant)
      .addColumn('replace_reason', 'text')
      .execute();
    await db.schema.createIndex('patron_cards_patron').on('patron_cards').column('patron_id').execute();
    await db.schema
      .createIndex('patron_cards_one_active')
      .on('patron_cards')
      .column('patron_id')
      .unique()
      .where(sql.ref('status'), '=', 'active')
      .execute();

    await db.schema
      .createTable('patron_blocks')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('lifted_at', t.instant)
      .addColumn('lifted_by', 'text')
      .execute();
    await db.schema.createIndex('patron_blocks_patron').on('patron_blocks').column('patron_id').execute();

    await db.schema
      .createTable('patron_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id').onDelete('cascade'))
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('expires_at', t.instant, (c) => c.notNull())
      .addColumn('last_seen_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('patron_sessions_patron').on('patron_sessions').column('patron_id').execute();
  },
  async down(db: Kysely<any>) {
    for (const table of [
      'patron_sessions',
      'patron_blocks',
      'patron_cards',
      'patrons',
      'patron_categories',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
