import { sql } from 'kysely';
import type { Executor } from '../src/db/database.ts';

/** Rows in every application table: compare before and after to prove a request wrote nothing. */
export async function rowCounts(db: Executor): Promise<Record<string, number>> {
  const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    counts[table] = Number(result.rows[0]!.n);
  }
  return counts;
}
