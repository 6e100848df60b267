import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.ts';
import type { MarcRecord } from '../src/marc/index.ts';
import {
  CATALOG_CHANGES,
  nextCatalogChange,
  readCounters,
} from '../src/modules/catalog/catalog-repository.ts';
import { createTestApp, testConfig } from './create-test-app.ts';
import { testDialects } from './dialects.ts';
import { makeBranch, testActor } from './factories.ts';
import { PROCESS_TEST_TIMEOUT_MS } from './timeouts.ts';

// These tests start server processes: see timeouts.ts.
vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS });

/**
 * Search keeps what it counts in memory (SQLite: a copy of the facet table and recent word matches;
 * PostgreSQL: the whole catalog's facet counts), current by change counters in the database. Changes
 * another process makes show in this one's next search.
 */

function record(title: string, subject: string, year: string): MarcRecord {
  return {
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '008', value: `990101s${year}    nyu           000 0 eng d` },
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
      { tag: '650', ind1: ' ', ind2: '0', subfields: [{ code: 'a', value: subject }] },
    ],
  };
}

describe.each(testDialects())('facet counts after changes made by another process on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let other: Awaited<ReturnType<typeof createApp>>;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    // A second app on the same database: another server process.
    other = await createApp(testConfig(t.database));
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('counts what was added, changed, checked out and deleted elsewhere', async () => {
    const mine = t.app.services.catalog;
    const theirs = other.services.catalog;
    const branch = await makeBranch(other, 'MAIN');
    await theirs.createItemType(testActor, { code: 'BOOK', name: 'Book', isCirculating: true });
    const first = await theirs.createRecord(testActor, record('Harbour lights', 'Lighthouses', '1999'));
    const everything = async () => mine.search({ q: '' });

    let page = await everything();
    expect(page.total).toBe(1);
    expect(page.facets.subject).toEqual([{ value: 'Lighthouses', count: 1 }]);
    expect(page.facets.availability).toEqual([{ value: 'unavailable', count: 1 }]);

    const second = await theirs.createRecord(testActor, record('Harbour walls', 'Harbours', '2005'));
    page = await everything();
    expect(page.total).toBe(2);
    expect(page.facets.decade).toEqual([
      { value: '1990', count: 1 },
      { value: '2000', count: 1 },
    ]);

    const item = await theirs.addItem(testActor, first.id, {
      barcode: '39000000000017',
      branchId: branch.id,
      itemType: 'BOOK',
      status: 'available',
    });
    page = await everything();
    expect(page.facets.availability).toEqual([
      { value: 'available', count: 1 },
      { value: 'unavailable', count: 1 },
    ]);
    expect(page.facets.branch).toEqual([{ value: branch.id, count: 1 }]);
    expect((await mine.search({ q: 'harbour', filters: { available: true } })).total).toBe(1);
    expect((await mine.search({ q: '', filters: { branch: [branch.id], available: true } })).total).toBe(1);

    await theirs.updateItem(testActor, item.id, { status: 'checked_out' });
    page = await everything();
    expect(page.facets.availability).toEqual([{ value: 'unavailable', count: 2 }]);
    expect((await mine.search({ q: '', filters: { branch: [branch.id], available: true } })).total).toBe(0);
    expect((await mine.search({ q: '', filters: { branch: [branch.id] } })).total).toBe(1);

    expect((await mine.search({ q: 'gates' })).total).toBe(0);
    await theirs.updateRecord(testActor, second.id, record('Harbour gates', 'Sea walls', '1988'));
    expect((await mine.search({ q: 'gates' })).hits.map((h) => h.title)).toEqual(['Harbour gates']);
    page = await everything();
    expect(page.facets.subject).toEqual([
      { value: 'Lighthouses', count: 1 },
      { value: 'Sea walls', count: 1 },
    ]);
    expect(page.facets.decade).toEqual([
      { value: '1980', count: 1 },
      { value: '1990', count: 1 },
    ]);

    expect((await mine.search({ q: 'harbour' })).total).toBe(2);
    await theirs.deleteRecord(testActor, second.id);
    expect((await mine.search({ q: 'harbour' })).total).toBe(1);
    page = await everything();
    expect(page.total).toBe(1);
    expect(page.facets.subject).toEqual([{ value: 'Lighthouses', count: 1 }]);
    expect((await mine.search({ q: '-lighthouses' })).total).toBe(0);
    expect((await mine.search({ q: 'NOT harbour' })).total).toBe(0);
  });
});

describe.skipIf(!testDialects().includes('postgres'))('catalog change numbers on PostgreSQL', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp('postgres');
  });
  afterAll(async () => t?.close());

  it('let two transactions that change facet rows go on without waiting for each other', async () => {
    const { db } = t.app.database;
    const before = (await readCounters(db, [CATALOG_CHANGES])).get(CATALOG_CHANGES)!;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inFirst = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = db.transaction().execute(async (trx) => {
      await nextCatalogChange(trx);
      entered();
      await held;
    });
    await inFirst;
    // With one counter row this would wait for the first transaction to end, and the lock timeout fail it.
    await db.transaction().execute(async (trx) => {
      await sql`set local lock_timeout = '5s'`.execute(trx);
      await nextCatalogChange(trx);
    });
    expect((await readCounters(db, [CATALOG_CHANGES])).get(CATALOG_CHANGES)).toBe(before + 1);
    release();
    await first;
    expect((await readCounters(db, [CATALOG_CHANGES])).get(CATALOG_CHANGES)).toBe(before + 2);
  });
});
