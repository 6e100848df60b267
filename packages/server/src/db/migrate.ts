import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import { columnTypes } from './column-types.ts';
import { type Database, schemaChanged } from './database.ts';
import { migration as m0001 } from './migrations/0001-branches.ts';
import { migration as m0002 } from './migrations/0002-staff.ts';
import { migration as m0003 } from './migrations/0003-audit.ts';
import { migration as m0004 } from './migrations/0004-catalog.ts';
import { migration as m0005 } from './migrations/0005-catalog-imports.ts';
import { migration as m0006 } from './migrations/0006-search-facets.ts';
import { migration as m0007 } from './migrations/0007-patrons.ts';
import { migration as m0008 } from './migrations/0008-circulation.ts';
import { migration as m0009 } from './migrations/0009-notices-jobs.ts';
import { migration as m0010 } from './migrations/0010-search-speed.ts';
import { migration as m0011 } from './migrations/0011-circulation-speed.ts';
import { migration as m0012 } from './migrations/0012-circulation-writes.ts';
import { migration as m0013 } from './migrations/0013-loans-returned-item.ts';
import { migration as m0014 } from './migrations/0014-record-sources.ts';
import { migration as m0015 } from './migrations/0015-catalog-exports.ts';
import type { StacksMigration } from './migrations/migration.ts';

/** Every migration in order. Names never change once released; new ones are appended. */
const MIGRATIONS: Record<string, StacksMigration> = {
  '0001-branches': m0001,
  '0002-staff': m0002,
  '0003-audit': m0003,
  '0004-catalog': m0004,
  '0005-catalog-imports': m0005,
  '0006-search-facets': m0006,
  '0007-patrons': m0007,
  '0008-circulation': m0008,
  '0009-notices-jobs': m0009,
  '0010-search-speed': m0010,
  '0011-circulation-speed': m0011,
  '0012-circulation-writes': m0012,
  '0013-loans-returned-item': m0013,
  '0014-record-sources': m0014,
  '0015-catalog-exports': m0015,
};

function migrator(database: Database, all: Record<string, StacksMigration> = MIGRATIONS): Migrator {
  const ctx = { dialect: database.dialect, t: columnTypes(database.dialect) };
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(all)) {
    migrations[name] = {
      up: (db: Kysely<any>) => m.up(db, ctx),
      down: (db: Kysely<any>) => m.down(db, ctx),
    };
  }
  return new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'stacks_migrations',
    migrationLockTableName: 'stacks_migrations_lock',
  });
}

/** What a migration run did. */
export interface MigrateOutcome {
  applied: string[];
  pending: string[];
}

/**
 * Brings the schema up to date. All pending migrations run in one transaction on both dialects
 * (PostgreSQL holds an advisory lock, so two processes starting together migrate once): if one fails,
 * the database is left exactly as it was and the error is thrown.
 */
export async function migrateToLatest(
  database: Database,
  migrations: Record<string, StacksMigration> = MIGRATIONS,
): Promise<MigrateOutcome> {
  const result: MigrationResultSet = await migrator(database, migrations).migrateToLatest();
  if ((result.results ?? []).length > 0) schemaChanged();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed ?? '(unknown)'} failed, nothing was changed: ${cause}`, {
      cause: result.error,
    });
  }
  return { applied: (result.results ?? []).map((r) => r.migrationName), pending: [] };
}

/** The migrations applied so far and those still pending. */
export async function migrationStatus(database: Database): Promise<{ applied: string[]; pending: string[] }> {
  const all = await migrator(database).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

/** Reverts the most recent migration (for development and the migration tests). */
export async function migrateDown(database: Database): Promise<void> {
  const result = await migrator(database).migrateDown();
  schemaChanged();
  if (result.error) throw result.error;
}

/** The names of every migration the code knows. */
export const migrationNames = Object.keys(MIGRATIONS);

/** Every migration by name (for tests that add a step of their own). */
export const migrations: Readonly<Record<string, StacksMigration>> = MIGRATIONS;
