import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { DialectName } from '../src/db/database.ts';
import { buildHttpServer } from '../src/http/server.ts';
import type { Clock } from '../src/kernel/clock.ts';
import { createTestApp } from './create-test-app.ts';
import { testDialects } from './dialects.ts';

/**
 * An app on a fresh database served over real HTTP on loopback (for the browser), with the web clients
 * built by the test run's global setup. `baseUrl` is e.g. `http://127.0.0.1:41234`.
 */
export async function startWebServer(
  dialect: DialectName = testDialects()[0] ?? 'sqlite',
  options: { clock?: Clock; env?: Record<string, string> } = {},
) {
  const t = await createTestApp(dialect, options);
  const http: FastifyInstance = await buildHttpServer(t.app);
  await http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = http.server.address() as AddressInfo;
  return {
    ...t,
    http,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await http.close();
      await t.close();
    },
  };
}
