import type { DialectName } from '../src/db/database.ts';

/**
 * The dialects database tests run on. SQLite always, unless `STACKS_TEST_DIALECTS` narrows the list;
 * PostgreSQL when `STACKS_TEST_DATABASE_URL` points to a server whose user may create databases
 * (each test file gets a database of its own, dropped afterwards).
 */
export function testDialects(): DialectName[] {
  const requested = process.env.STACKS_TEST_DIALECTS?.split(',').map((d) => d.trim()) as
    | DialectName[]
    | undefined;
  const available: DialectName[] = process.env.STACKS_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!requested) return available;
  for (const d of requested) {
    if (!available.includes(d))
      throw new Error(`STACKS_TEST_DIALECTS asks for ${d}, but STACKS_TEST_DATABASE_URL is not set`);
  }
  return requested;
}

/** The PostgreSQL server tests use, when there is one. */
export function testPostgresUrl(): string | undefined {
  return process.env.STACKS_TEST_DATABASE_URL || undefined;
}
