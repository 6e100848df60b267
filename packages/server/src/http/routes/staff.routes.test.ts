import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser } from '../../../test/factories.ts';

describe.each(testDialects())('staff, token and audit routes on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let admin: string;
  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'root', ['*']);
    admin = await s.login('root');
  });
  afterAll(async () => s.close());

  it('creates a role and an account holding it, who can then log in with those permissions', async () => {
    const role = await s.as(admin, {
      method: 'POST',
      url: '/api/staff/roles',
      payload: { name: 'Auditors', permissions: ['audit.read'] },
    });
    expect(role.statusCode).toBe(201);
    const user = await s.as(admin, {
      method: 'POST',
      url: '/api/staff/users',
      payload: {
        username: 'aud',
        displayName: 'Aud Itor',
        password: 'a long passphrase',
        roleIds: [role.json().id],
      },
    });
    expect(user.statusCode).toBe(201);
    expect(user.json()).not.toHaveProperty('passwordHash');
    expect(user.body).not.toContain('scrypt');
    const cookie = await s.login('aud', 'a long passphrase');
    expect((await s.as(cookie, { method: 'GET', url: '/api/audit' })).statusCode).toBe(200);
    expect((await s.as(cookie, { method: 'GET', url: '/api/staff/users' })).statusCode).toBe(403);

    const dup = await s.as(admin, {
      method: 'POST',
      url: '/api/staff/users',
      payload: { username: 'AUD', displayName: 'x', password: 'a long passphrase' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('USERNAME_TAKEN');
  });

  it('deactivates an account, whose session stops working at once', async () => {
    const user = await makeStaffUser(s.app, 'temp', []);
    const cookie = await s.login('temp');
    const res = await s.as(admin, {
      method: 'PATCH',
      url: `/api/staff/users/${user.id}`,
      payload: { isActive: false },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().isActive).toBe(false);
    expect((await s.as(cookie, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('issues an API token once, accepts it as Bearer, and refuses it after revocation', async () => {
    const created = await s.as(admin, {
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'kiosk', permissions: ['staff.read'] },
    });
    expect(created.statusCode).toBe(201);
    const { token, secret } = created.json();
    const headers = { authorization: `Bearer ${secret}` };
    const me = await s.http.inject({ method: 'GET', url: '/api/auth/me', headers });
    expect(me.json()).toMatchObject({ username: 'root', via: 'token', permissions: ['staff.read'] });
    expect((await s.http.inject({ method: 'GET', url: '/api/staff/users', headers })).statusCode).toBe(200);
    expect((await s.http.inject({ method: 'GET', url: '/api/audit', headers })).statusCode).toBe(403);

    const list = await s.as(admin, { method: 'GET', url: '/api/tokens' });
    expect(list.body).not.toContain(secret);
    expect(list.json().map((t: { id: string }) => t.id)).toContain(token.id);

    expect(
      (await s.as(admin, { method: 'DELETE', url: `/api/tokens/${token.id}` })).json().revokedAt,
    ).not.toBeNull();
    expect((await s.http.inject({ method: 'GET', url: '/api/auth/me', headers })).statusCode).toBe(401);
  });

  it('records who changed what in the audit log', async () => {
    const res = await s.as(admin, { method: 'GET', url: '/api/audit?entityType=api_token' });
    expect(res.statusCode).toBe(200);
    const actions = res
      .json()
      .map((e: { action: string; actorType: string }) => `${e.action} by ${e.actorType}`);
    expect(actions).toEqual(['api_token.revoked by staff', 'api_token.created by staff']);
  });

  it('lists the permissions roles can hold', async () => {
    const res = await s.as(admin, { method: 'GET', url: '/api/staff/permissions' });
    expect(res.json().map((p: { name: string }) => p.name)).toContain('branches.manage');
  });
});
