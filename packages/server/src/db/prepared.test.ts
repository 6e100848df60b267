import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { startCheckpointer } from './checkpointer.ts';
import { type Database, openDatabase } from './database.ts';
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

describe('background checkpoints', () => {
  it('copy the write-ahead log into the database file while the server’s connection keeps writing', async () => {
    const test = await createTestDatabase('sqlite');
    const database = openDatabase(test.options);
    try {
      await migrateToLatest(database);
      const file = (test.options as { file: string }).file;
      // Everything so far in the file: from here only a checkpoint makes it grow.
      database.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
      const checkpointer = startCheckpointer(database.sqlite!, file, 10);
      const sizeBefore = statSync(file).size;
      // A hundred small commits (a few hundred log pages): too few for the connection to checkpoint itself.
      for (let i = 0; i < 100; i++)
        await database.db
          .insertInto('sequences')
          .values({ name: `n${i}-${'x'.repeat(2000)}`, value: i })
          .execute();
      const copied = async () => statSync(file).size > sizeBefore;
      const deadline = Date.now() + 10_000;
      while (!(await copied()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(statSync(file).size).toBeGreaterThan(sizeBefore);
      await checkpointer.stop();
    } finally {
      await database.close();
      await test.drop();
    }
  });
});
