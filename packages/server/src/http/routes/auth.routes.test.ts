import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser, TEST_PASSWORD } from '../../../test/factories.ts';

describe.each(testDialects())('auth routes on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  beforeAll(async () => {
    s = await createTestServer(dialect, { env: { STACKS_LOGIN_MAX_FAILURES: '2' } });
    await makeStaffUser(s.app, 'desk', ['staff.read']);
  });
  afterAll(async () => s.close());

  it('answers health without a session', async () => {
    const res = await s.http.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      database: dialect,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it('sets an HttpOnly, SameSite=Strict session cookie at login and answers who is logged in', async () => {
    const res = await s.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'desk', password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'desk', permissions: ['staff.read'], via: 'session' });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/stacks_session=[^;]+/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = `stacks_session=${res.cookies[0]!.value}`;
    const me = await s.as(cookie, { method: 'GET', url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'desk' });

    const out = await s.as(cookie, { method: 'POST', url: '/api/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect((await s.as(cookie, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('refuses a wrong password with 401 and, after too many, with 429 and Retry-After', async () => {
    await makeStaffUser(s.app, 'victim', []);
    for (let i = 0; i < 2; i++) {
      const res = await s.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'victim', password: 'nope' },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    }
    const res = await s.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'victim', password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('900');
  });

  it('sends security headers', async () => {
    const res = await s.http.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('changes the own password through the API', async () => {
    await makeStaffUser(s.app, 'mover', []);
    const cookie = await s.login('mover');
    const bad = await s.as(cookie, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'wrong', newPassword: 'a fresh passphrase' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_CURRENT_PASSWORD');
    const ok = await s.as(cookie, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'a fresh passphrase' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await s.as(cookie, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    await expect(s.login('mover')).rejects.toThrow(/401/);
    expect(await s.login('mover', 'a fresh passphrase')).toMatch(/^stacks_session=/);
  });
});
