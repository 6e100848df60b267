import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginOver, spawnServer } from '../test/spawn-server.ts';
import { summarize } from './stats.ts';

/**
 * Server start to first request served (budget: 2 s on a 2-core machine), on an empty data folder
 * (migrate and seed included) and on an existing one; then the latency of authenticated requests.
 */
export async function startupBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stacks-bench-'));
  const env = { STACKS_DATA_DIR: dir, STACKS_ADMIN_PASSWORD: 'a benchmark passphrase' };
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      rmSync(join(dir, 'stacks.db'), { force: true });
      rmSync(join(dir, 'stacks.db-wal'), { force: true });
      rmSync(join(dir, 'stacks.db-shm'), { force: true });
      cold.push(await timeToFirstRequest(env));
      warm.push(await timeToFirstRequest(env));
    }
    console.log(`start to first request, empty database (migrate + seed): ${summarize(cold)}`);
    console.log(`start to first request, existing database:               ${summarize(warm)}`);

    const server = await spawnServer(env);
    try {
      const cookie = await loginOver(server.baseUrl, 'admin', 'a benchmark passphrase');
      for (const [label, path] of [
        ['GET /api/health', '/api/health'],
        ['GET /api/auth/me (session lookup + permissions)', '/api/auth/me'],
        ['GET /api/branches', '/api/branches'],
      ] as const) {
        const times: number[] = [];
        for (let i = 0; i < 2000; i++) {
          const t0 = performance.now();
          const res = await fetch(`${server.baseUrl}${path}`, { headers: { cookie } });
          await res.arrayBuffer();
          times.push(performance.now() - t0);
        }
        console.log(`${label.padEnd(50)} ${summarize(times.slice(200))}`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeToFirstRequest(env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const server = await spawnServer(env);
  try {
    const res = await fetch(`${server.baseUrl}/api/health`);
    if (res.status !== 200) throw new Error(`health answered ${res.status}`);
    return performance.now() - t0;
  } finally {
    await server.stop();
  }
}
