import SwaggerParser from '@apidevtools/swagger-parser';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPAC_ENDPOINTS } from '../../../web/src/opac/endpoints.ts';
import { STAFF_ENDPOINTS } from '../../../web/src/staff/endpoints.ts';
import { createTestServer } from '../../test/create-test-server.ts';
import { testDialects } from '../../test/dialects.ts';
import { makeStaffUser } from '../../test/factories.ts';
import { rowCounts } from '../../test/row-counts.ts';
import type { RouteAccess } from './plugins/auth.ts';

const SOME_ID = '01900000-0000-7000-8000-000000000000';

function requestFor(route: RouteAccess): InjectOptions {
  const url = route.url.replace(/:[a-zA-Z]+/g, SOME_ID);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  return {
    method: route.method as InjectOptions['method'],
    url,
    ...(hasBody ? { payload: { name: 'x' } } : {}),
  };
}

describe.each(testDialects())('every route on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let nobody: string;
  let admin: string;
  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'nobody', []);
    await makeStaffUser(s.app, 'root', ['*']);
    nobody = await s.login('nobody');
    admin = await s.login('root');
  });
  afterAll(async () => s.close());

  const guarded = () => s.http.routeTable.filter((r) => r.access !== undefined && r.access !== 'public');

  it('has guarded routes to check (the sweep below is not vacuous)', () => {
    expect(guarded().length).toBeGreaterThan(20);
    expect(
      s.http.routeTable
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual([
      'GET /',
      'GET /account',
      'GET /api/branches',
      'GET /api/catalog/records/:id',
      'GET /api/catalog/records/:id/copies',
      'GET /api/catalog/search',
      'GET /api/health',
      'GET /api/openapi.json',
      'GET /assets/*',
      'GET /login',
      'GET /record/:id',
      'GET /staff',
      'GET /staff/*',
      'POST /api/auth/login',
      'POST /api/patron/login',
    ]);
  });

  it('answers 401 without a session or token, and writes nothing', async () => {
    const before = await rowCounts(s.app.database.db);
    for (const route of guarded()) {
      const res = await s.http.inject(requestFor(route));
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it('answers 401 to a bad or unknown bearer token', async () => {
    for (const authorization of ['Bearer stk_unknown', 'Basic YWRtaW46YWRtaW4=', 'Bearer']) {
      const res = await s.http.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
    }
  });

  it('answers 403 to a staff member without the permission, and writes nothing', async () => {
    const before = await rowCounts(s.app.database.db);
    const needingPermission = guarded().filter((r) => typeof r.access === 'object');
    expect(needingPermission.length).toBeGreaterThan(10);
    for (const route of needingPermission) {
      const res = await s.as(nobody, requestFor(route));
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expect(res.json().error).toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: (route.access as { permission: string }).permission },
      });
    }
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it.each([
    ['{"username": "x", ', 'MALFORMED_JSON', /not valid JSON/],
    [
      '{"displayName": "No Name", "password": "a long passphrase"}',
      'VALIDATION_FAILED',
      /^body\/username is required$/,
    ],
    [
      '{"username": "ok", "displayName": "A", "password": "a long passphrase", "shoeSize": 44}',
      'VALIDATION_FAILED',
      /^body\/shoeSize is not a known field$/,
    ],
    [
      '{"username": "ok", "displayName": "A", "password": "a long passphrase", "email": "not-an-email"}',
      'VALIDATION_FAILED',
      /^body\/email must match format "email"$/,
    ],
  ])('answers 400 naming the problem for %s, and writes nothing', async (payload, code, message) => {
    const before = await rowCounts(s.app.database.db);
    const res = await s.as(admin, {
      method: 'POST',
      url: '/api/staff/users',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message).toMatch(message);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it('answers 400 for a malformed id in the path', async () => {
    const res = await s.as(admin, { method: 'GET', url: '/api/staff/users/42' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^params\/id must match format "uuid"$/);
  });

  it('answers 404 in the error shape for unknown routes and unknown ids', async () => {
    const route = await s.as(admin, { method: 'GET', url: '/api/no-such-thing' });
    expect(route.statusCode).toBe(404);
    expect(route.json().error.code).toBe('NOT_FOUND');
    const id = await s.as(admin, { method: 'GET', url: `/api/staff/users/${SOME_ID}` });
    expect(id.statusCode).toBe(404);
    expect(id.json().error.code).toBe('STAFF_USER_NOT_FOUND');
  });

  it('publishes a valid OpenAPI 3 document listing every route', async () => {
    const res = await s.http.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    // The web clients' pages and assets are not API routes; the document itself is not listed either.
    const hidden = new Set(['GET /api/openapi.json']);
    const routes = s.http.routeTable
      .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      .map((r) => `${r.method} ${r.url.replace(/:([a-zA-Z]+)/g, '{$1}')}`)
      .filter((r) => !hidden.has(r));
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) expect(documented, route).toContain(route);
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    // The web clients call only documented routes.
    for (const [name, endpoint] of Object.entries({ ...OPAC_ENDPOINTS, ...STAFF_ENDPOINTS }))
      expect(documented, name).toContain(endpoint);
  });

  it('serves browsable API docs without a session', async () => {
    const res = await s.http.inject({ method: 'GET', url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
