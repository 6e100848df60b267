import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarcJson, parseMarcXml } from '../../src/marc/index.ts';
import type { MarcRecord } from '../../src/marc/record.ts';
import { summarize } from '../../src/modules/catalog/bib-summary.ts';
import type { PreparedInput } from '../../src/modules/catalog/import-prepare.ts';
import { preparedFromFile } from '../../src/modules/catalog/import-source.ts';
import { prepareRecord } from '../../src/modules/catalog/record-prepare.ts';
import { parseQuery } from '../../src/modules/catalog/search-query.ts';
import { analyze, MAX_WORD_LENGTH } from '../../src/modules/catalog/search-text.ts';
import { createTestDatabase, type TestDatabase } from '../create-test-app.ts';
import { createTestServer } from '../create-test-server.ts';
import { testDialects } from '../dialects.ts';
import { makeStaffUser } from '../factories.ts';
import { loginOver, type ServerProcess, spawnServer } from '../spawn-server.ts';
import { PROCESS_TEST_TIMEOUT_MS } from '../timeouts.ts';

/**
 * One request must not stop the server: text of any length costs time in proportion to its length,
 * with every word and field bounded before the costly steps (stemming, sort keys, the search index),
 * on the way in (records, imports) and on the way out (searches). The time bounds below are generous
 * safety limits against denial of service (before the fix the same inputs took minutes or hours),
 * not performance budgets.
 */

/** Generous: linear work on a megabyte takes well under a second even on a busy machine. */
const FAST_MS = 2_000;
/** How long `/api/health` may take while another request is being worked on. */
const HEALTH_MS = 5_000;
const PASSWORD = 'a chosen secret passphrase';

/** One word of `length` lower-case letters, different for each `seed` (no stem cache helps). */
function longWord(length: number, seed = 1): string {
  let x = seed * 2654435761;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += String.fromCharCode(97 + ((x >>> 16) % 26));
  }
  return out;
}

/** Text no compressor shrinks much: letters from across the Basic Multilingual Plane, no spaces. */
function wideText(length: number, seed = 1): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += String.fromCharCode(0x4e00 + ((x >>> 8) % 20000));
  }
  return out;
}

function record(fields: MarcRecord['fields']): MarcRecord {
  return {
    leader: '00000nam a2200000 a 4500',
    fields: [{ tag: '008', value: '200101s2001    xxu           000 0 eng d' }, ...fields],
  };
}

const title = (value: string) => ({ tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value }] });

function elapsed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

