import type { Kysely } from 'kysely';
import type { MigrationContext, StacksMigration } from './migration.ts';

/** Staff accounts, roles made of permissions, sessions, API tokens and login attempts. */
export const migration: StacksMigration = {
  async up(db: Kysely<any>, { t }: MigrationContext) {
    await db.schema
      .createTable('staff_users')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('is_active', t.bool, (c) => c.notNull())
      .addColumn('home_branch_id', t.id, (c) => c.references('branches.id'))
      .addColumn('last_login_at', t.instant)
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('roles')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('updated_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('role_permissions')
      .addColumn('role_id', t.id, (c) => c.notNull().references('roles.id').onDelete('cascade'))
      .addColumn('permission', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('role_permissions_pk', ['role_id', 'permission'])
      .execute();
    await db.schema
      .createTable('staff_user_roles')
      .addColumn('user_id', t.id, (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
      .addColumn('role_id', t.id, (c) => c.notNull().references('roles.id'))
      .addPrimaryKeyConstraint('staff_user_roles_pk', ['user_id', 'role_id'])
      .execute();
    await db.schema.createIndex('staff_user_roles_role').on('staff_user_roles').column('role_id').execute();
    await db.schema
      .createTable('sessions')
      // The SHA-256 of the cookie value: a copy of this table does not let anyone log in.
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', t.id, (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('expires_at', t.instant, (c) => c.notNull())
      .addColumn('last_seen_at', t.instant, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('user_id', t.id, (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
      .addColumn('permissions', t.json)
      .addColumn('created_by', t.id, (c) => c.references('staff_users.id'))
      .addColumn('created_at', t.instant, (c) => c.notNull())
      .addColumn('expires_at', t.instant)
      .addColumn('last_used_at', t.instant)
      .addColumn('revoked_at', t.instant)
      .execute();
    await db.schema
      .createTable('login_attempts')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('at', t.instant, (c) => c.notNull())
      .addColumn('succeeded', t.bool, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('login_attempts_username_at')
      .on('login_attempts')
      .columns(['username', 'at'])
      .execute();
    await db.schema.createIndex('login_attempts_ip_at').on('login_attempts').columns(['ip', 'at']).execute();
  },
  async down(db: Kysely<any>) {
    for (const table of [
      'login_attempts',
      'api_tokens',
      'sessions',
      'staff_user_roles',
      'role_permissions',
      'roles',
      'staff_users',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
