import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser, TEST_PASSWORD, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { countAuditRows } from '../audit/index.ts';

describe.each(testDialects())('staff accounts on %s', (dialect) => {
  const clock = fixedClock('2026-11-30T14:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      clock,
      env: { STACKS_LOGIN_MAX_FAILURES: '3', STACKS_SESSION_TTL_HOURS: '8' },
    });
  });
  afterAll(async () => t.close());
  const staff = () => t.app.services.staff;
  const auth = () => t.app.services.auth;

  it('creates an account with a lower-cased user name and audits it without the password', async () => {
    const user = await staff().createUser(testActor, {
      username: 'JDoe',
      displayName: 'Jo Doe',
      password: TEST_PASSWORD,
    });
    expect(user).toMatchObject({ username: 'jdoe', displayName: 'Jo Doe', isActive: true, roleIds: [] });
    const [entry] = await t.app.services.audit.list({
      entityType: 'staff_user',
      entityId: user.id,
      limit: 5,
    });
    expect(entry).toMatchObject({ action: 'staff_user.created', actorType: 'system', actorId: 'test' });
    expect(JSON.stringify(entry)).not.toContain(TEST_PASSWORD);
  });

  it.each([
    [{ username: 'jdoe' }, 'USERNAME_TAKEN'],
    [{ username: 'x' }, 'INVALID_USERNAME'],
    [{ username: 'has space' }, 'INVALID_USERNAME'],
    [{ username: 'short-pw', password: 'short' }, 'WEAK_PASSWORD'],
    [{ username: 'norole', roleIds: ['01900000-0000-7000-8000-000000000000'] }, 'ROLE_NOT_FOUND'],
  ])('refuses %o with %s and writes nothing', async (input, code) => {
    const auditBefore = await countAuditRows(t.app.database.db);
    const usersBefore = await staff().countUsers();
    await expect(
      staff().createUser(testActor, { displayName: 'X', password: TEST_PASSWORD, ...input }),
    ).rejects.toMatchObject({ code });
    expect(await countAuditRows(t.app.database.db)).toBe(auditBefore);
    expect(await staff().countUsers()).toBe(usersBefore);
  });

  it('logs in, authenticates the session with the user’s permissions, and logs out', async () => {
    await makeStaffUser(t.app, 'desk1', ['staff.read']);
    const session = await auth().login({ username: 'Desk1', password: TEST_PASSWORD, ip: '10.0.0.1' });
    expect(session.expiresAt).toBe('2026-11-30T22:00:00.000Z');
    const actor = await auth().authenticateSession(session.token);
    expect(actor).toMatchObject({ username: 'desk1', via: 'session' });
    expect([...actor!.permissions]).toEqual(['staff.read']);
    await auth().logout(session.token);
    expect(await auth().authenticateSession(session.token)).toBeNull();
  });

  it('expires a session after its lifetime', async () => {
    const session = await auth().login({ username: 'desk1', password: TEST_PASSWORD, ip: '10.0.0.1' });
    clock.advance(8 * 3_600_000 - 1);
    expect(await auth().authenticateSession(session.token)).not.toBeNull();
    clock.advance(1);
    expect(await auth().authenticateSession(session.token)).toBeNull();
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    await expect(
      auth().login({ username: 'nobody', password: 'whatever', ip: '10.0.0.2' }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(
      auth().login({ username: 'desk1', password: 'wrong one', ip: '10.0.0.2' }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses logins after too many failures in the window, even with the right password, until the window passes', async () => {
    await makeStaffUser(t.app, 'target', []);
    for (let i = 0; i < 3; i++) {
      await expect(
        auth().login({ username: 'target', password: 'guess', ip: `10.1.0.${i}` }),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    await expect(
      auth().login({ username: 'target', password: TEST_PASSWORD, ip: '10.1.0.9' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(15 * 60_000 + 1);
    await expect(
      auth().login({ username: 'target', password: TEST_PASSWORD, ip: '10.1.0.9' }),
    ).resolves.toMatchObject({ username: 'target' });
  });

  it('ends every session of an account that is deactivated', async () => {
    const user = await makeStaffUser(t.app, 'leaver', []);
    const session = await auth().login({ username: 'leaver', password: TEST_PASSWORD, ip: '10.0.0.3' });
    await staff().updateUser(testActor, user.id, { isActive: false });
    expect(await auth().authenticateSession(session.token)).toBeNull();
    await expect(
      auth().login({ username: 'leaver', password: TEST_PASSWORD, ip: '10.0.0.3' }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('never leaves the library without an active administrator', async () => {
    const adminRole = await staff().createRole(testActor, { name: 'Administrator', permissions: ['*'] });
    const admin = await staff().createUser(testActor, {
      username: 'boss',
      displayName: 'Boss',
      password: TEST_PASSWORD,
      roleIds: [adminRole.id],
    });
    await expect(staff().updateUser(testActor, admin.id, { isActive: false })).rejects.toMatchObject({
      code: 'LAST_ADMINISTRATOR',
    });
    await expect(staff().updateUser(testActor, admin.id, { roleIds: [] })).rejects.toMatchObject({
      code: 'LAST_ADMINISTRATOR',
    });
    await expect(
      staff().updateRole(testActor, adminRole.id, { permissions: ['staff.read'] }),
    ).rejects.toMatchObject({ code: 'LAST_ADMINISTRATOR' });
    expect((await staff().getUser(admin.id)).isActive).toBe(true);
    expect((await staff().getRole(adminRole.id)).permissions).toEqual(['*']);
  });

  it('refuses unknown permissions and deleting a role someone holds', async () => {
    await expect(
      staff().createRole(testActor, { name: 'Bad', permissions: ['catalog.burn'] }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_PERMISSION' });
    const holder = await makeStaffUser(t.app, 'holder', ['audit.read']);
    await expect(staff().deleteRole(testActor, holder.roleIds[0]!)).rejects.toMatchObject({
      code: 'ROLE_IN_USE',
    });
  });

  it('lets a staff member change their own password, ending their other sessions', async () => {
    const user = await makeStaffUser(t.app, 'changer', []);
    const first = await auth().login({ username: 'changer', password: TEST_PASSWORD, ip: '10.0.0.4' });
    const second = await auth().login({ username: 'changer', password: TEST_PASSWORD, ip: '10.0.0.4' });
    const actor = (await auth().authenticateSession(first.token))!;
    await expect(
      staff().changeOwnPassword(actor, { currentPassword: 'not it', newPassword: 'another long passphrase' }),
    ).rejects.toMatchObject({
      code: 'INVALID_CURRENT_PASSWORD',
    });
    const { hashSecret } = await import('./staff-service.ts');
    await staff().changeOwnPassword(actor, {
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase',
      keepSessionHash: hashSecret(first.token),
    });
    expect(await auth().authenticateSession(first.token)).not.toBeNull();
    expect(await auth().authenticateSession(second.token)).toBeNull();
    expect(user.id).toBe(actor.id);
  });

  it('authenticates API tokens, narrows them to their permissions, and stops them when revoked or expired', async () => {
    const user = await makeStaffUser(t.app, 'integration', ['staff.read', 'audit.read']);
    const { token, secret } = await staff().createToken(testActor, {
      name: 'kiosk',
      userId: user.id,
      permissions: ['audit.read', 'branches.manage'],
    });
    expect(secret).toMatch(/^stk_/);
    expect(token.prefix).toBe(secret.slice(0, 10));
    const actor = await auth().authenticateToken(secret);
    expect(actor).toMatchObject({ username: 'integration', via: 'token', tokenId: token.id });
    // branches.manage is not the user's to give.
    expect([...actor!.permissions]).toEqual(['audit.read']);
    expect(await auth().authenticateToken(`${secret}x`)).toBeNull();

    await staff().revokeToken(testActor, token.id);
    expect(await auth().authenticateToken(secret)).toBeNull();

    const expiring = await staff().createToken(testActor, {
      name: 'short',
      userId: user.id,
      expiresInDays: 1,
    });
    expect(await auth().authenticateToken(expiring.secret)).not.toBeNull();
    clock.advance(86_400_000);
    expect(await auth().authenticateToken(expiring.secret)).toBeNull();
  });
});