describe('text analysis of long input', () => {
  it('stems and indexes a one-megabyte word fast, as its first MAX_WORD_LENGTH letters', () => {
    const word = longWord(1_000_000, 11);
    const { value, ms } = elapsed(() => analyze(word));
    expect(ms).toBeLessThan(FAST_MS);
    expect(value.length).toBeLessThanOrEqual(MAX_WORD_LENGTH);
    expect(word.startsWith(value.slice(0, MAX_WORD_LENGTH - 10))).toBe(true);
  });

  it('prepares a record whose title is one megabyte-long word fast', () => {
    const { value, ms } = elapsed(() => prepareRecord(record([title(longWord(1_000_000, 12))])));
    expect(ms).toBeLessThan(FAST_MS);
    expect(value.summary.title.length).toBeGreaterThan(0);
    // The MARC keeps everything; the summary, sort key and index hold bounded text.
    expect(value.marcJson.length).toBeGreaterThan(1_000_000);
    expect(value.summary.title.length).toBeLessThan(10_000);
    expect(value.summary.titleSort.length).toBeLessThan(1_000);
  });

  it.each([
    ['punctuation', (n: number) => `a${'.'.repeat(n)}b`],
    ['slashes and spaces', (n: number) => `a${' /'.repeat(n / 2)}b`],
    ['colons and semicolons', (n: number) => `a${':;,='.repeat(n / 4)} x`],
    ['digits', (n: number) => `(OCoLC)${'1'.repeat(n)}`],
    ['words', (n: number) => 'library '.repeat(n / 8)],
  ])('prepares a record with a megabyte of %s in every summarised field fast', (_name, text) => {
    const value = text(1_000_000);
    const fields: MarcRecord['fields'] = [
      { tag: '001', value },
      ...'010 020 022 035 050 082 100 245 250 260 490 500 650 700'.split(' ').map((tag) => ({
        tag,
        ind1: '1',
        ind2: '0',
        subfields: [
          { code: 'a', value },
          { code: 'c', value },
        ],
      })),
    ];
    const { ms } = elapsed(() => prepareRecord(record(fields)));
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('bounds every summarised value (sort keys, headings and identifiers fit any database index)', () => {
    const huge = wideText(50_000, 3);
    const s = summarize(
      record([
        { tag: '001', value: huge },
        ...['035', '100', '245', '490', '500', '650', '700'].map((tag) => ({
          tag,
          ind1: '1',
          ind2: '0',
          subfields: [{ code: 'a', value: huge }],
        })),
      ]),
    );
    const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
    expect(utf8(s.titleSort)).toBeLessThan(2_000);
    for (const heading of [...s.authors, ...s.subjects]) expect(utf8(heading)).toBeLessThan(2_000);
    for (const id of [...s.systemNumbers, s.controlNumber ?? '']) expect(utf8(id)).toBeLessThan(2_000);
    for (const text of [s.title, ...s.series, ...s.notes]) expect(text.length).toBeLessThan(10_000);
  });

  it('parses a search for a one-megabyte word fast, matching the indexed form of that word', () => {
    const word = longWord(1_000_000, 13);
    const { value, ms } = elapsed(() => parseQuery(word));
    expect(ms).toBeLessThan(FAST_MS);
    expect(value).toEqual({ type: 'terms', field: null, words: [analyze(word)], prefix: false });
    // The same holds for a word just over the limit: query and index cut it alike.
    const over = longWord(MAX_WORD_LENGTH + 7, 14);
    expect(parseQuery(over)).toEqual({ type: 'terms', field: null, words: [analyze(over)], prefix: false });
  });

  it.each([
    ['phrases', (n: number) => `"${'ab '.repeat(n / 3)}"`],
    ['prefixes', (n: number) => `${longWord(n, 15)}*`],
    ['identifiers', (n: number) => `isbn:${'1'.repeat(n)} lccn:${'a'.repeat(n)} oclc:${'9'.repeat(n)}`],
    ['parentheses', (n: number) => `${'('.repeat(n / 2)}x${')'.repeat(n / 2)}`],
    ['operators', (n: number) => `${'NOT '.repeat(n / 4)}x`],
    ['field names', (n: number) => 'title:'.repeat(n / 6)],
  ])('parses a one-megabyte query of %s fast and without failing', (_name, query) => {
    const { ms } = elapsed(() => parseQuery(query(1_000_000)));
    expect(ms).toBeLessThan(FAST_MS);
  });

  it.each([
    ['nested arrays closed by braces', (n: number) => `${'['.repeat(n)}${'}'.repeat(n)}`],
    ['nested objects closed by brackets', (n: number) => `${'{'.repeat(n)}${']'.repeat(n)}`],
  ])('reads a megabyte of MARC-in-JSON made of %s fast', (_name, text) => {
    const { value, ms } = elapsed(() => parseMarcJson(text(500_000)));
    expect(ms).toBeLessThan(FAST_MS);
    expect(value.length).toBeGreaterThan(0);
  });

  it('reads deeply nested MARCXML fast, reporting the nesting instead of following it', () => {
    const depth = 200_000;
    const xml = `<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500</leader>${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</record></collection>`;
    const { value, ms } = elapsed(() => parseMarcXml(xml));
    expect(ms).toBeLessThan(FAST_MS);
    expect(value.flatMap((r) => r.problems).some((p) => p.severity === 'error')).toBe(true);
  });
});

describe('the import worker’s time budget', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stacks-long-input-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function all(source: AsyncIterable<PreparedInput>): Promise<PreparedInput[]> {
    const out: PreparedInput[] = [];
    for await (const input of source) out.push(input);
    return out;
  }

  it('reports a record that takes longer than its budget as a problem, skips it and goes on', async () => {
    const path = join(dir, 'ten.json');
    const records = Array.from({ length: 10 }, (_, i) => ({
      leader: '00000nam a2200000 a 4500',
      fields: [{ '001': `rec${i}` }, { 245: { ind1: '1', ind2: '0', subfields: [{ a: `Title ${i}` }] } }],
    }));
    writeFileSync(path, JSON.stringify(records));
    const started = performance.now();
    const inputs = await all(
      preparedFromFile(path, 'marc-json', {
        batchSize: 500,
        workerMinBytes: 0,
        recordBudgetMs: 300,
        // The worker spins on record 4 until it is stopped (a stand-in for pathological input).
        stallForTest: 4,
      }),
    );
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(inputs.map((i) => i.recordIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const stalled = inputs[4]!;
    expect(stalled.entry).toBeNull();
    expect(stalled.problems).toEqual([
      { severity: 'error', message: expect.stringMatching(/longer than 0\.3 s.*skipped/) },
    ]);
    for (const input of inputs.filter((i) => i.recordIndex !== 4))
      expect(input.entry?.prepared.summary.title).toBe(`Title ${input.recordIndex}`);
  });

  it('refuses a record larger than an import allows before working on it', async () => {
    const path = join(dir, 'big.json');
    const records = [
      {
        leader: '00000nam a2200000 a 4500',
        fields: [{ 245: { ind1: '1', ind2: '0', subfields: [{ a: 'Small' }] } }],
      },
      {
        leader: '00000nam a2200000 a 4500',
        fields: [{ 245: { ind1: '1', ind2: '0', subfields: [{ a: longWord(3_000_000, 21) }] } }],
      },
    ];
    writeFileSync(path, JSON.stringify(records));
    const inputs = await all(preparedFromFile(path, 'marc-json', { batchSize: 500 }));
    expect(inputs[0]!.entry?.prepared.summary.title).toBe('Small');
    expect(inputs[1]!.entry).toBeNull();
    expect(inputs[1]!.problems[0]!.message).toMatch(/too large/);
  });
});

describe.each(testDialects())('long text through the catalog on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let cookie: string;
  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'cataloger', ['catalog.edit']);
    cookie = await s.login('cataloger');
  });
  afterAll(async () => s.close());

  it('stores records whose headings and identifiers are far longer than an index entry allows', async () => {
    // 3,000 characters of CJK are 9,000 bytes: within what an ISO 2709 field holds, more than a
    // PostgreSQL index entry does (2,704 bytes).
    const huge = wideText(3_000, 5);
    const marc = {
      leader: '00000nam a2200000 a 4500',
      fields: [
        { '001': huge },
        ...['035', '100', '245', '490', '500', '650', '700', '830'].map((tag) => ({
          [tag]: { ind1: '1', ind2: '0', subfields: [{ a: tag === '245' ? `Heading test ${huge}` : huge }] },
        })),
      ],
    };
    const res = await s.as(cookie, { method: 'POST', url: '/api/catalog/records', payload: marc });
    expect(res.statusCode, res.body).toBe(201);
    const found = await s.http.inject({ method: 'GET', url: '/api/catalog/search?q=heading%20test' });
    expect(found.json().total).toBe(1);
  });

  it('searches for a one-megabyte word fast in the service (the HTTP edge refuses such a query)', async () => {
    const started = performance.now();
    const result = await s.app.services.catalog.search({
      q: longWord(1_000_000, 7),
      filters: {},
      limit: 20,
      offset: 0,
    });
    expect(performance.now() - started).toBeLessThan(FAST_MS * 2);
    expect(result.total).toBe(0);
  });
});

