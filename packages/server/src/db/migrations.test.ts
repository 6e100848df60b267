import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { openDatabase } from './database.ts';
import { migrateDown, migrateToLatest, migrationNames, migrationStatus, migrations } from './migrate.ts';
import type { DB } from './schema.ts';

/**
 * Tables the schema types declare (a record, so the compiler insists on every one); the migrated
 * database must have exactly these (plus the migrator's).
 */
const DECLARED: Record<keyof DB, true> = {
  libraries: true,
  branches: true,
  branch_opening_hours: true,
  closed_days: true,
  staff_users: true,
  roles: true,
  role_permissions: true,
  staff_user_roles: true,
  sessions: true,
  api_tokens: true,
  login_attempts: true,
  audit_log: true,
  sequences: true,
  bib_records: true,
  bib_identifiers: true,
  bib_subjects: true,
  bib_record_versions: true,
  item_types: true,
  items: true,
  catalog_imports: true,
  catalog_exports: true,
  catalog_record_sources: true,
  bib_facets: true,
  bib_subject_headings: true,
  patron_categories: true,
  patrons: true,
  patron_cards: true,
  patron_blocks: true,
  patron_sessions: true,
  circulation_rules: true,
  loans: true,
  holds: true,
  transits: true,
  account_lines: true,
  account_allocations: true,
  disputes: true,
  dispute_charges: true,
  dispute_notes: true,
  notice_templates: true,
  notices: true,
  job_leases: true,
};
const DECLARED_TABLES = Object.keys(DECLARED) as (keyof DB)[];

async function tableNames(db: Kysely<DB>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables
    .map((t) => t.name)
    .filter((name) => !name.startsWith('stacks_migrations') && !name.startsWith('bib_search'));
}

describe.each(testDialects())('migrations on %s', (dialect) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.drop();
  });

  it('creates every table the schema declares, and reverts to nothing', async () => {
    testDb = await createTestDatabase(dialect);
    const database = openDatabase(testDb.options);
    try {
      const outcome = await migrateToLatest(database);
      expect(outcome.applied).toEqual(migrationNames);
      expect((await tableNames(database.db)).sort()).toEqual([...DECLARED_TABLES].sort());
      expect(await migrationStatus(database)).toEqual({ applied: migrationNames, pending: [] });

      // Running again is a no-op.
      expect((await migrateToLatest(database)).applied).toEqual([]);

      for (const _ of migrationNames) await migrateDown(database);
      expect(await tableNames(database.db)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('leaves the database as it was when a migration fails part-way', async () => {
    testDb = await createTestDatabase(dialect);
    const database = openDatabase(testDb.options);
    try {
      await migrateToLatest(database);
      const before = (await tableNames(database.db)).sort();
      const broken = {
        ...migrations,
        '9998-adds-a-table': {
          async up(db: Kysely<any>) {
            await db.schema.createTable('half_done').addColumn('id', 'text').execute();
          },
          async down() {},
        },
        '9999-fails': {
          async up(db: Kysely<any>) {
            await db.schema.createTable('also_half_done').addColumn('id', 'text').execute();
            await sql`insert into no_such_table values (1)`.execute(db);
          },
          async down() {},
        },
      };
      await expect(migrateToLatest(database, broken)).rejects.toThrow(
        /migration 9999-fails failed, nothing was changed/,
      );
      expect((await tableNames(database.db)).sort()).toEqual(before);
      expect((await migrationStatus(database)).pending).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
