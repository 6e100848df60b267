import { createHash, randomBytes } from 'node:crypto';
import { ALL_PERMISSIONS, isPermission } from '@stacks/contract';
import type { Executor } from '../../db/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.ts';
import type { ApiTokenRow, RoleRow, StaffUserRow } from '../../db/schema.ts';
import { type Actor, can } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { recordAudit } from '../audit/index.ts';
import type { StaffErrorCode } from './errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import * as repo from './staff-repository.ts';

/** A staff account as shown to administrators (never with its password hash). */
export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  isActive: boolean;
  homeBranchId: string | null;
  roleIds: string[];
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewStaffUser {
  username: string;
  displayName: string;
  email?: string | null;
  password: string;
  roleIds?: string[];
  homeBranchId?: string | null;
}

export interface StaffUserChanges {
  displayName?: string;
  email?: string | null;
  isActive?: boolean;
  roleIds?: string[];
  homeBranchId?: string | null;
  /** A new password set by an administrator; the user's sessions end. */
  password?: string;
}

/** A role: a named set of permissions. */
export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}

/** An API token as listed (its secret is shown only once, when created). */
export interface ApiToken {
  id: string;
  name: string;
  /** The first characters of the token, to recognise it. */
  prefix: string;
  userId: string;
  permissions: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

function fail(code: StaffErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

/** SHA-256 of a secret, hex: how session cookies and API tokens are kept in the database. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toUser(row: StaffUserRow, roleIds: string[]): StaffUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    isActive: Boolean(row.is_active),
    homeBranchId: row.home_branch_id,
    roleIds,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.user_id,
    permissions: row.permissions === null ? null : (JSON.parse(row.permissions) as string[]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function checkPermissions(permissions: readonly string[]): void {
  const unknown = permissions.filter((p) => !isPermission(p));
  if (unknown.length > 0)
    fail('UNKNOWN_PERMISSION', `Unknown permission: ${unknown.join(', ')}`, { unknown });
}

/** The permissions in `wanted` the actor does not hold (none for holders of `*` and for the system). */
function lacking(actor: Actor, wanted: Iterable<string>): string[] {
  return [...new Set(wanted)].filter((p) => !can(actor, p)).sort();
}

/**
 * Nobody grants a permission they do not hold: not to a role, not to an account through its roles,
 * not to an API token (a token's own permissions bound what it may grant).
 */
function checkGrant(actor: Actor, permissions: Iterable<string>, to: string): void {
  const missing = lacking(actor, permissions);
  if (missing.length > 0) {
    fail('FORBIDDEN', `You cannot give ${to} permissions you do not hold yourself: ${missing.join(', ')}`, {
      missing,
    });
  }
}

/** True when the actor is the staff member `userId` (through a session or one of their tokens). */
function isSelf(actor: Actor, userId: string): boolean {
  return actor.type === 'staff' && actor.id === userId;
}

/** What a refusal says about an account or role holding more than the actor. */
function holdsMoreMessage(what: string, missing: readonly string[]): string {
  return missing.includes(ALL_PERMISSIONS)
    ? `${what} has every permission (*); only an administrator can change it`
    : `${what} holds permissions you do not hold (${missing.join(', ')}); only someone holding them can change it`;
}

/** Staff accounts, roles and API tokens. */
export function createStaffService(deps: { db: Executor; clock: Clock }) {
  const { db, clock } = deps;

  async function loadUser(trx: Executor, id: string): Promise<StaffUser> {
    const row = await repo.findStaffUserById(trx, id);
    if (!row) fail('STAFF_USER_NOT_FOUND', `No staff user has the id ${id}`, { userId: id });
    return toUser(row, (await repo.findUserRoleIds(trx, [id])).get(id) ?? []);
  }

  async function checkRolesExist(trx: Executor, roleIds: readonly string[]): Promise<void> {
    for (const roleId of roleIds) {
      if (!(await repo.findRoleById(trx, roleId)))
        fail('ROLE_NOT_FOUND', `No role has the id ${roleId}`, { roleId });
    }
  }

  /** The union of the permissions of these roles. */
  async function permissionsOfRoles(trx: Executor, roleIds: readonly string[]): Promise<string[]> {
    return [...(await repo.findRolePermissions(trx, roleIds)).values()].flat();
  }

  /**
   * Nobody acts for an account holding a permission they do not hold (only administrators change
   * administrators): editing it, resetting its password, deactivating it, changing its roles, making
   * or revoking its tokens.
   */
  async function checkActingFor(trx: Executor, actor: Actor, user: StaffUser): Promise<void> {
    const missing = lacking(actor, await repo.findUserPermissions(trx, user.id));
    if (missing.length > 0)
      fail('FORBIDDEN', holdsMoreMessage(`The account ${user.username}`, missing), {
        userId: user.id,
        missing,
      });
  }

  /** Only someone holding every permission of a role may change or delete it. */
  function checkRoleHeld(actor: Actor, role: Role): void {
    const missing = lacking(actor, role.permissions);
    if (missing.length > 0)
      fail('FORBIDDEN', holdsMoreMessage(`The role ${role.name}`, missing), { roleId: role.id, missing });
  }

  /** Refuses a change that would take away the last active administrator the library had. */
  async function keepAnAdministrator(trx: Executor, administratorsBefore: number): Promise<void> {
    if (administratorsBefore > 0 && (await repo.findActiveAdministratorIds(trx)).length === 0) {
      fail(
        'LAST_ADMINISTRATOR',
        'This would leave no active administrator; give another account the Administrator role first',
      );
    }
  }

  async function loadRoles(trx: Executor, rows: RoleRow[]): Promise<Role[]> {
    const perms = await repo.findRolePermissions(
      trx,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      permissions: perms.get(r.id) ?? [],
    }));
  }

