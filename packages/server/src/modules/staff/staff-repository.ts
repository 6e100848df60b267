import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type Executor, isPostgres } from '../../db/database.ts';
import { prepared } from '../../db/prepared.ts';
import type { ApiTokenRow, LoginAttemptRow, RoleRow, SessionRow, StaffUserRow } from '../../db/schema.ts';

// Staff users

export async function insertStaffUser(db: Executor, row: StaffUserRow): Promise<void> {
  await db.insertInto('staff_users').values(row).execute();
}

export async function updateStaffUserRow(
  db: Executor,
  id: string,
  changes: Partial<StaffUserRow>,
): Promise<void> {
  await db.updateTable('staff_users').set(changes).where('id', '=', id).execute();
}

export async function findStaffUserById(db: Executor, id: string): Promise<StaffUserRow | undefined> {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findStaffUserByUsername(
  db: Executor,
  username: string,
): Promise<StaffUserRow | undefined> {
  return db.selectFrom('staff_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findStaffUsers(db: Executor): Promise<StaffUserRow[]> {
  return db.selectFrom('staff_users').selectAll().orderBy('username').execute();
}

export async function countStaffUsers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('staff_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// Roles and permissions

export async function insertRole(db: Executor, row: RoleRow, permissions: readonly string[]): Promise<void> {
  await db.insertInto('roles').values(row).execute();
  await replaceRolePermissions(db, row.id, permissions);
}

export async function updateRoleRow(db: Executor, id: string, changes: Partial<RoleRow>): Promise<void> {
  await db.updateTable('roles').set(changes).where('id', '=', id).execute();
}

export async function replaceRolePermissions(
  db: Executor,
  roleId: string,
  permissions: readonly string[],
): Promise<void> {
  await db.deleteFrom('role_permissions').where('role_id', '=', roleId).execute();
  if (permissions.length > 0) {
    await db
      .insertInto('role_permissions')
      .values(permissions.map((permission) => ({ role_id: roleId, permission })))
      .execute();
  }
}

export async function deleteRoleRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('roles').where('id', '=', id).execute();
}

export async function findRoles(db: Executor): Promise<RoleRow[]> {
  return db.selectFrom('roles').selectAll().orderBy('name').execute();
}

export async function findRoleById(db: Executor, id: string): Promise<RoleRow | undefined> {
  return db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRoleByName(db: Executor, name: string): Promise<RoleRow | undefined> {
  return db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Permissions of each role, by role id. */
export async function findRolePermissions(
  db: Executor,
  roleIds: readonly string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(roleIds.map((id) => [id, []]));
  if (roleIds.length === 0) return map;
  const rows = await db
    .selectFrom('role_permissions')
    .selectAll()
    .where('role_id', 'in', roleIds)
    .orderBy('permission')
    .execute();
  for (const row of rows) map.get(row.role_id)?.push(row.permission);
  return map;
}

/** Role ids of each user, by user id. */
export async function findUserRoleIds(
  db: Executor,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return map;
  const rows = await db.selectFrom('staff_user_roles').selectAll().where('user_id', 'in', userIds).execute();
  for (const row of rows) map.get(row.user_id)?.push(row.role_id);
  return map;
}

export async function replaceUserRoles(
  db: Executor,
  userId: string,
  roleIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('staff_user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length > 0) {
    await db
      .insertInto('staff_user_roles')
      .values(roleIds.map((role_id) => ({ user_id: userId, role_id })))
      .execute();
  }
}

const userPermissions = prepared((db, v: { userId: string }) =>
  db
    .selectFrom('staff_user_roles as ur')
    .innerJoin('role_permissions as rp', 'rp.role_id', 'ur.role_id')
    .select('rp.permission')
    .distinct()
    .where('ur.user_id', '=', v.userId),
);

/** The union of permissions over a user's roles. */
export async function findUserPermissions(db: Executor, userId: string): Promise<string[]> {
  return (await userPermissions.all(db, { userId })).map((r) => r.permission);
}

export async function countUsersWithRole(db: Executor, roleId: string): Promise<number> {
  const row = await db
    .selectFrom('staff_user_roles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_id', '=', roleId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Active users holding the permission `*` through any role. */
export async function findActiveAdministratorIds(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_users as u')
    .innerJoin('staff_user_roles as ur', 'ur.user_id', 'u.id')
    .innerJoin('role_permissions as rp', 'rp.role_id', 'ur.role_id')
    .select('u.id')
    .distinct()
    .where('rp.permission', '=', '*')
    .where('u.is_active', '=', true)
    .execute();
  return rows.map((r) => r.id);
}

// Sessions

export async function insertSession(db: Executor, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

const liveSession = prepared((db, v: { tokenHash: string; now: string }) =>
  db
    .selectFrom('sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.user_id')
    .select(['s.token_hash', 's.user_id', 's.expires_at', 's.last_seen_at', 'u.username', 'u.is_active'])
    .where('s.token_hash', '=', v.tokenHash)
    .where('s.expires_at', '>', v.now),
);

/** The live session with this token hash and its user, or undefined. */
export async function findLiveSession(db: Executor, tokenHash: string, now: string) {
  return liveSession.first(db, { tokenHash, now });
}

export async function touchSession(db: Executor, tokenHash: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends a user's sessions, optionally keeping one (the session that changed the password). */
export async function deleteUserSessions(
  db: Executor,
  userId: string,
  keepTokenHash?: string,
): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepTokenHash !== undefined) q = q.where('token_hash', '!=', keepTokenHash);
  await q.execute();
}

export async function deleteExpiredSessions(db: Executor, now: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// API tokens

export async function insertApiToken(db: Executor, row: ApiTokenRow): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

export async function findApiTokens(db: Executor): Promise<ApiTokenRow[]> {
  return db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute();
}

export async function findApiTokenById(db: Executor, id: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The usable token with this hash (not revoked, not expired) and its user. */
export async function findLiveApiToken(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('staff_users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 't.permissions', 't.last_used_at', 'u.username', 'u.is_active'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function updateApiTokenRow(
  db: Executor,
  id: string,
  changes: Partial<ApiTokenRow>,
): Promise<void> {
  await db.updateTable('api_tokens').set(changes).where('id', '=', id).execute();
}

// Login attempts

/** A 64-bit advisory lock key for a text (the first eight bytes of its SHA-256), as PostgreSQL takes it. */
function advisoryKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

/** Failed or unfinished attempts since `since` under a name, and from an address. */
async function countOpenAttempts(db: Executor, username: string, ip: string, since: string) {
  const count = (column: 'username' | 'ip', value: string) =>
    db
      .selectFrom('login_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .where('at', '>', since)
      .where('succeeded', '=', false)
      .executeTakeFirstOrThrow();
  const byName = await count('username', username);
  const byIp = await count('ip', ip);
  return { byName: Number(byName.n), byIp: Number(byIp.n) };
}

/**
 * Records an attempt as failed before its password is checked, unless its name already has
 * `limits.byName` failed or unfinished attempts since `since`, or its address `limits.byIp`; returns
 * whether it was recorded. Counting and inserting are one transaction that holds both keys, so
 * simultaneous attempts, from any number of processes, never pass a limit together: on SQLite the
 * transaction begins IMMEDIATE and so holds the database's one write lock; on PostgreSQL it takes a
 * transaction-level advisory lock per key, in one global order so that two attempts never deadlock.
 */
export async function reserveLoginAttempt(
  db: Executor,
  row: LoginAttemptRow,
  since: string,
  limits: { byName: number; byIp: number },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (isPostgres(trx)) {
      const keys = [advisoryKey(`login name ${row.username}`), advisoryKey(`login ip ${row.ip}`)];
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const key of keys) await sql`select pg_advisory_xact_lock(${key.toString()}::bigint)`.execute(trx);
    }
    const open = await countOpenAttempts(trx, row.username, row.ip, since);
    if (open.byName >= limits.byName || open.byIp >= limits.byIp) return false;
    await trx.insertInto('login_attempts').values(row).execute();
    return true;
  });
}

/** Marks a recorded attempt as succeeded, so it no longer counts against the limits. */
export async function markLoginAttemptSucceeded(db: Executor, id: string): Promise<void> {
  await db.updateTable('login_attempts').set({ succeeded: true }).where('id', '=', id).execute();
}

export async function deleteLoginAttemptsBefore(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('at', '<', before).execute();
}
