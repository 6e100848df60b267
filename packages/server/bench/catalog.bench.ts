import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { MarcRecord } from '../src/marc/index.ts';
import { readMarcFile, writeIso2709 } from '../src/marc/index.ts';
import { DEMO_RECORDS_DIR } from '../src/seed/demo-catalog.ts';
import { childEnv, STACKS_BIN } from '../test/spawn-server.ts';
import { summarize as stats } from './stats.ts';

/** Record counts for the import runs; `STACKS_BENCH_IMPORT=100000,1000000` by default. */
const COUNTS = (process.env.STACKS_BENCH_IMPORT ?? '100000,1000000').split(',').map(Number);
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

/** Runs `stacks import` in a child process; returns seconds and peak resident memory (KiB). */
function runImport(
  file: string,
  env: Record<string, string>,
): { seconds: number; peakKiB: number; output: string } {
  const started = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, STACKS_BIN, 'import', file, '--match', 'control', '--batch', '1000'],
    {
      env: childEnv({ STACKS_SEED_DEMO: 'false', STACKS_ADMIN_PASSWORD: 'a benchmark passphrase', ...env }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
  const peakKiB = Number(result.stderr.trim().split('\n').at(-1));
  return { seconds, peakKiB, output: result.stdout.trim() };
}

async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const name = `stacks_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
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

/**
 * Catalog import (records/s and peak memory, SQLite and PostgreSQL, at each count) and search with
 * facets over the largest SQLite catalog (p50/p95 over a fixed mix of 100 searches).
 * Budgets: import >= 5,000 records/s on SQLite; search p95 <= 50 ms over 1M records on SQLite;
 * import memory flat as the file grows.
 */
export async function catalogBenchmark(): Promise<void> {
  const base = await demoRecords();
  const work = mkdtempSync(join(tmpdir(), 'stacks-bench-catalog-'));
  let largest: string | null = null;
  try {
    for (const count of COUNTS) {
      const file = join(work, `records-${count}.mrc`);
      const size = await makeFile(file, count, base);
      const dataDir = join(work, `sqlite-${count}`);
      const sqliteRun = runImport(file, { STACKS_DATA_DIR: dataDir });
      console.log(
        `import ${count.toLocaleString('en')} records (${(size / 1e6).toFixed(0)} MB), SQLite:     ` +
          `${Math.round(count / sqliteRun.seconds).toLocaleString('en')} records/s, ${sqliteRun.seconds.toFixed(1)} s, peak RSS ${(sqliteRun.peakKiB / 1024).toFixed(0)} MiB`,
      );
      if (largest)
        rmSync(join(work, `sqlite-${COUNTS[COUNTS.indexOf(count) - 1]}`), { recursive: true, force: true });
      largest = dataDir;
      const db = await createPgDatabase();
      if (db) {
        try {
          const pgRun = runImport(file, { STACKS_DATA_DIR: join(work, 'pg'), DATABASE_URL: db.url });
          console.log(
            `import ${count.toLocaleString('en')} records, PostgreSQL: ` +
              `${Math.round(count / pgRun.seconds).toLocaleString('en')} records/s, ${pgRun.seconds.toFixed(1)} s, peak RSS ${(pgRun.peakKiB / 1024).toFixed(0)} MiB`,
          );
        } finally {
          await db.drop();
        }
      } else {
        console.log(`import on PostgreSQL skipped: no server at ${PG_URL} (set STACKS_BENCH_DATABASE_URL)`);
      }
      rmSync(file, { force: true });
    }
    if (largest) {
      const config = loadConfig({ STACKS_DATA_DIR: largest, STACKS_SEED_DEMO: 'false' });
      const app = await createApp(config);
      try {
        const total = await app.services.catalog.countRecords();
        const mix = searchMix();
        for (const s of mix.slice(0, 10)) await app.services.catalog.search(s as never); // warm the caches
        const times: number[] = [];
        for (const s of mix) {
          const t0 = performance.now();
          await app.services.catalog.search(s as never);
          times.push(performance.now() - t0);
        }
        console.log(`search with facets over ${total.toLocaleString('en')} records, SQLite: ${stats(times)}`);
        const empty: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          await app.services.catalog.search({ q: '' });
          empty.push(performance.now() - t0);
        }
        console.log(`empty query (every record, all facets), SQLite:          ${stats(empty)}`);
      } finally {
        await app.close();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
