import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { seedDemoLibrary } from '../../seed/seed.ts';

/** Queries a library's public catalog gets, over the demo records. */
export const PARITY_QUERIES = [
  'jazz',
  'blues',
  'piano',
  'miles davis',
  'ellington',
  'guitar',
  'perl',
  'programming',
  'histoire',
  'france',
  'poésie',
  'roman',
  'title:songs',
  'author:armstrong',
  'subject:"jazz"',
  'music*',
  'paris OR london',
  'love NOT songs',
  '"new york"',
  'Müller',
];

describe.skipIf(!testDialects().includes('postgres'))('search on SQLite and on PostgreSQL', () => {
  let sqlite: Awaited<ReturnType<typeof createTestApp>>;
  let postgres: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    [sqlite, postgres] = await Promise.all([createTestApp('sqlite'), createTestApp('postgres')]);
    await seedDemoLibrary(sqlite.app);
    await seedDemoLibrary(postgres.app);
  }, 120_000);
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
  });

  it.each(PARITY_QUERIES)('finds the same records, with the same first results, for %j', async (q) => {
    const [a, b] = await Promise.all([
      sqlite.app.services.catalog.search({ q, limit: 5 }),
      postgres.app.services.catalog.search({ q, limit: 5 }),
    ]);
    expect(b.total).toBe(a.total);
    expect(b.hits.map((h) => h.title)).toEqual(a.hits.map((h) => h.title));
    expect(b.facets.format).toEqual(a.facets.format);
  });
});
