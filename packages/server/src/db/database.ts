import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  type SqliteStatement,
  sql,
} from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

/** Which engine a database runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** How to reach the database: an SQLite file (embedded, the default) or a PostgreSQL URL. */
export type DatabaseOptions =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; url: string; poolSize?: number };

/** The database handle the rest of the server uses: Kysely plus the dialect it runs on. */
export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  /** Closes the connection or pool; pending queries finish first. */
  close(): Promise<void>;
  /** The raw better-sqlite3 handle (SQLite only), for online backup and integrity checks. */
  sqlite?: BetterSqlite3.Database;
}

/** Any query executor: the database itself or a transaction (a `Transaction<DB>` is a `Kysely<DB>`). */
export type Executor = Kysely<DB>;

/** What a statement run directly gives back, in the shape Kysely's SQLite driver gives it. */
export interface DirectResult<R> {
  rows: R[];
  numAffectedRows?: bigint;
}

/**
 * Each SQLite database's statement runner, by the adapter of its Kysely instance (the database and all
 * its transactions share that adapter).
 */
const sqliteRunners = new WeakMap<
  object,
  (sql: string, parameters: readonly unknown[]) => DirectResult<unknown>
>();

/**
 * Runs a statement at once on the connection of an SQLite transaction, or returns undefined (not SQLite,
 * or not in a transaction: then the statement must go through Kysely, which waits for the connection).
 * Inside a transaction the connection is already this code's, and Kysely's way there (its executor,
 * connection lock and result plugins, a chain of promises) allocated 3–5 KiB a statement.
 */
export function runInSqliteTransaction<R>(
  db: Executor,
  sql: string,
  parameters: readonly unknown[],
): DirectResult<R> | undefined {
  if (!db.isTransaction) return undefined;
  const run = sqliteRunners.get(db.getExecutor().adapter);
  return run ? (run(sql, parameters) as DirectResult<R>) : undefined;
}

/** Whether an executor runs on PostgreSQL (for the few statements that differ by dialect). */
export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** How often a long-running SQLite process refreshes the planner's statistics (`pragma optimize`). */
const OPTIMIZE_EVERY_MS = 3 * 3_600_000;

// PostgreSQL returns int8 (COUNT, SUM) as strings by default; our counts and money sums fit in a double.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/**
 * Opens the database. SQLite runs in WAL mode with foreign keys on, waits up to 5 s for a lock held by
 * another process, and begins write transactions IMMEDIATE so two processes never deadlock on upgrade.
 */
export function openDatabase(options: DatabaseOptions): Database {
  if (options.dialect === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      Client: NamingClient,
    });
    // An idle connection that the server drops (a restart, a failover) must not crash the process:
    // the pool discards it and the next query opens a new one.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const sqlite = new BetterSqlite3(options.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('cache_size = -65536');
  // The query planner needs statistics to pick the right index on large tables (without them it may
  // scan every available item to count one record's copies). `optimize` gathers them where they are
  // missing or stale, reading at most ~1,000 rows an index so it takes a fraction of a second even at
  // millions of rows; it runs at open, every few hours and at close, as SQLite recommends.
  sqlite.pragma('analysis_limit = 1000');
  sqlite.pragma('optimize = 0x10002');
  const db = new Kysely<DB>({ dialect: new StacksSqliteDialect(sqlite) });
  // Through Kysely, so it waits for a transaction in progress instead of running inside it.
  const optimize = () => sql`pragma optimize`.execute(db).catch(() => {});
  const timer = setInterval(optimize, OPTIMIZE_EVERY_MS);
  timer.unref();
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    close: async () => {
      clearInterval(timer);
      await optimize();
      await db.destroy();
    },
  };
}

/**
 * Statement texts sent to PostgreSQL as named statements, with their names: the desk's prepared
 * statements ({@link namePostgresStatement}). Each connection parses and plans a named statement once and
 * afterwards only binds and runs it; an unnamed one is parsed and planned at every run.
 */
