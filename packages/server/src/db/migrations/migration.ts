import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../column-types.ts';

/** The dialect-aware context a migration runs with. */
export interface MigrationContext {
  dialect: 'sqlite' | 'postgres';
  t: ColumnTypes;
}

/**
 * One schema step. Migrations are frozen in time: they use `Kysely<any>` and the column-type helpers,
 * never application code, so later changes to the app cannot change what an old migration did.
 */
export interface StacksMigration {
  up(db: Kysely<any>, ctx: MigrationContext): Promise<void>;
  down(db: Kysely<any>, ctx: MigrationContext): Promise<void>;
}
