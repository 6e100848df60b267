import { type Kysely, sql } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/**
 * Circulation: the rules matrix, loans, holds, transits, and the patrons' account (an append-only
 * ledger of charges and credits with their allocations) with disputes about charges.
 */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    await db.schema
      .createTable('circulation_rules')
      .addColumn('id', t.id, (c) => c.primaryKey())
      // NULL in any of the three: the rule applies to every value (a wildcard).
      .addColumn('branch_id', t.id, (c) => c.references('branches.id').onDelete('cascade'))
      .addColumn('patron_category', 'text', (c) => c.references('patron_categories.code').onDelete('cascade'))
      .addColumn('item_type', 'text', (c) => c.references('item_types.code').onDelete('cascade'))
      .addColumn('loan_period', 'integer', (c) => c.notNull())
      .addColumn('loan_unit', 'text', (c) => c.notNull())
      .addColumn('renewals_allowed', 'integer', (c) => c.notNull())
      .addColumn('renewal_period', 'integer')
      .addColumn('max_loans', 'integer')
      .addColumn('fine_per_unit_minor', t.money, (c) => c.notNull())
      .addColumn('grace_units', 'integer', (c) => c.notNull())
      .addColumn('max_fine_minor', t.money)
      .addColumn('holds_allowed', 'integer', (c) => c.notNull())
      .addColumn('hold_shelf_days', 'integer', (c) => c.notNull())
      .addColumn('lost_after_days', 'integer')
      .addColumn('lost_processing_fee_minor', t.money, (c) => c.notNull())
      .addColumn('refund_lost_on_return', t.bool, (c) => c.notNull())
      .addColumn('charge_closed_days', t.bool, (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('circulation_rules_scope')
      .on('circulation_rules')
      .expression(
        sql`coalesce(cast(branch_id as text), '*'), coalesce(patron_category, '*'), coalesce(item_type, '*')`,
      )
      .unique()
      .execute();

    await db.schema
      .createTable('loans')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('item_id', t.id, (c) => c.notNull().references('items.id'))
      // NULL once the history is anonymised.
      .addColumn('patron_id', t.id, (c) => c.references('patrons.id'))
      .addColumn('branch_id', t.id, (c) => c.notNull().references('branches.id'))
      .addColumn('rule_id', t.id)
      .addColumn('checked_out_at', t.instant, (c) => c.notNull())
      .addColumn('due_at', t.instant, (c) => c.notNull())
      .addColumn('loan_unit', 'text', (c) => c.notNull())
      .addColumn('renewals', 'integer', (c) => c.notNull())
      // The fine terms at checkout, so a later change of the rules does not rewrite old loans.
      .addColumn('fine_per_unit_minor', t.money, (c) => c.notNull())
      .addColumn('grace_units', 'integer', (c) => c.notNull())
      .addColumn('max_fine_minor', t.money)
      .addColumn('charge_closed_days', t.bool, (c) => c.notNull())
      // Overdue fine posted to the ledger so far: accrual adds only the difference (idempotent).
      .addColumn('fine_charged_minor', t.money, (c) => c.notNull())
      // active | returned | lost | claimed_returned
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('lost_at', t.instant)
      .addColumn('returned_at', t.instant)
      .addColumn('returned_branch_id', t.id, (c) => c.references('branches.id'))
      .addColumn('checked_out_by', 'text', (c) => c.notNull())
      .addColumn('override_reason', 'text')
      .addColumn('anonymised_at', t.instant)
      .execute();
    // The one open loan of an item: two desks checking out the same item cannot both win.
    await db.schema
      .createIndex('loans_open_item')
      .on('loans')
      .column('item_id')
      .unique()
      .where(sql.ref('returned_at'), 'is', null)
      .execute();
    await db.schema.createIndex('loans_patron').on('loans').columns(['patron_id', 'returned_at']).execute();
    await db.schema
      .createIndex('loans_open_due')
      .on('loans')
      .column('due_at')
      .where(sql.ref('returned_at'), 'is', null)
      .execute();
    await db.schema.createIndex('loans_returned').on('loans').column('returned_at').execute();

    await db.schema
      .createTable('holds')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id'))
      .addColumn('record_id', t.id, (c) => c.notNull().references('bib_records.id'))
      // Set for an item-level hold, and for a title-level hold once an item is trapped for it.
      .addColumn('item_id', t.id, (c) => c.references('items.id'))
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('pickup_branch_id', t.id, (c) => c.notNull().references('branches.id'))
      // waiting | in_transit | ready | fulfilled | cancelled | expired
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('suspended_until', t.localDate)
      .addColumn('not_needed_after', t.localDate)
      .addColumn('trapped_at', t.instant)
      .addColumn('shelf_expires_on', t.localDate)
      .addColumn('ended_at', t.instant)
      .addColumn('end_reason', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('holds_one_per_patron_record')
      .on('holds')
      .columns(['patron_id', 'record_id'])
      .unique()
      .where(sql.ref('status'), 'in', sql`('waiting', 'in_transit', 'ready')`)
      .execute();
    await db.schema
      .createIndex('holds_queue')
      .on('holds')
      .columns(['record_id', 'status', 'created_at'])
      .execute();
    await db.schema.createIndex('holds_item').on('holds').columns(['item_id', 'status']).execute();
    await db.schema.createIndex('holds_patron').on('holds').columns(['patron_id', 'status']).execute();
    await db.schema.createIndex('holds_pickup').on('holds').columns(['pickup_branch_id', 'status']).execute();

    await db.schema
      .createTable('transits')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('item_id', t.id, (c) => c.notNull().references('items.id'))
      .addColumn('from_branch_id', t.id, (c) => c.notNull().references('branches.id'))
      .addColumn('to_branch_id', t.id, (c) => c.notNull().references('branches.id'))
      .addColumn('hold_id', t.id, (c) => c.references('holds.id'))
      // hold | home
      .addColumn('reason', 'text', (c) => c.notNull())
      // in_transit | received | cancelled
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('sent_at', t.instant, (c) => c.notNull())
      .addColumn('received_at', t.instant)
      .execute();
    await db.schema
      .createIndex('transits_open_item')
      .on('transits')
      .column('item_id')
      .unique()
      .where(sql.ref('status'), '=', 'in_transit')
      .execute();
    await db.schema.createIndex('transits_to').on('transits').columns(['to_branch_id', 'status']).execute();

    // The ledger: charges are positive, credits (payments, waivers, write-offs) negative. Never updated.
    await db.schema
      .createTable('account_lines')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('amount_minor', t.money, (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('loan_id', t.id, (c) => c.references('loans.id'))
      .addColumn('item_id', t.id, (c) => c.references('items.id'))
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      // A client-chosen key: retrying the same payment or fee adds nothing the second time.
      .addColumn('idempotency_key', 'text', (c) => c.unique())
      .execute();
    await db.schema
      .createIndex('account_lines_patron')
      .on('account_lines')
      .columns(['patron_id', 'created_at'])
      .execute();
    await db.schema.createIndex('account_lines_loan').on('account_lines').column('loan_id').execute();

    await db.schema
      .createTable('account_allocations')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('credit_id', t.id, (c) => c.notNull().references('account_lines.id'))
      .addColumn('charge_id', t.id, (c) => c.notNull().references('account_lines.id'))
      .addColumn('amount_minor', t.money, (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('account_allocations_charge')
      .on('account_allocations')
      .column('charge_id')
      .execute();
    await db.schema
      .createIndex('account_allocations_credit')
      .on('account_allocations')
      .column('credit_id')
      .execute();

    await db.schema
      .createTable('disputes')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id'))
      // open | upheld | waived_part | waived_whole
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('complaint', 'text', (c) => c.notNull())
      .addColumn('resolution', 'text')
      .addColumn('waived_minor', t.money, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('resolved_by', 'text')
      .addColumn('resolved_at', t.instant)
      .execute();
    await db.schema.createIndex('disputes_patron').on('disputes').columns(['patron_id', 'status']).execute();
    await db.schema
      .createTable('dispute_charges')
      .addColumn('dispute_id', t.id, (c) => c.notNull().references('disputes.id'))
      .addColumn('charge_id', t.id, (c) => c.notNull().references('account_lines.id'))
      .addPrimaryKeyConstraint('dispute_charges_pk', ['dispute_id', 'charge_id'])
      .execute();
    await db.schema.createIndex('dispute_charges_charge').on('dispute_charges').column('charge_id').execute();
    await db.schema
      .createTable('dispute_notes')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('dispute_id', t.id, (c) => c.notNull().references('disputes.id'))
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dispute_notes_dispute').on('dispute_notes').column('dispute_id').execute();
  },
  async down(db: Kysely<any>) {
    for (const table of [
      'dispute_notes',
      'dispute_charges',
      'disputes',
      'account_allocations',
      'account_lines',
      'transits',
      'holds',
      'loans',
      'circulation_rules',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