describe.each(testDialects())('a real server on %s, sent records with enormous words', (dialect) => {
  let db: TestDatabase;
  let server: ServerProcess | undefined;
  let cookie: string;
  const env = (): Record<string, string> => ({
    STACKS_DATA_DIR: db.dataDir,
    STACKS_ADMIN_PASSWORD: PASSWORD,
    STACKS_SEED_DEMO: 'false',
    ...(db.options.dialect === 'postgres' ? { DATABASE_URL: db.options.url } : {}),
  });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    server = await spawnServer(env());
    cookie = await loginOver(server.baseUrl, 'admin', PASSWORD);
  }, PROCESS_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.drop();
  });

  /** The slowest `/api/health` answer while `work` runs (polled every 100 ms), and `work`'s result. */
  async function healthWhile<T>(work: Promise<T>): Promise<{ result: T; slowestMs: number }> {
    let done = false;
    let slowestMs = 0;
    const poll = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await fetch(`${server!.baseUrl}/api/health`, {
          signal: AbortSignal.timeout(HEALTH_MS * 2),
        });
        expect(res.status).toBe(200);
        slowestMs = Math.max(slowestMs, performance.now() - started);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      return { result: await work, slowestMs };
    } finally {
      done = true;
      await poll;
    }
  }

  const post = (fields: unknown[]) =>
    fetch(`${server!.baseUrl}/api/catalog/records`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ leader: '00000nam a2200000 a 4500', fields }),
      signal: AbortSignal.timeout(60_000),
    });
  const field = (tag: string, a: string) => ({ [tag]: { ind1: '1', ind2: '0', subfields: [{ a }] } });
  /** Nine fields, each one word a little under what an ISO 2709 field holds (9,999 bytes). */
  const nineLongWords = (seed: number) =>
    ['245', '100', '250', '260', '490', '500', '520', '650', '700'].map((tag, i) =>
      field(tag, longWord(9_000, seed * 10 + i)),
    );
  type ErrorBody = { error: { code: string; message: string; details: Record<string, number | string> } };

  it(
    'refuses a 900 KB word at once, naming the limit, and stays responsive',
    async () => {
      const { result, slowestMs } = await healthWhile(post([field('245', longWord(900_000, 31))]));
      expect(result.status).toBe(400);
      const body = (await result.json()) as ErrorBody;
      expect(body.error.code).toBe('INVALID_MARC');
      expect(body.error.message).toContain((body.error.details.limit as number).toLocaleString('en-US'));
      expect(slowestMs).toBeLessThan(HEALTH_MS);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses a body over the route’s limit with 413, naming the limit',
    async () => {
      const res = await post([
        field('245', 'x'),
        ...Array.from({ length: 130 }, () => field('500', 'y'.repeat(9_000))),
      ]);
      expect(res.status).toBe(413);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(body.error.message).toContain((body.error.details.limitBytes as number).toLocaleString('en-US'));
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'stores records of nine words just under the field limit, answering health all along, and finds them',
    async () => {
      const records = [1, 2, 3].map(nineLongWords);
      const { result, slowestMs } = await healthWhile(Promise.all(records.map(post)));
      expect(result.map((r) => r.status)).toEqual([201, 201, 201]);
      const created = (await result[0]!.json()) as { id: string; marc: { fields: unknown[] } };
      expect(created.marc.fields).toEqual(records[0]);
      expect(slowestMs).toBeLessThan(HEALTH_MS);
      // A search for the longest word a query may hold (a prefix of the title word) finds the record.
      const title = (records[0]![0] as ReturnType<typeof field>)['245']!.subfields[0]!.a;
      const search = await fetch(`${server!.baseUrl}/api/catalog/search?q=${title.slice(0, 1000)}`, {
        signal: AbortSignal.timeout(HEALTH_MS),
      });
      expect(search.status).toBe(200);
      expect(((await search.json()) as { hits: { id: string }[] }).hits.map((h) => h.id)).toEqual([
        created.id,
      ]);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'answers a search for a 100 KB word at once (refused for its length)',
    async () => {
      const started = performance.now();
      const res = await fetch(`${server!.baseUrl}/api/catalog/search?q=${longWord(100_000, 33)}`, {
        signal: AbortSignal.timeout(HEALTH_MS * 2),
      });
      expect(performance.now() - started).toBeLessThan(HEALTH_MS);
      expect([400, 414, 431]).toContain(res.status);
      expect((await fetch(`${server!.baseUrl}/api/health`)).status).toBe(200);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'shuts down on SIGTERM while such records are being posted',
    async () => {
      const pending = Promise.all([5, 6, 7].map((seed) => post(nineLongWords(seed)))).catch(() => null);
      await new Promise((r) => setTimeout(r, 50));
      const started = performance.now();
      const code = await server!.stop('SIGTERM');
      // Exit code 0: a clean shutdown, not the end of the grace period (which exits with 1).
      expect(code).toBe(0);
      expect(performance.now() - started).toBeLessThan(8_000);
      await pending;
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
