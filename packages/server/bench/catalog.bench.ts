import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { MarcRecord } from '../src/marc/index.ts';
import { readMarcFile, writeIso2709 } from '../src/marc/index.ts';
import { DEMO_RECORDS_DIR } from '../src/seed/demo-catalog.ts';
import { childEnv, STACKS_BIN } from '../test/spawn-server.ts';
import { summarize as stats } from './stats.ts';

/** Record counts for the import runs; `STACKS_BENCH_IMPORT=100000,1000000` by default (empty: no imports). */
const COUNTS = (process.env.STACKS_BENCH_IMPORT ?? '100000,1000000')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number);
/** Records in the catalog searched; the largest import by default (`STACKS_BENCH_SEARCH`, 0: no search). */
const SEARCH_COUNT = Number(process.env.STACKS_BENCH_SEARCH ?? Math.max(0, ...COUNTS));
/**
 * `STACKS_BENCH_SEARCH_DIR`: keep the searched catalogs between runs (SQLite in this folder, PostgreSQL in
 * a database named after the count) and reuse them, so search can be measured again without importing.
 */
const SEARCH_DIR = process.env.STACKS_BENCH_SEARCH_DIR;
const PG_URL = process.env.STACKS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function demoRecords(): Promise<MarcRecord[]> {
  const out: MarcRecord[] = [];
  for (const file of readdirSync(DEMO_RECORDS_DIR).sort()) {
    const { records } = await readMarcFile(join(DEMO_RECORDS_DIR, file));
    for await (const r of records) if (r.record) out.push(r.record);
  }
  return out;
}

/** Writes `count` distinct records (the demo records, each copy with its own 001) to a file, streaming. */
async function makeFile(path: string, count: number, base: MarcRecord[]): Promise<number> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const r = base[i % base.length]!;
    const bytes = writeIso2709({
      leader: r.leader,
      fields: [{ tag: '001', value: `bench${i}` }, ...r.fields.filter((f) => f.tag !== '001')],
    });
    if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return statSync(path).size;
}

/**
 * Records per transaction in the import runs: a bulk load's setting (`stacks import --batch 5000`). At a
 * million records each transaction writes about 5.6 pages a record, most of them index pages that no
 * other record in the batch shares, so larger transactions write fewer pages; the CLI's default (500)
 * keeps the write lock short for a library that is open while it imports.
 */
const IMPORT_BATCH = 5000;

/**
 * Runs `stacks import` in a child process; returns seconds, peak resident memory (KiB) and the child's
 * CPU seconds (user + system, all its threads: less sensitive to other load on the machine than wall time).
 */
