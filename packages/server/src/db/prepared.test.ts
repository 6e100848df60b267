import { statSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { startCheckpointer } from './checkpointer.ts';
import { type Database, type Executor, openDatabase, schemaChanged } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { prepared } from './prepared.ts';

describe.each(testDialects())('prepared statements on %s', (dialect) => {
  let test: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    database = openDatabase(test.options);
    await migrateToLatest(database);
    for (const [name, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      await database.db.insertInto('sequences').values({ name, value }).execute();
  });
  afterAll(async () => {
    await database.close();
    await test.drop();
  });

  it('runs with the values of each call, keeping the constants written in the builder', async () => {
    const above = prepared((db, v: { min: number }) =>
      db
        .selectFrom('sequences')
        .select(['name', 'value'])
        .where('value', '>', v.min)
        .where('name', 'in', ['a', 'b', 'c'])
        .orderBy('name'),
    );
    expect((await above.all(database.db, { min: 1 })).map((r) => r.name)).toEqual(['b', 'c']);
    expect((await above.all(database.db, { min: 2 })).map((r) => r.name)).toEqual(['c']);
    expect(await above.first(database.db, { min: 3 })).toBeUndefined();
  });

  it('uses a value twice where the builder does, and counts the rows an update changed', async () => {
    const bump = prepared((db, v: { name: string; by: number }) =>
      db
        .updateTable('sequences')
        .set((eb) => ({ value: eb('value', '+', v.by) }))
        .where((eb) => eb.or([eb('name', '=', v.name), eb('name', '=', `${v.name}`)])),
    );
    expect(await bump.run(database.db, { name: 'a', by: 10 })).toBe(1);
    expect(await bump.run(database.db, { name: 'nothing', by: 10 })).toBe(0);
    const row = await database.db
      .selectFrom('sequences')
      .select('value')
      .where('name', '=', 'a')
      .executeTakeFirstOrThrow();
    expect(Number(row.value)).toBe(11);
  });

  it('runs inside the caller’s transaction (rolled back with it)', async () => {
    const insert = prepared(
      (db, v: { name: string; value: number }) => db.insertInto('sequences').values(v),
      ['name', 'value'],
    );
    await expect(
      database.db.transaction().execute(async (trx) => {
        await insert.run(trx, { name: 'rolled-back', value: 1 });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    const left = await database.db
      .selectFrom('sequences')
      .select('name')
      .where('name', '=', 'rolled-back')
      .execute();
    expect(left).toEqual([]);
  });

  it('sees its own transaction’s writes, which a statement outside never sees', async () => {
    const insert = prepared(
      (db, v: { name: string; value: number }) => db.insertInto('sequences').values(v),
      ['name', 'value'],
    );
    const byName = prepared((db, v: { name: string }) =>
      db.selectFrom('sequences').select(['name', 'value']).where('name', '=', v.name),
    );
    let outside: Promise<unknown> | undefined;
    let inside: unknown;
    await expect(
      database.db.transaction().execute(async (trx) => {
        await insert.run(trx, { name: 'uncommitted', value: 7 });
        // Started while the transaction is open: on SQLite it waits for the connection, on PostgreSQL it
        // reads on another; either way it must not see the row, which is rolled back below.
        outside = byName.first(database.db, { name: 'uncommitted' });
        // A failing statement rejects like any query (on SQLite the transaction then goes on).
        if (dialect === 'sqlite')
          await expect(insert.run(trx, { name: 'uncommitted', value: 8 })).rejects.toThrow(/UNIQUE/);
        inside = await byName.first(trx, { name: 'uncommitted' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(Number((inside as { value: number } | undefined)?.value)).toBe(7);
    expect(await outside).toBeUndefined();
  });

  it('refuses a builder that computes with a value instead of passing it on', async () => {
    const broken = prepared((db, v: { min: number }) =>
      db
        .selectFrom('sequences')
        .select('name')
        .where('value', '>', Number(v.min) + 1),
    );
    await expect(broken.all(database.db, { min: 1 })).rejects.toThrow('"min" did not become a parameter');
  });
});

describe.skipIf(!testDialects().includes('postgres'))('prepared statements on PostgreSQL', () => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    database = openDatabase(test.options);
    await migrateToLatest(database);
    await sql`create table prepared_probe (id int primary key)`.execute(database.db);
    await sql`insert into prepared_probe values (1)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
    await test.drop();
  });

  const probe = prepared((db, v: { id: number }) =>
    // biome-ignore lint/suspicious/noExplicitAny: a table of this test only.
    (db as any).selectFrom('prepared_probe').selectAll().where('id', '=', v.id),
  );
  const named = async (trx: Executor) =>
    (
      await sql<{ name: string }>`select name from pg_prepared_statements where name like 'stacks%'`.execute(
        trx,
      )
    ).rows.length;

  it('are prepared once on a connection and run again by name', async () => {
    await database.db.transaction().execute(async (trx) => {
      const before = await named(trx);
      expect(await probe.all(trx, { id: 1 })).toEqual([{ id: 1 }]);
      expect(await named(trx)).toBe(before + 1);
      expect(await probe.all(trx, { id: 2 })).toEqual([]);
      expect(await named(trx)).toBe(before + 1);
    });
  });

  it('are prepared again, under a new name, after this process changed the schema', async () => {
    const namesOfProbe = async (trx: Executor) =>
      (
        await sql<{
          name: string;
        }>`select name from pg_prepared_statements where statement like '%prepared_probe%'`.execute(trx)
      ).rows.map((r) => r.name);
    await database.db.transaction().execute(async (trx) => {
      await probe.all(trx, { id: 1 });
      const before = await namesOfProbe(trx);
      await sql`alter table prepared_probe add column note text`.execute(trx);
      // Without this the statement prepared for the old columns runs again, and PostgreSQL refuses it.
      schemaChanged();
      expect(await probe.all(trx, { id: 1 })).toEqual([{ id: 1, note: null }]);
      const added = (await namesOfProbe(trx)).filter((name) => !before.includes(name));
      expect(added).toHaveLength(1);
    });
  });
});

describe('background checkpoints', () => {
  /** Runs `fn` on a migrated SQLite database file of its own, then closes and removes it. */
  async function onSqliteFile(fn: (database: Database, file: string) => Promise<void>): Promise<void> {
    const test = await createTestDatabase('sqlite');
    const database = openDatabase(test.options);
    try {
      await migrateToLatest(database);
      await fn(database, (test.options as { file: string }).file);
    } finally {
      await database.close();
      await test.drop();
    }
  }

  /** Polls `done` every 20 ms for up to 10 s (the worker works on its own schedule). */
  async function waitFor(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  it('copy the write-ahead log into the database file while the server’s connection keeps writing', () =>
    onSqliteFile(async (database, file) => {
      // Everything so far in the file: from here only a checkpoint makes it grow.
      database.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
      const checkpointer = startCheckpointer(database.sqlite!, file, { everyMs: 10 });
      try {
        const sizeBefore = statSync(file).size;
        // A hundred small commits; the server's connection never checkpoints by itself.
        for (let i = 0; i < 100; i++)
          await database.db
            .insertInto('sequences')
            .values({ name: `n${i}-${'x'.repeat(2000)}`, value: i })
            .execute();
        await waitFor(() => statSync(file).size > sizeBefore);
        expect(statSync(file).size).toBeGreaterThan(sizeBefore);
      } finally {
        await checkpointer.stop();
      }
    }));

  it('fall back to the connection’s own checkpoints, and say so, when the worker cannot start', () =>
    onSqliteFile(async (database, file) => {
      const failed = new Promise<unknown>((resolve) => {
        startCheckpointer(database.sqlite!, `${file}.missing`, { onError: resolve });
      });
      expect(database.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      // The worker's SqliteError arrives as a plain object with its code.
      expect(await failed).toMatchObject({ code: 'SQLITE_CANTOPEN' });
      expect(database.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    }));

  it('leave checkpoints and truncation to the worker, which empties an oversized log once writes pause', () =>
    onSqliteFile(async (database, file) => {
      const checkpointer = startCheckpointer(database.sqlite!, file, {
        everyMs: 10,
        idleTruncateMs: 200,
        truncateAboveBytes: 256 * 1024,
      });
      try {
        expect(database.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
        expect(database.sqlite!.pragma('journal_size_limit', { simple: true })).toBe(-1);
        // One large transaction: about a megabyte of log, more than the 256 KiB allowed.
        await database.db.transaction().execute(async (trx) => {
          for (let i = 0; i < 200; i++)
            await trx
              .insertInto('sequences')
              .values({ name: `t${i}-${'y'.repeat(4000)}`, value: i })
              .execute();
        });
        const wal = `${file}-wal`;
        expect(statSync(wal).size).toBeGreaterThan(256 * 1024);
        await waitFor(() => statSync(wal).size === 0);
        expect(statSync(wal).size).toBe(0);
        // The data is all in the database file and still readable.
        const rows = await database.db
          .selectFrom('sequences')
          .select('name')
          .where('name', 'like', 't%')
          .execute();
        expect(rows).toHaveLength(200);
      } finally {
        await checkpointer.stop();
      }
    }));
});