const postgresNames = new Map<string, string>();
/** Changes when this process migrates, so that no statement planned for an older schema runs again. */
let schemaGeneration = 0;
const statementName = (index: number) => `stacks_${schemaGeneration}_${index}`;

/** Sends `text` to PostgreSQL as a named statement from now on. */
export function namePostgresStatement(text: string): void {
  if (!postgresNames.has(text)) postgresNames.set(text, statementName(postgresNames.size));
}

/**
 * Renames every statement after this process changed the schema: one prepared before may no longer fit
 * it (PostgreSQL refuses to run one whose result columns changed), so each connection prepares it again
 * under its new name.
 */
export function schemaChanged(): void {
  schemaGeneration++;
  let index = 0;
  for (const text of postgresNames.keys()) postgresNames.set(text, statementName(index++));
}

/** pg's client, sending a named statement for a text {@link namePostgresStatement} gave a name. */
class NamingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query has many overloads; Kysely calls (text, values).
  override query(...args: any[]): any {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' ? postgresNames.get(text) : undefined;
    if (name !== undefined && Array.isArray(values)) return super.query({ name, text, values });
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    return (super.query as (...a: any[]) => any)(...args);
  }
}

class StacksSqliteAdapter extends SqliteAdapter {
  // SQLite does run DDL inside transactions: let the migrator wrap a run in one, so a failed
  // migration leaves the database as it was.
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StacksSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class StacksSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  readonly #statement: (sql: string) => BetterSqlite3.Statement;
  constructor(sqlite: BetterSqlite3.Database) {
    const { database, statement } = cachingDatabase(sqlite);
    super({ database });
    this.#database = database;
    this.#statement = statement;
  }
  override createAdapter() {
    const adapter = new StacksSqliteAdapter();
    const statement = this.#statement;
    // As Kysely's SQLite driver runs a query, without the way through its executor.
    sqliteRunners.set(adapter, (sql, parameters) => {
      const stmt = statement(sql);
      if (stmt.reader) return { rows: stmt.all(bindable(parameters)) };
      return { rows: [], numAffectedRows: BigInt(stmt.run(bindable(parameters)).changes) };
    });
    return adapter;
  }
  override createDriver() {
    return new StacksSqliteDriver({ database: this.#database });
  }
}

/**
 * Wraps better-sqlite3 for Kysely: prepared statements are cached by SQL text (Kysely would prepare
 * each query anew) and booleans are bound as 0/1, which is how the schema stores them on SQLite.
 */
function cachingDatabase(sqlite: BetterSqlite3.Database): {
  database: SqliteDatabase;
  statement: (sql: string) => BetterSqlite3.Statement;
} {
  const cache = new Map<string, BetterSqlite3.Statement>();
  // Bounded by count and by text: a prepared statement's memory grows with its length (a multi-row
  // insert of thousands of values is a large program), and a long import must not keep hundreds.
  let cachedChars = 0;
  const statement = (sql: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = sqlite.prepare(sql);
      cache.set(sql, stmt);
      cachedChars += sql.length;
      while (cache.size > 1000 || (cachedChars > 4_000_000 && cache.size > 1)) {
        const oldest = cache.keys().next().value as string;
        cache.delete(oldest);
        cachedChars -= oldest.length;
      }
    }
    return stmt;
  };
  const database: SqliteDatabase = {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = statement(sql);
      return {
        reader: stmt.reader,
        all: (parameters) => stmt.all(bindable(parameters)),
        run: (parameters) => stmt.run(bindable(parameters)),
        // A statement being iterated is busy; a streaming query gets a statement of its own.
        iterate: (parameters) => sqlite.prepare(sql).iterate(bindable(parameters)),
      };
    },
  };
  return { database, statement };
}

function bindable(parameters: readonly unknown[]): unknown[] {
  return parameters.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}
