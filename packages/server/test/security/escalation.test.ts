import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/kernel/clock.ts';
import type { Role, StaffUser } from '../../src/modules/staff/index.ts';
import { createTestServer } from '../create-test-server.ts';
import { testDialects } from '../dialects.ts';
import { makeStaffUser, TEST_PASSWORD, testActor } from '../factories.ts';

/** A password no policy should refuse, for the resets that are allowed. */
const NEW_PASSWORD = 'Granite-harbour-71-lantern';

/** The tables that hold who may do what; a refused request must leave every row of them as it was. */
const STAFF_TABLES = [
  'staff_users',
  'roles',
  'role_permissions',
  'staff_user_roles',
  'api_tokens',
  'sessions',
  'audit_log',
];

/**
 * No way up the roles: nobody grants a permission they do not hold (to a role, to a user through roles,
 * or to an API token), nor acts for an account holding more than they do (tokens for it, password
 * reset, deactivation, role changes, edits, revoking its tokens); only administrators (`*`) change
 * administrators. Every attack goes through HTTP with real sessions and tokens and must answer 403 and
 * change nothing; the same operations within the actor's own permissions still work.
 */
describe.each(testDialects())('privilege escalation on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  const users: Record<string, StaffUser> = {};
  const cookies: Record<string, string> = {};
  let adminRole: Role;
  let everythingRole: Role;
  let auditRole: Role;
  let rootTokenId: string;
  let rootSecret: string;
  /** A token of `supervisor` limited to staff.read, staff.manage and tokens.manage. */
  let narrowSecret: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, { clock: fixedClock('2026-03-02T10:00:00.000Z') });
    const people: [string, string[]][] = [
      ['root', ['*']],
      ['root2', ['*']],
      ['tokenman', ['tokens.manage']],
      ['staffman', ['staff.read', 'staff.manage']],
      ['supervisor', ['staff.read', 'staff.manage', 'tokens.manage', 'circulation.desk', 'patrons.read']],
      ['clerk', ['circulation.desk']],
      ['auditor', ['audit.read']],
      ['blank', []],
    ];
    for (const [name, permissions] of people) {
      users[name] = await makeStaffUser(s.app, name, permissions);
      cookies[name] = await s.login(name);
    }
    const staff = s.app.services.staff;
    adminRole = await staff.getRole(users.root!.roleIds[0]!);
    auditRole = await staff.getRole(users.auditor!.roleIds[0]!);
    everythingRole = await staff.createRole(testActor, { name: 'Everything', permissions: ['*'] });
    const created = await staff.createToken(testActor, { name: 'root integration', userId: users.root!.id });
    rootTokenId = created.token.id;
    rootSecret = created.secret;
    const narrow = await s.as(cookies.supervisor!, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'narrow', permissions: ['staff.read', 'staff.manage', 'tokens.manage'] },
    });
    expect(narrow.statusCode).toBe(201);
    narrowSecret = narrow.json().secret;
    // First uses stamp last_used_at; later refusals must then leave every row as it was.
    for (const secret of [narrowSecret, rootSecret])
      expect((await bearer(secret, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
  });
  afterAll(async () => s.close());

  const bearer = (secret: string, request: InjectOptions) =>
    s.http.inject({ ...request, headers: { ...request.headers, authorization: `Bearer ${secret}` } });

  /** Every row of the staff tables, to compare before and after a refused request. */
  async function snapshot(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const table of STAFF_TABLES) {
      const { rows } = await sql`select * from ${sql.table(table)}`.execute(s.app.database.db);
      out[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  }

  /** Sends the request and expects a 403 that names what the actor lacks, with nothing written. */
  async function refused(send: () => Promise<LightMyRequestResponse>, missing: string[]) {
    const before = await snapshot();
    const res = await send();
    expect(res.statusCode, res.body).toBe(403);
    const { error } = res.json();
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details.missing).toEqual(missing);
    for (const permission of missing) expect(error.message).toContain(permission);
    expect(await snapshot()).toEqual(before);
  }

  const tokenAttacks: [string, () => InjectOptions, string[]][] = [
    ['a token for the administrator', () => ({ payload: { name: 't', userId: users.root!.id } }), ['*']],
    [
      'a token for the administrator limited to what the attacker holds',
      () => ({ payload: { name: 't', userId: users.root!.id, permissions: ['tokens.manage'] } }),
      ['*'],
    ],
    [
      'a token for another administrator',
      () => ({ payload: { name: 't', userId: users.root2!.id, permissions: [] } }),
      ['*'],
    ],
    [
      'a token for a clerk holding circulation.desk',
      () => ({ payload: { name: 't', userId: users.clerk!.id } }),
      ['circulation.desk'],
    ],
    ['a token of its own holding *', () => ({ payload: { name: 't', permissions: ['*'] } }), ['*']],
    [
      'a token of its own holding staff.manage',
      () => ({ payload: { name: 't', permissions: ['tokens.manage', 'staff.manage'] } }),
      ['staff.manage'],
    ],
  ];

  it.each(tokenAttacks)('refuses tokens.manage alone %s', async (_name, request, missing) => {
    await refused(
      () => s.as(cookies.tokenman!, { method: 'POST', url: '/api/tokens', ...request() }),
      missing,
    );
  });

  it('refuses tokens.manage alone revoking the administrator’s token, which keeps working', async () => {
    await refused(
      () => s.as(cookies.tokenman!, { method: 'DELETE', url: `/api/tokens/${rootTokenId}` }),
      ['*'],
    );
    const me = await bearer(rootSecret, { method: 'GET', url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().username).toBe('root');
  });

  const staffAttacks: [string, () => InjectOptions, string[]][] = [
    [
      'giving itself the administrators’ role',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.staffman!.id}`,
        payload: { roleIds: [...users.staffman!.roleIds, adminRole.id] },
      }),
      ['*'],
    ],
    [
      'giving itself a role holding audit.read',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.staffman!.id}`,
        payload: { roleIds: [...users.staffman!.roleIds, auditRole.id] },
      }),
      ['audit.read'],
    ],
    [
      'adding * to its own role',
      () => ({
        method: 'PATCH',
        url: `/api/staff/roles/${users.staffman!.roleIds[0]}`,
        payload: { permissions: ['staff.read', 'staff.manage', '*'] },
      }),
      ['*'],
    ],
    [
      'adding fines.waive to its own role',
      () => ({
        method: 'PATCH',
        url: `/api/staff/roles/${users.staffman!.roleIds[0]}`,
        payload: { permissions: ['staff.read', 'staff.manage', 'fines.waive'] },
      }),
      ['fines.waive'],
    ],
    [
      'creating a role holding *',
      () => ({ method: 'POST', url: '/api/staff/roles', payload: { name: 'Mine', permissions: ['*'] } }),
      ['*'],
    ],
    [
      'creating a role holding audit.read',
      () => ({
        method: 'POST',
        url: '/api/staff/roles',
        payload: { name: 'Mine', permissions: ['staff.read', 'audit.read'] },
      }),
      ['audit.read'],
    ],
    [
      'creating an account with the administrators’ role',
      () => ({
        method: 'POST',
        url: '/api/staff/users',
        payload: {
          username: 'sleeper',
          displayName: 'Sleeper',
          password: NEW_PASSWORD,
          roleIds: [adminRole.id],
        },
      }),
      ['*'],
    ],
    [
      'resetting the administrator’s password',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.root!.id}`,
        payload: { password: NEW_PASSWORD },
      }),
      ['*'],
    ],
    [
      'deactivating the administrator',
      () => ({ method: 'PATCH', url: `/api/staff/users/${users.root!.id}`, payload: { isActive: false } }),
      ['*'],
    ],
    [
      'taking the administrator’s roles',
      () => ({ method: 'PATCH', url: `/api/staff/users/${users.root!.id}`, payload: { roleIds: [] } }),
      ['*'],
    ],
    [
      'changing the administrator’s e-mail (to reset the password by mail)',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.root!.id}`,
        payload: { email: 'attacker@example.org', displayName: 'Root' },
      }),
      ['*'],
    ],
    [
      'resetting the password of an account holding audit.read',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.auditor!.id}`,
        payload: { password: NEW_PASSWORD },
      }),
      ['audit.read'],
    ],
    [
      'deactivating an account holding audit.read',
      () => ({ method: 'PATCH', url: `/api/staff/users/${users.auditor!.id}`, payload: { isActive: false } }),
      ['audit.read'],
    ],
    [
      'giving another account a role holding audit.read',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.blank!.id}`,
        payload: { roleIds: [auditRole.id] },
      }),
      ['audit.read'],
    ],
    [
      'taking * from the administrators’ role',
      () => ({
        method: 'PATCH',
        url: `/api/staff/roles/${adminRole.id}`,
        payload: { permissions: ['staff.read'] },
      }),
      ['*'],
    ],
    [
      'renaming the administrators’ role',
      () => ({ method: 'PATCH', url: `/api/staff/roles/${adminRole.id}`, payload: { name: 'Gone' } }),
      ['*'],
    ],
    [
      'deleting a role holding *',
      () => ({ method: 'DELETE', url: `/api/staff/roles/${everythingRole.id}` }),
      ['*'],
    ],
    [
      'changing a role holding audit.read',
      () => ({
        method: 'PATCH',
        url: `/api/staff/roles/${auditRole.id}`,
        payload: { permissions: ['audit.read', 'staff.read'] },
      }),
      ['audit.read'],
    ],
  ];

  it.each(staffAttacks)('refuses staff.manage alone %s', async (_name, request, missing) => {
    await refused(() => s.as(cookies.staffman!, request()), missing);
  });

  const narrowAttacks: [string, () => InjectOptions, string[]][] = [
    [
      'creating an unlimited token for its own user',
      () => ({ method: 'POST', url: '/api/tokens', payload: { name: 'wide' } }),
      ['circulation.desk', 'patrons.read'],
    ],
    [
      'creating a token holding more than itself',
      () => ({
        method: 'POST',
        url: '/api/tokens',
        payload: { name: 'wide', permissions: ['staff.read', 'circulation.desk'] },
      }),
      ['circulation.desk'],
    ],
    [
      'resetting its own user’s password',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.supervisor!.id}`,
        payload: { password: NEW_PASSWORD },
      }),
      ['circulation.desk', 'patrons.read'],
    ],
    [
      'resetting the password of a clerk its user could reset',
      () => ({
        method: 'PATCH',
        url: `/api/staff/users/${users.clerk!.id}`,
        payload: { password: NEW_PASSWORD },
      }),
      ['circulation.desk'],
    ],
  ];

  it.each(narrowAttacks)('refuses a token narrower than its user %s', async (_name, request, missing) => {
    await refused(() => bearer(narrowSecret, request()), missing);
  });

  it('leaves the administrator’s password, session and roles as they were', async () => {
    const me = await s.as(cookies.root!, { method: 'GET', url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().permissions).toEqual(['*']);
    await s.login('root', TEST_PASSWORD);
    expect(await s.app.services.staff.getUser(users.root!.id)).toMatchObject({
      isActive: true,
      email: null,
      roleIds: [adminRole.id],
    });
    expect((await s.app.services.staff.getRole(adminRole.id)).permissions).toEqual(['*']);
    expect(await s.app.services.staff.findUserByUsername('sleeper')).toBeUndefined();
  });

  it('lets someone with staff.manage grant what they hold to someone holding less', async () => {
    const sup = cookies.supervisor!;
    const role = await s.as(sup, {
      method: 'POST',
      url: '/api/staff/roles',
      payload: { name: 'Desk', permissions: ['circulation.desk', 'patrons.read'] },
    });
    expect(role.statusCode, role.body).toBe(201);
    const created = await s.as(sup, {
      method: 'POST',
      url: '/api/staff/users',
      payload: {
        username: 'newclerk',
        displayName: 'New Clerk',
        password: NEW_PASSWORD,
        roleIds: [role.json().id],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const changed = await s.as(sup, {
      method: 'PATCH',
      url: `/api/staff/roles/${role.json().id}`,
      payload: { name: 'Desk staff', permissions: ['circulation.desk'] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const newclerk = await s.login('newclerk', NEW_PASSWORD);
    expect((await s.as(newclerk, { method: 'GET', url: '/api/auth/me' })).json().permissions).toEqual([
      'circulation.desk',
    ]);

    // The clerk holds nothing the supervisor lacks: a password reset, a token and a role change pass.
    const reset = await s.as(sup, {
      method: 'PATCH',
      url: `/api/staff/users/${users.clerk!.id}`,
      payload: { password: NEW_PASSWORD, displayName: 'Clerk' },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    await s.login('clerk', NEW_PASSWORD);
    const token = await s.as(sup, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'clerk kiosk', userId: users.clerk!.id },
    });
    expect(token.statusCode, token.body).toBe(201);
    const revoked = await s.as(sup, { method: 'DELETE', url: `/api/tokens/${token.json().token.id}` });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const roles = await s.as(sup, {
      method: 'PATCH',
      url: `/api/staff/users/${users.blank!.id}`,
      payload: { roleIds: [role.json().id] },
    });
    expect(roles.statusCode, roles.body).toBe(200);
    const off = await s.as(sup, {
      method: 'PATCH',
      url: `/api/staff/users/${created.json().id}`,
      payload: { isActive: false },
    });
    expect(off.statusCode, off.body).toBe(200);

    // staff.manage alone may still change its own name, and add an account holding its own role.
    const self = await s.as(cookies.staffman!, {
      method: 'PATCH',
      url: `/api/staff/users/${users.staffman!.id}`,
      payload: { displayName: 'Staff Manager' },
    });
    expect(self.statusCode, self.body).toBe(200);
    const give = await s.as(cookies.staffman!, {
      method: 'POST',
      url: '/api/staff/users',
      payload: {
        username: 'deputy',
        displayName: 'Deputy',
        password: NEW_PASSWORD,
        roleIds: users.staffman!.roleIds,
      },
    });
    expect(give.statusCode, give.body).toBe(201);
  });

  it('lets tokens.manage make tokens for itself within what it holds, and a narrow token narrower ones', async () => {
    const own = await s.as(cookies.tokenman!, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'mine' },
    });
    expect(own.statusCode, own.body).toBe(201);
    const limited = await s.as(cookies.tokenman!, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'mine too', permissions: ['tokens.manage'] },
    });
    expect(limited.statusCode, limited.body).toBe(201);
    const revoked = await bearer(own.json().secret, {
      method: 'DELETE',
      url: `/api/tokens/${limited.json().token.id}`,
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const narrower = await bearer(narrowSecret, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'reader', permissions: ['staff.read'] },
    });
    expect(narrower.statusCode, narrower.body).toBe(201);
  });

  it('never lets a token act beyond its user’s permissions', async () => {
    const created = await s.as(cookies.root!, {
      method: 'POST',
      url: '/api/tokens',
      payload: {
        name: 'clerk plus',
        userId: users.clerk!.id,
        permissions: ['circulation.desk', 'staff.manage'],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { secret } = created.json();
    const me = await bearer(secret, { method: 'GET', url: '/api/auth/me' });
    expect(me.json()).toMatchObject({ username: 'clerk', via: 'token', permissions: ['circulation.desk'] });
    expect((await bearer(secret, { method: 'GET', url: '/api/staff/users' })).statusCode).toBe(403);
    const patch = await bearer(secret, {
      method: 'PATCH',
      url: `/api/staff/users/${users.clerk!.id}`,
      payload: { displayName: 'x' },
    });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().error.details).toEqual({ permission: 'staff.manage' });
  });

  it('lets an administrator do all of it, and only administrators change administrators', async () => {
    const root = cookies.root!;
    const token = await s.as(root, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'for root2', userId: users.root2!.id },
    });
    expect(token.statusCode, token.body).toBe(201);
    const reset = await s.as(root, {
      method: 'PATCH',
      url: `/api/staff/users/${users.root2!.id}`,
      payload: { password: NEW_PASSWORD },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    await s.login('root2', NEW_PASSWORD);
    const promote = await s.as(root, {
      method: 'PATCH',
      url: `/api/staff/users/${users.auditor!.id}`,
      payload: { roleIds: [everythingRole.id] },
    });
    expect(promote.statusCode, promote.body).toBe(200);
    // The auditor is an administrator now: someone with staff.manage may no longer touch the account.
    await refused(
      () =>
        s.as(cookies.supervisor!, {
          method: 'PATCH',
          url: `/api/staff/users/${users.auditor!.id}`,
          payload: { displayName: 'Auditor' },
        }),
      ['*'],
    );
    const role = await s.as(root, {
      method: 'POST',
      url: '/api/staff/roles',
      payload: { name: 'Temporary', permissions: ['*'] },
    });
    expect(role.statusCode, role.body).toBe(201);
    const renamed = await s.as(root, {
      method: 'PATCH',
      url: `/api/staff/roles/${adminRole.id}`,
      payload: { name: 'Administrator' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const deleted = await s.as(root, { method: 'DELETE', url: `/api/staff/roles/${role.json().id}` });
    expect(deleted.statusCode, deleted.body).toBe(204);

    // The last administrator still cannot be removed.
    for (const other of [users.root2!, users.auditor!]) {
      const off = await s.as(root, {
        method: 'PATCH',
        url: `/api/staff/users/${other.id}`,
        payload: { isActive: false },
      });
      expect(off.statusCode, off.body).toBe(200);
    }
    const last = await s.as(root, {
      method: 'PATCH',
      url: `/api/staff/users/${users.root!.id}`,
      payload: { isActive: false },
    });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.code).toBe('LAST_ADMINISTRATOR');
  });
});
