import { type Compilable, CompiledQuery } from 'kysely';
import {
  type DirectResult,
  type Executor,
  isPostgres,
  namePostgresStatement,
  runInSqliteTransaction,
} from './database.ts';

/**
 * A statement of the desk's hot path, built with the query builder once per dialect and afterwards run
 * with new values only. Building and compiling a query costs more than SQLite's own work on an indexed
 * look-up (tens of microseconds, a syntax tree per call), and a checkout runs about twenty of them.
 * Inside an SQLite transaction the statement runs at once on the transaction's connection
 * ({@link runInSqliteTransaction}); elsewhere it goes through Kysely, which waits for the connection.
 * On PostgreSQL it is sent as a named statement ({@link namePostgresStatement}), parsed and planned once
 * per connection.
 *
 * `build` receives stand-ins for the values and must pass each straight to the builder as a value (no
 * arithmetic, no lists whose length varies, no `sql.lit`): the stand-ins become the statement's
 * parameters, and a stand-in that does not is an error when the statement is first built. Constants
 * written in `build` stay part of the statement.
 */
export function prepared<P extends object, R>(
  build: (db: Executor, values: P) => Compilable<R>,
  /** The value names, for a builder that lists them itself (`insertInto(…).values(values)`). */
  keys?: readonly (keyof P & string)[],
) {
  const plans: { sqlite?: Plan<P>; postgres?: Plan<P> } = {};

  const planFor = (db: Executor): Plan<P> => {
    const dialect = isPostgres(db) ? 'postgres' : 'sqlite';
    const known = plans[dialect];
    if (known) return known;
    const used = new Set<string>(keys);
    const standIns = keys
      ? (Object.fromEntries(keys.map((key) => [key, `${MARK}${key}${MARK}`])) as P)
      : new Proxy({} as P, {
          get(_target, key) {
            if (typeof key !== 'string') return undefined;
            used.add(key);
            return `${MARK}${key}${MARK}`;
          },
        });
    const compiled = build(db, standIns).compile();
    const seen = new Set<string>();
    const slots = compiled.parameters.map((value): Slot<P> => {
      const name = typeof value === 'string' ? standInName(value) : null;
      if (name === null) return { constant: value };
      seen.add(name);
      return { name: name as keyof P & string };
    });
    for (const name of used)
      if (!seen.has(name)) throw new Error(`prepared statement: "${name}" did not become a parameter`);
    const plan = { sql: compiled.sql, slots };
    plans[dialect] = plan;
    if (dialect === 'postgres') namePostgresStatement(plan.sql);
    return plan;
  };

  const execute = async (db: Executor, values: P): Promise<DirectResult<R>> => {
    const plan = planFor(db);
    // A value left out is NULL (the statement's columns are fixed).
    const parameters = plan.slots.map((slot) =>
      'name' in slot ? ((values as Record<string, unknown>)[slot.name] ?? null) : slot.constant,
    );
    return (
      runInSqliteTransaction<R>(db, plan.sql, parameters) ??
      (await db.executeQuery<R>(CompiledQuery.raw(plan.sql, parameters) as CompiledQuery<R>))
    );
  };

  return {
    /** Every row. */
    async all(db: Executor, values: P): Promise<R[]> {
      return (await execute(db, values)).rows;
    },
    /** The first row, or undefined. */
    async first(db: Executor, values: P): Promise<R | undefined> {
      return (await execute(db, values)).rows[0];
    },
    /** How many rows an insert, update or delete changed. */
    async run(db: Executor, values: P): Promise<number> {
      return Number((await execute(db, values)).numAffectedRows ?? 0);
    },
  };
}

/**
 * The names of a row type's columns, for a prepared insert of whole rows (`keys` of {@link prepared}): the
 * record lists every column, and the compiler refuses one that misses or adds a column.
 */
export function columnsOf<T>(columns: Record<keyof T & string, true>): (keyof T & string)[] {
  return Object.keys(columns) as (keyof T & string)[];
}

/** Marks a stand-in value; no real value starts and ends with a NUL character. */
const MARK = '\u0000';

function standInName(value: string): string | null {
  return value.length > 2 && value.startsWith(MARK) && value.endsWith(MARK) ? value.slice(1, -1) : null;
}

type Slot<P> = { name: keyof P & string } | { constant: unknown };

interface Plan<P> {
  sql: string;
  slots: Slot<P>[];
}