function runImport(
  file: string,
  env: Record<string, string>,
): { seconds: number; peakKiB: number; cpuSeconds: number; output: string } {
  const started = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M %U %S',
      process.execPath,
      STACKS_BIN,
      'import',
      file,
      '--match',
      'control',
      '--batch',
      String(IMPORT_BATCH),
    ],
    {
      env: childEnv({ STACKS_SEED_DEMO: 'false', STACKS_ADMIN_PASSWORD: 'a benchmark passphrase', ...env }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
  const [peakKiB, user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds, peakKiB: peakKiB!, cpuSeconds: user! + system!, output: result.stdout.trim() };
}

function pgUrl(name: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery<T extends pg.QueryResultRow>(text: string, values?: unknown[]) {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    return await admin.query<T>(text, values);
  } finally {
    await admin.end();
  }
}

/** A new PostgreSQL database, replacing one of the same name (null when no server answers). */
async function createPgDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> } | null> {
  if ((await pgDatabaseExists(name)) === null) return null;
  await adminQuery(`drop database if exists ${name} with (force)`);
  await adminQuery(`create database ${name}`);
  return {
    url: pgUrl(name),
    drop: async () => {
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function pgDatabaseExists(name: string): Promise<boolean | null> {
  try {
    return (await adminQuery('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } catch {
    return null;
  }
}

/** 100 searches a public catalog gets: words, phrases, fields, prefixes and facet filters. */
function searchMix(): { q: string; filters?: Record<string, unknown> }[] {
  const words = [
    'jazz',
    'blues',
    'piano',
    'histoire',
    'france',
    'music',
    'songs',
    'love',
    'perl',
    'new york',
    'guitar',
    'paris',
  ];
  const mix: { q: string; filters?: Record<string, unknown> }[] = [];
  for (let i = 0; mix.length < 100; i++) {
    const w = words[i % words.length]!;
    switch (i % 5) {
      case 0:
        mix.push({ q: w });
        break;
      case 1:
        mix.push({ q: `title:${w.split(' ')[0]}` });
        break;
      case 2:
        mix.push({ q: `"${w}"`, filters: { format: ['book'] } });
        break;
      case 3:
        mix.push({ q: `${w.slice(0, 4)}*` });
        break;
      default:
        mix.push({ q: `${w} ${words[(i + 3) % words.length]}`, filters: { available: true } });
    }
  }
  return mix;
}

/** Imports `count` records into SQLite and PostgreSQL, printing rate and peak memory. */
async function importRun(
  work: string,
  base: MarcRecord[],
  count: number,
  keep: { sqliteDir?: string; pgName?: string },
): Promise<void> {
  const file = join(work, `records-${count}.mrc`);
  const size = await makeFile(file, count, base);
  try {
    const dataDir = keep.sqliteDir ?? join(work, `sqlite-${count}`);
    const sqliteRun = runImport(file, { STACKS_DATA_DIR: dataDir });
    console.log(
      `import ${count.toLocaleString('en')} records (${(size / 1e6).toFixed(0)} MB, --batch ${IMPORT_BATCH}), SQLite:     ` +
        `${Math.round(count / sqliteRun.seconds).toLocaleString('en')} records/s, ${sqliteRun.seconds.toFixed(1)} s, peak RSS ${(sqliteRun.peakKiB / 1024).toFixed(0)} MiB, ` +
        `CPU ${sqliteRun.cpuSeconds.toFixed(1)} s, load ${loadavg()[0]!.toFixed(1)}`,
    );
    if (!keep.sqliteDir) rmSync(dataDir, { recursive: true, force: true });
    const db = await createPgDatabase(keep.pgName ?? `stacks_bench_${process.pid}_${count}`);
    if (db) {
      try {
        const pgRun = runImport(file, { STACKS_DATA_DIR: join(work, 'pg'), DATABASE_URL: db.url });
        console.log(
          `import ${count.toLocaleString('en')} records, PostgreSQL: ` +
            `${Math.round(count / pgRun.seconds).toLocaleString('en')} records/s, ${pgRun.seconds.toFixed(1)} s, peak RSS ${(pgRun.peakKiB / 1024).toFixed(0)} MiB, ` +
            `CPU ${pgRun.cpuSeconds.toFixed(1)} s (Stacks only), load ${loadavg()[0]!.toFixed(1)}`,
        );
      } catch (error) {
        await db.drop();
        throw error;
      }
      if (!keep.pgName) await db.drop();
    } else {
      console.log(`import on PostgreSQL skipped: no server at ${PG_URL} (set STACKS_BENCH_DATABASE_URL)`);
    }
  } finally {
    rmSync(file, { force: true });
  }
}

/** The fixed mix of 100 searches, then the empty query, against one catalog. */
async function searchRun(label: string, env: Record<string, string>): Promise<void> {
  const config = loadConfig({ STACKS_SEED_DEMO: 'false', ...env });
  const app = await createApp(config);
  try {
    const total = await app.services.catalog.countRecords();
    const mix = searchMix();
    let t0 = performance.now();
    await app.services.catalog.search({ q: '' });
    const firstEmpty = performance.now() - t0;
    for (const s of mix.slice(0, 10)) await app.services.catalog.search(s as never); // warm the caches
    const times: number[] = [];
    const byQuery: { q: string; ms: number; total: number }[] = [];
    for (const s of mix) {
      t0 = performance.now();
      const result = await app.services.catalog.search(s as never);
      const ms = performance.now() - t0;
      times.push(ms);
      byQuery.push({
        q: `${s.q}${s.filters ? ` ${JSON.stringify(s.filters)}` : ''}`,
        ms,
        total: result.total,
      });
    }
    console.log(`search with facets over ${total.toLocaleString('en')} records, ${label}: ${stats(times)}`);
    const slowest = byQuery.sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(
      `  slowest: ${slowest.map((s) => `${s.q} (${s.total.toLocaleString('en')} hits) ${s.ms.toFixed(1)} ms`).join('; ')}`,
    );
    const empty: number[] = [];
    for (let i = 0; i < 20; i++) {
      t0 = performance.now();
      await app.services.catalog.search({ q: '' });
      empty.push(performance.now() - t0);
    }
    console.log(
      `empty query (every record, all facets), ${label}: ${stats(empty)}; first one ${firstEmpty.toFixed(1)} ms`,
    );
  } finally {
    await app.close();
  }
}

/**
 * Catalog import (records/s and peak memory, SQLite and PostgreSQL, at each count) and search with
 * facets (p50/p95 over a fixed mix of 100 searches, and the empty query) over the largest catalog, on
 * SQLite and PostgreSQL. Budgets: import >= 5,000 records/s on SQLite; search p95 <= 50 ms over 1M
 * records on SQLite; import memory flat as the file grows.
 */
export async function catalogBenchmark(): Promise<void> {
  const base = await demoRecords();
  const work = mkdtempSync(join(tmpdir(), 'stacks-bench-catalog-'));
  const keepDir = SEARCH_DIR ? resolve(SEARCH_DIR) : join(work, 'search');
  const searchSqlite = join(keepDir, `sqlite-${SEARCH_COUNT}`);
  const searchPg = `stacks_bench_search_${SEARCH_COUNT}`;
  try {
    let searchBuilt = SEARCH_DIR !== undefined && existsSync(join(searchSqlite, 'stacks.db'));
    const pgKept = SEARCH_DIR !== undefined ? await pgDatabaseExists(searchPg) : false;
    for (const count of COUNTS) {
      // The import of the searched size builds the search catalogs (unless kept ones exist).
      const build = count === SEARCH_COUNT && !searchBuilt;
      if (build) mkdirSync(keepDir, { recursive: true });
      await importRun(work, base, count, build ? { sqliteDir: searchSqlite, pgName: searchPg } : {});
      if (build) searchBuilt = true;
    }
    if (SEARCH_COUNT > 0) {
      if (!searchBuilt) {
        console.log(`building the search catalogs of ${SEARCH_COUNT.toLocaleString('en')} records…`);
        mkdirSync(keepDir, { recursive: true });
        await importRun(work, base, SEARCH_COUNT, { sqliteDir: searchSqlite, pgName: searchPg });
      } else if (SEARCH_DIR && pgKept === false) {
        console.log('(the kept PostgreSQL search catalog is missing: searching SQLite only)');
      }
      await searchRun('SQLite', { STACKS_DATA_DIR: searchSqlite });
      if (await pgDatabaseExists(searchPg)) {
        await searchRun('PostgreSQL', { STACKS_DATA_DIR: join(work, 'pg'), DATABASE_URL: pgUrl(searchPg) });
        if (!SEARCH_DIR) await adminQuery(`drop database if exists ${searchPg} with (force)`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
