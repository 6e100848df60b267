import type { Kysely } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/** The notice outbox and templates, and the leases that keep a daily job to one process at a time. */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    // A library's own wording; the built-in templates apply where there is no row.
    await db.schema
      .createTable('notice_templates')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .addPrimaryKeyConstraint('notice_templates_pk', ['kind', 'language'])
      .execute();

    await db.schema
      .createTable('notices')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('patron_id', t.id, (c) => c.notNull().references('patrons.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      // email | print
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      // What the notice is about, e.g. `overdue-1:<loan id>`: the same notice is never queued twice.
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      // pending | sending | sent | failed | printed
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', t.instant, (c) => c.notNull())
      .addColumn('lease_until', t.instant)
      .addColumn('last_error', 'text')
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('sent_at', t.instant)
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notices_due').on('notices').columns(['status', 'next_attempt_at']).execute();
    await db.schema
      .createIndex('notices_patron')
      .on('notices')
      .columns(['patron_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('job_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text')
      .addColumn('lease_until', t.instant)
      .addColumn('last_started_at', t.instant)
      .addColumn('last_finished_at', t.instant)
      .addColumn('last_outcome', 'text')
      .addColumn('last_summary', t.json)
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['job_leases', 'notices', 'notice_templates'])
      await db.schema.dropTable(table).execute();
  },
};