  async function loadRole(trx: Executor, id: string): Promise<Role> {
    const row = await repo.findRoleById(trx, id);
    if (!row) fail('ROLE_NOT_FOUND', `No role has the id ${id}`, { roleId: id });
    return (await loadRoles(trx, [row]))[0]!;
  }

  return {
    async listUsers(): Promise<StaffUser[]> {
      const rows = await repo.findStaffUsers(db);
      const roles = await repo.findUserRoleIds(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => toUser(r, roles.get(r.id) ?? []));
    },

    getUser: (id: string) => loadUser(db, id),

    async findUserByUsername(username: string): Promise<StaffUser | undefined> {
      const row = await repo.findStaffUserByUsername(db, username.toLowerCase());
      return row ? loadUser(db, row.id) : undefined;
    },

    async countUsers(): Promise<number> {
      return repo.countStaffUsers(db);
    },

    /** Adds a staff account. User names are lower-case letters, digits, `.`, `_` and `-`. */
    async createUser(actor: Actor, input: NewStaffUser): Promise<StaffUser> {
      const username = input.username.trim().toLowerCase();
      if (!USERNAME.test(username)) {
        fail(
          'INVALID_USERNAME',
          'User names are 2–64 characters: letters, digits, dot, underscore or hyphen, starting with a letter or digit',
        );
      }
      const problem = passwordProblem(input.password, username);
      if (problem) fail('WEAK_PASSWORD', problem);
      const passwordHash = await hashPassword(input.password);
      const now = clock.now();
      const id = newId(now.getTime());
      try {
        await db.transaction().execute(async (trx) => {
          await checkRolesExist(trx, input.roleIds ?? []);
          checkGrant(actor, await permissionsOfRoles(trx, input.roleIds ?? []), 'an account');
          await repo.insertStaffUser(trx, {
            id,
            username,
            display_name: input.displayName,
            email: input.email ?? null,
            password_hash: passwordHash,
            is_active: true,
            home_branch_id: input.homeBranchId ?? null,
            last_login_at: null,
            created_at: now.toISOString(),
            updated_at: now.toISOString(),
          });
          await repo.replaceUserRoles(trx, id, input.roleIds ?? []);
          await recordAudit(trx, now, actor, {
            action: 'staff_user.created',
            entityType: 'staff_user',
            entityId: id,
            changes: {
              username,
              displayName: input.displayName,
              email: input.email ?? null,
              roleIds: input.roleIds ?? [],
            },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('USERNAME_TAKEN', `The user name ${username} is taken`, { username });
        if (isForeignKeyViolation(error))
          fail('BRANCH_NOT_FOUND', 'The home branch does not exist', { homeBranchId: input.homeBranchId });
        throw error;
      }
      return loadUser(db, id);
    },

    /** Changes an account; deactivating it or setting a new password ends its sessions. */
    async updateUser(actor: Actor, id: string, changes: StaffUserChanges): Promise<StaffUser> {
      const now = clock.now();
      let passwordHash: string | undefined;
      if (changes.password !== undefined) {
        const current = await loadUser(db, id);
        const problem = passwordProblem(changes.password, current.username);
        if (problem) fail('WEAK_PASSWORD', problem);
        // Whether it is the current password is told only to someone who may act for the account
        // (the transaction below checks that again).
        await checkActingFor(db, actor, current);
        const row = await repo.findStaffUserById(db, id);
        if (row && (await verifyPassword(changes.password, row.password_hash)))
          fail('WEAK_PASSWORD', 'The new password must differ from the current one');
        passwordHash = await hashPassword(changes.password);
      }
      try {
        await db.transaction().execute(async (trx) => {
          const before = await loadUser(trx, id);
          await checkActingFor(trx, actor, before);
          if (changes.roleIds !== undefined) {
            await checkRolesExist(trx, changes.roleIds);
            checkGrant(actor, await permissionsOfRoles(trx, changes.roleIds), 'an account');
          }
          const administratorsBefore = (await repo.findActiveAdministratorIds(trx)).length;
          const row: Partial<StaffUserRow> = { updated_at: now.toISOString() };
          const diff: Record<string, unknown> = {};
          if (changes.displayName !== undefined && changes.displayName !== before.displayName) {
            row.display_name = changes.displayName;
            diff.displayName = { from: before.displayName, to: changes.displayName };
          }
          if (changes.email !== undefined && changes.email !== before.email) {
            row.email = changes.email;
            diff.email = { from: before.email, to: changes.email };
          }
          if (changes.homeBranchId !== undefined && changes.homeBranchId !== before.homeBranchId) {
            row.home_branch_id = changes.homeBranchId;
            diff.homeBranchId = { from: before.homeBranchId, to: changes.homeBranchId };
          }
          if (changes.isActive !== undefined && changes.isActive !== before.isActive) {
            row.is_active = changes.isActive;
            diff.isActive = { from: before.isActive, to: changes.isActive };
          }
          if (passwordHash !== undefined) {
            row.password_hash = passwordHash;
            diff.password = 'reset';
          }
          await repo.updateStaffUserRow(trx, id, row);
          if (changes.roleIds !== undefined) {
            await repo.replaceUserRoles(trx, id, changes.roleIds);
            diff.roleIds = { from: before.roleIds, to: changes.roleIds };
          }
          if (changes.isActive === false || passwordHash !== undefined)
            await repo.deleteUserSessions(trx, id);
          if (changes.isActive === false || changes.roleIds !== undefined)
            await keepAnAdministrator(trx, administratorsBefore);
          await recordAudit(trx, now, actor, {
            action: 'staff_user.updated',
            entityType: 'staff_user',
            entityId: id,
            changes: diff,
          });
        });
      } catch (error) {
        if (isForeignKeyViolation(error))
          fail('BRANCH_NOT_FOUND', 'The home branch does not exist', { homeBranchId: changes.homeBranchId });
        throw error;
      }
      return loadUser(db, id);
    },

    /** A staff member changes their own password; their other sessions end. */
    async changeOwnPassword(
      actor: Actor,
      input: { currentPassword: string; newPassword: string; keepSessionHash?: string },
    ) {
      if (actor.type !== 'staff') fail('FORBIDDEN', 'Only a staff member can change their own password');
      const row = await repo.findStaffUserById(db, actor.id);
      if (!row || !(await verifyPassword(input.currentPassword, row.password_hash))) {
        fail('INVALID_CURRENT_PASSWORD', 'The current password is not right');
      }
      const problem = passwordProblem(input.newPassword, row.username);
      if (problem) fail('WEAK_PASSWORD', problem);
      // The current password was just verified, so comparing the texts (as hashing normalises them) suffices.
      if (input.newPassword.normalize('NFKC') === input.currentPassword.normalize('NFKC'))
        fail('WEAK_PASSWORD', 'The new password must differ from the current one');
      const passwordHash = await hashPassword(input.newPassword);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.updateStaffUserRow(trx, actor.id, {
          password_hash: passwordHash,
          updated_at: now.toISOString(),
        });
        await repo.deleteUserSessions(trx, actor.id, input.keepSessionHash);
        await recordAudit(trx, now, actor, {
          action: 'staff_user.password_changed',
          entityType: 'staff_user',
          entityId: actor.id,
        });
      });
    },

    async listRoles(): Promise<Role[]> {
      return loadRoles(db, await repo.findRoles(db));
    },

    getRole: (id: string) => loadRole(db, id),

    async findRoleByName(name: string): Promise<Role | undefined> {
      const row = await repo.findRoleByName(db, name);
      return row ? loadRole(db, row.id) : undefined;
    },

    async createRole(
      actor: Actor,
      input: { name: string; description?: string; permissions: string[] },
    ): Promise<Role> {
      checkPermissions(input.permissions);
      checkGrant(actor, input.permissions, 'a role');
      const now = clock.now();
      const id = newId(now.getTime());
      const permissions = [...new Set(input.permissions)].sort();
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertRole(
            trx,
            {
              id,
              name: input.name,
              description: input.description ?? '',
              created_at: now.toISOString(),
              updated_at: now.toISOString(),
            },
            permissions,
          );
          await recordAudit(trx, now, actor, {
            action: 'role.created',
            entityType: 'role',
            entityId: id,
            changes: { name: input.name, permissions },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('ROLE_NAME_TAKEN', `A role named ${input.name} exists already`, { name: input.name });
        throw error;
      }
      return loadRole(db, id);
    },

    async updateRole(
      actor: Actor,
      id: string,
      changes: { name?: string; description?: string; permissions?: string[] },
    ): Promise<Role> {
      if (changes.permissions) checkPermissions(changes.permissions);
      const now = clock.now();
      try {
        await db.transaction().execute(async (trx) => {
          const before = await loadRole(trx, id);
          checkRoleHeld(actor, before);
          if (changes.permissions !== undefined) checkGrant(actor, changes.permissions, 'a role');
          const administratorsBefore = (await repo.findActiveAdministratorIds(trx)).length;
          const row: Partial<RoleRow> = { updated_at: now.toISOString() };
          if (changes.name !== undefined) row.name = changes.name;
          if (changes.description !== undefined) row.description = changes.description;
          await repo.updateRoleRow(trx, id, row);
          if (changes.permissions !== undefined) {
            const permissions = [...new Set(changes.permissions)].sort();
            await repo.replaceRolePermissions(trx, id, permissions);
            await keepAnAdministrator(trx, administratorsBefore);
          }
          await recordAudit(trx, now, actor, {
            action: 'role.updated',
            entityType: 'role',
            entityId: id,
            changes: { before, changes },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('ROLE_NAME_TAKEN', `A role named ${changes.name} exists already`, { name: changes.name });
        throw error;
      }
      return loadRole(db, id);
    },

    /** Removes a role no account holds. */
    async deleteRole(actor: Actor, id: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await loadRole(trx, id);
        checkRoleHeld(actor, before);
        const holders = await repo.countUsersWithRole(trx, id);
        if (holders > 0)
          fail(
            'ROLE_IN_USE',
            `${holders} staff account(s) hold the role ${before.name}; take it from them first`,
            { holders },
          );
        await repo.deleteRoleRow(trx, id);
        await recordAudit(trx, now, actor, {
          action: 'role.deleted',
          entityType: 'role',
          entityId: id,
          changes: { name: before.name },
        });
      });
    },

    async listTokens(): Promise<ApiToken[]> {
      return (await repo.findApiTokens(db)).map(toToken);
    },

    /**
     * Creates an API token that acts as `userId` (an integration usually gets an account of its own),
     * optionally limited to some of that user's permissions. The secret is returned once and stored only
     * as a hash. The actor must hold every permission the token carries (the user's, when unlimited), and
     * for another user every permission that user holds.
     */
    async createToken(
      actor: Actor,
      input: { name: string; userId: string; permissions?: string[] | null; expiresInDays?: number | null },
    ): Promise<{ token: ApiToken; secret: string }> {
      if (input.permissions) checkPermissions(input.permissions);
      const now = clock.now();
      const secret = `stk_${randomBytes(32).toString('base64url')}`;
      const row: ApiTokenRow = {
        id: newId(now.getTime()),
        name: input.name,
        token_hash: hashSecret(secret),
        prefix: secret.slice(0, 10),
        user_id: input.userId,
        permissions: input.permissions ? JSON.stringify([...new Set(input.permissions)].sort()) : null,
        created_by: actor.type === 'staff' ? actor.id : null,
        created_at: now.toISOString(),
        expires_at: input.expiresInDays
          ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString()
          : null,
        last_used_at: null,
        revoked_at: null,
      };
      await db.transaction().execute(async (trx) => {
        const user = await loadUser(trx, input.userId);
        // A token for oneself may carry what the actor holds; one for anyone else also acts for them.
        if (!isSelf(actor, user.id)) await checkActingFor(trx, actor, user);
        checkGrant(actor, input.permissions ?? (await repo.findUserPermissions(trx, user.id)), 'a token');
        if (!user.isActive)
          fail('STAFF_USER_NOT_FOUND', `The account ${user.username} is deactivated`, {
            userId: input.userId,
          });
        await repo.insertApiToken(trx, row);
        await recordAudit(trx, now, actor, {
          action: 'api_token.created',
          entityType: 'api_token',
          entityId: row.id,
          changes: {
            name: row.name,
            userId: row.user_id,
            permissions: input.permissions ?? null,
            expiresAt: row.expires_at,
          },
        });
      });
      return { token: toToken(row), secret };
    },

    /** Revokes a token at once; requests carrying it get 401 from then on. */
    async revokeToken(actor: Actor, id: string): Promise<ApiToken> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await repo.findApiTokenById(trx, id);
        if (!row) fail('TOKEN_NOT_FOUND', `No API token has the id ${id}`, { tokenId: id });
        if (!isSelf(actor, row.user_id)) await checkActingFor(trx, actor, await loadUser(trx, row.user_id));
        if (row.revoked_at === null) {
          await repo.updateApiTokenRow(trx, id, { revoked_at: now.toISOString() });
          await recordAudit(trx, now, actor, {
            action: 'api_token.revoked',
            entityType: 'api_token',
            entityId: id,
          });
        }
      });
      const row = await repo.findApiTokenById(db, id);
      return toToken(row!);
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
