import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { testActor } from '../../../test/factories.ts';
import type { Database } from '../../db/database.ts';
import { migrateDown, migrateToLatest } from '../../db/migrate.ts';
import { seedDemoLibrary } from '../../seed/seed.ts';
import { parseQuery } from './search-query.ts';
import {
  type SearchFilters,
  type SearchRequest,
  type SearchSort,
  searchRecords,
  searchRecordsSql,
} from './search-repository.ts';

/** Queries with every shape the language has: words, phrases, prefixes, fields, AND, OR, NOT. */
const QUERIES = [
  '',
  'jazz',
  'blues',
  'music*',
  'jaz*',
  'title:songs',
  'author:armstrong',
  'subject:"jazz"',
  'series:jazz',
  'paris OR london',
  'love NOT songs',
  '"new york"',
  'Müller',
  'histoire france',
  'jazz -piano',
  '-jazz',
  'NOT jazz',
  'jazz OR -piano',
  '(jazz piano) OR blues',
  '(jazz OR blues) (piano OR guitar)',
  'title:jazz OR subject:blues',
  '(title:jazz -blues) OR (guitar AND author:davis)',
  'nothingmatchesthis',
];

describe.skipIf(!testDialects().includes('sqlite'))('search in memory on SQLite', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const filterSets: SearchFilters[] = [];
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    await seedDemoLibrary(t.app);
    const catalog = t.app.services.catalog;
    const all = await catalog.search({ q: '', facetLimit: 5 });
    const [central, lakeside] = all.facets.branch.map((b) => b.value);
    // Some items off the shelf, so availability differs from branch to branch.
    const some = await catalog.search({ q: 'jazz', limit: 30 });
    for (const [i, hit] of some.hits.entries()) {
      for (const item of await catalog.listItems(hit.id)) {
        if (i % 3 === 0) await catalog.updateItem(testActor, item.id, { status: 'checked_out' });
      }
    }
    filterSets.push(
      {},
      { format: ['music'] },
      { language: ['fre', 'eng'] },
      { decade: [1960, 1970, 1990] },
      { available: true },
      { branch: [central!] },
      { branch: [lakeside!], available: true },
      { subject: all.facets.subject.slice(0, 2).map((s) => s.value) },
      { format: ['book', 'score'], language: ['eng'], available: true },
      { format: ['nosuchformat'] },
    );
  }, 120_000);
  afterAll(async () => t?.close());

  const cases: [string, number, SearchSort, number][] = [];
  for (const [i, q] of QUERIES.entries()) {
    cases.push([q, 0, q === '' ? 'title' : 'relevance', 0]);
    cases.push([q, 1 + (i % 9), 'relevance', 0]);
    cases.push([
      q,
      (i * 7) % 10,
      (['title', 'author', 'date', 'date_asc'] as const)[i % 4]!,
      i % 2 === 0 ? 0 : 3,
    ]);
    cases.push([q, 0, 'relevance', 15]);
  }

  it.each(cases)(
    'gives the SQL result for %j (filters %i, sort %s, offset %i)',
    async (q, f, sort, offset) => {
      const request: SearchRequest = {
        query: parseQuery(q),
        filters: filterSets[f]!,
        sort,
        limit: 7,
        offset,
        facetLimit: 6,
      };
      const { database } = t.app;
      const [memory, sql] = [
        await searchRecords(database, database.db, request),
        await searchRecordsSql(database, database.db, request),
      ];
      expect(memory.total).toBe(sql.total);
      expect(memory.facets).toEqual(sql.facets);
      expect(memory.rows.map((r) => [r.title, Number(r.seq), r.score])).toEqual(
        sql.rows.map((r) => [r.title, Number(r.seq), r.score]),
      );
    },
  );
});

describe.each(testDialects())('migration 0010 on a catalog with records and items, on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await seedDemoLibrary(t.app);
    const catalog = t.app.services.catalog;
    for (const hit of (await catalog.search({ q: 'jazz', limit: 12 })).hits) {
      const [item] = await catalog.listItems(hit.id);
      if (item) await catalog.updateItem(testActor, item.id, { status: 'checked_out' });
    }
  }, 120_000);
  afterAll(async () => t?.close());

  /** Each record's subject headings and branches as bib_facets holds them. */
  async function facetLists(database: Database) {
    const rows = await sql<{ seq: number; subject_ids: string; branches: string }>`
      select seq, subject_ids, branches from bib_facets order by seq`.execute(database.db);
    const headings = new Map(
      (
        await sql<{ id: number; heading: string }>`select id, heading from bib_subject_headings`.execute(
          database.db,
        )
      ).rows.map((h) => [Number(h.id), h.heading]),
    );
    return rows.rows.map((r) => ({
      seq: Number(r.seq),
      subjects:
        r.subject_ids === ''
          ? []
          : r.subject_ids
              .split(' ')
              .map((id) => headings.get(Number(id)))
              .sort(),
      branches: r.branches,
    }));
  }

  it('fills subject ids and branches as the catalog writes them', async () => {
    const { database } = t.app;
    const written = await facetLists(database);
    expect(written.some((r) => r.subjects.length > 1)).toBe(true);
    expect(written.some((r) => r.branches.includes('+'))).toBe(true);
    expect(written.some((r) => r.branches !== '' && !r.branches.includes('+'))).toBe(true);
    await migrateDown(database);
    await migrateToLatest(database);
    expect(await facetLists(database)).toEqual(written);
  });
});
