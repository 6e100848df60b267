import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type App, createApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config/config.ts';
import { type DatabaseOptions, type DialectName, openDatabase } from '../src/db/database.ts';
import type { Clock } from '../src/kernel/clock.ts';
import { testPostgresUrl } from './dialects.ts';

/** A database of its own for one test file: a real SQLite file in a temporary folder, or a new PostgreSQL database. */
export interface TestDatabase {
  options: DatabaseOptions;
  dataDir: string;
  drop(): Promise<void>;
}

/** Creates an empty database on `dialect`. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stacks-test-'));
  if (dialect === 'sqlite') {
    return {
      options: { dialect: 'sqlite', file: join(dataDir, 'stacks.db') },
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const serverUrl = testPostgresUrl();
  if (!serverUrl) throw new Error('STACKS_TEST_DATABASE_URL is not set');
  const name = `stacks_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    options: { dialect: 'postgres', url: url.toString(), poolSize: 5 },
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A configuration for tests: defaults, with the given database, and no environment leaking in. */
export function testConfig(database: TestDatabase, env: Record<string, string> = {}): Config {
  const base = loadConfig(
    { STACKS_DATA_DIR: database.dataDir, STACKS_SEED_DEMO: 'false', ...env },
    database.dataDir,
  );
  return Object.freeze({ ...base, database: database.options });
}

/** A migrated app on a fresh database, with `close()` that also drops the database. */
export async function createTestApp(
  dialect: DialectName,
  options: { clock?: Clock; env?: Record<string, string> } = {},
) {
  const database = await createTestDatabase(dialect);
  const config = testConfig(database, options.env);
  const app: App = await createApp(config, options.clock ? { clock: options.clock } : {});
  return {
    app,
    config,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/** Runs `fn` against a freshly opened handle on the same database (to read what really was committed). */
export async function withFreshConnection<T>(
  options: DatabaseOptions,
  fn: (db: ReturnType<typeof openDatabase>) => Promise<T>,
): Promise<T> {
  const db = openDatabase(options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
