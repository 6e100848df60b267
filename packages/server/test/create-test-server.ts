import type { FastifyInstance, InjectOptions } from 'fastify';
import type { DialectName } from '../src/db/database.ts';
import { buildHttpServer } from '../src/http/server.ts';
import type { Clock } from '../src/kernel/clock.ts';
import { createTestApp } from './create-test-app.ts';
import { TEST_PASSWORD } from './factories.ts';

/** An app on a fresh database and its HTTP server, driven with `inject()` (no socket). */
export async function createTestServer(
  dialect: DialectName,
  options: { clock?: Clock; env?: Record<string, string> } = {},
) {
  const t = await createTestApp(dialect, options);
  const http: FastifyInstance = await buildHttpServer(t.app);
  return {
    ...t,
    http,
    /** Logs in and returns the `Cookie` header value for the session. */
    async login(username: string, password = TEST_PASSWORD): Promise<string> {
      const res = await http.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'stacks_session');
      return `stacks_session=${cookie!.value}`;
    },
    /** `inject` with a session cookie. */
    as(cookie: string, request: InjectOptions) {
      return http.inject({ ...request, headers: { ...request.headers, cookie } });
    },
    async close() {
      await http.close();
      await t.close();
    },
  };
}
