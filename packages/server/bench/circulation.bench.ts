import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Insertable, type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { DB, ItemRow, LoanRow, PatronRow } from '../src/db/schema.ts';
import { systemActor } from '../src/kernel/actor.ts';
import { newId } from '../src/kernel/ids.ts';
import { CATALOG_CHANGES, readCounters } from '../src/modules/catalog/catalog-repository.ts';
import { nameKey } from '../src/modules/patrons/index.ts';
import { makeStaffUser, TEST_PASSWORD } from '../test/factories.ts';
import { childEnv, loginOver, STACKS_BIN } from '../test/spawn-server.ts';
import { type PacedReport, type PacedRequest, SLOW_MS } from './paced-client.ts';
import { percentile } from './stats.ts';

/**
 * `STACKS_BENCH_CIRC_SCALE` (default 1): 1M items, 100k patrons and 500k current loans at 1; 0.05 makes
 * 50k items, 5k patrons and 25k loans (for a quick run).
 */
const SCALE = Number(process.env.STACKS_BENCH_CIRC_SCALE ?? 1);
/** Seconds of each measured autocannon run (`STACKS_BENCH_CIRC_SECONDS`, default 10). */
const SECONDS = Number(process.env.STACKS_BENCH_CIRC_SECONDS ?? 10);
/**
 * After each saturating run, a run offered this many requests a second in all
 * (`STACKS_BENCH_CIRC_RATE`, default 1000; 0 for none): the latency the desk sees at the budget's rate.
 */
const RATE = Number(process.env.STACKS_BENCH_CIRC_RATE ?? 1000);
/** Even-rate runs after each saturating one (`STACKS_BENCH_CIRC_PACED_RUNS`, default 1): tails vary from run to run. */
const PACED_RUNS = Number(process.env.STACKS_BENCH_CIRC_PACED_RUNS ?? 1);
/** Concurrent clients (`STACKS_BENCH_CIRC_CONNECTIONS`, default 10). */
const CONNECTIONS = Number(process.env.STACKS_BENCH_CIRC_CONNECTIONS ?? 10);
/** `STACKS_BENCH_CIRC_DIALECTS=sqlite` or `postgres` to run one; both by default. */
const DIALECTS = (process.env.STACKS_BENCH_CIRC_DIALECTS ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
/**
 * `STACKS_BENCH_CIRC_PROFILE=<folder>`: run every server phase and the accrual with `node --cpu-prof`,
 * keep the profiles there and print where the time went (self and total time by function).
 */
const PROFILE_DIR = process.env.STACKS_BENCH_CIRC_PROFILE;
/** `STACKS_BENCH_CIRC_KEEP=1`: keep the generated library (data folder, PostgreSQL database) to study it afterwards. */
const KEEP = process.env.STACKS_BENCH_CIRC_KEEP === '1';
/**
 * `STACKS_BENCH_CIRC_SQLITE_ANALYZE=1`: run ANALYZE on SQLite after generating. Stacks itself never does
 * (so by default the benchmark measures the plans SQLite picks without statistics); PostgreSQL is always
 * analysed, as autovacuum would have done on a library of that size.
 */
const SQLITE_ANALYZE = process.env.STACKS_BENCH_CIRC_SQLITE_ANALYZE === '1';
/** What to measure (`STACKS_BENCH_CIRC_PHASES`, default all): checkout, checkin, renew, by-loans, accrual. */
const PHASES = new Set(
  (process.env.STACKS_BENCH_CIRC_PHASES ?? 'checkout,checkin,renew,by-loans,accrual')
    .split(',')
    .map((s) => s.trim()),
);
/** `STACKS_BENCH_CIRC_NODE_ARGS`: options for the server's `node` (e.g. `--v8-pool-size=1`), space-separated. */
const NODE_ARGS = (process.env.STACKS_BENCH_CIRC_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const PG_URL = process.env.STACKS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_NAME = 'stacks_bench_circ';
const SEED = systemActor('bench');
const DAY = 86_400_000;
/** Patrons of the benchmark may borrow this many items (the patron with 1,000 loans borrows more). */
const LOAN_LIMIT = 5000;
/** Days every open loan is moved into the past before the accrual: all of them are overdue then. */
const ACCRUAL_DAYS_AHEAD = 45;

// ---------------------------------------------------------------- autocannon (no type declarations)

interface CannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  setupRequest(req: Record<string, unknown>, context: Record<string, unknown>): Record<string, unknown>;
  onResponse(status: number, body: string, context: Record<string, unknown>): void;
}
interface CannonOptions {
  url: string;
  connections: number;
  timeout: number;
  duration?: number;
  amount?: number;
  requests: CannonRequest[];
}
interface CannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
}
interface CannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  stop(): void;
}
type Cannon = (
  opts: CannonOptions,
  done: (error: Error | null, result: CannonResult) => void,
) => CannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

// ---------------------------------------------------------------- sizes and layout

/**
 * The generated library. Items come in pairs per record (2 copies); item 2j is on loan (loan j) and
 * item 2j+1 is on the shelf. Patron 0 holds `heavyLoans` loans, patron 1 none; the other loans go round
 * the other patrons. Patrons whose number is a multiple of 5 are the "overdue" ones: their loans fell due
 * 1 to 30 days ago (so they are blocked); everyone else's fall due in the next 2 to 21 days.
 */
interface Layout {
  items: number;
  records: number;
  patrons: number;
  loans: number;
  heavyLoans: number;
}

function layoutFor(scale: number): Layout {
  const records = Math.max(1000, Math.round((1_000_000 * scale) / 2));
  const patrons = Math.max(100, Math.round(100_000 * scale));
  const loans = Math.min(records, Math.max(2000, Math.round(500_000 * scale)));
  return { items: records * 2, records, patrons, loans, heavyLoans: Math.min(1000, Math.floor(loans / 4)) };
}

/** Loans that are overdue now (those of the overdue patrons). */
function overdueLoans(layout: Layout): number {
  let n = 0;
  for (let j = layout.heavyLoans; j < layout.loans; j++) if (isOverduePatron(patronOfLoan(layout, j))) n++;
  return n;
}

const itemBarcode = (k: number) => `3${String(k).padStart(9, '0')}`;
const cardBarcode = (i: number) => `2${String(i).padStart(9, '0')}`;
const isOverduePatron = (i: number) => i >= 2 && i % 5 === 0;

function patronOfLoan(layout: Layout, j: number): number {
  return j < layout.heavyLoans ? 0 : 2 + ((j - layout.heavyLoans) % (layout.patrons - 2));
}

/** A small deterministic generator (mulberry32), so runs shuffle alike. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(list: T[], seed: number): T[] {
  const next = random(seed);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

// ---------------------------------------------------------------- setup and data generation

interface Setup {
  branchIds: string[];
  ruleId: string;
  templateRecordIds: string[];
  templateItemId: string;
  templatePatronId: string;
}

/** Branches, item types, the bench category, a generous default rule and templates, through the services. */
async function setUp(app: App): Promise<Setup> {
  const { branches, catalog, patrons, circulation } = app.services;
  const library = await branches.createLibrary(SEED, { code: 'BENCH', name: 'Bench Library' });
  const week = (days: number[], opens: string, closes: string) =>
    days.map((weekday) => ({ weekday, opens, closes }));
  const central = await branches.createBranch(SEED, {
    libraryId: library.id,
    code: 'CENTRAL',
    name: 'Central',
    timeZone: 'America/New_York',
    openingHours: [...week([1, 2, 3, 4, 5], '09:00', '20:00'), ...week([6], '10:00', '17:00')],
  });
  const east = await branches.createBranch(SEED, {
    libraryId: library.id,
    code: 'EAST',
    name: 'East',
    timeZone: 'America/Chicago',
    openingHours: week([2, 3, 4, 5, 6], '10:00', '18:00'),
  });
  for (const [code, name] of [
    ['BOOK', 'Book'],
    ['DVD', 'DVD'],
  ] as const) {
    await catalog.createItemType(SEED, { code, name, isCirculating: true });
  }
  await patrons.createCategory(SEED, {
    code: 'BENCH',
    name: 'Benchmark patrons',
    loanLimit: LOAN_LIMIT,
    fineLimitMinor: 1000,
    enrolmentMonths: 24,
  });
  const rule = await circulation.policies.create(SEED, {
    branchId: null,
    patronCategory: null,
    itemType: null,
    loanPeriod: 21,
    loanUnit: 'days',
    renewalsAllowed: 1000,
    renewalPeriod: null,
    maxLoans: null,
    finePerUnitMinor: 25,
    graceUnits: 1,
    maxFineMinor: 500,
    holdsAllowed: 5,
    holdShelfDays: 7,
    lostAfterDays: 60,
    lostProcessingFeeMinor: 500,
    refundLostOnReturn: true,
    chargeClosedDays: false,
  });
  const templateRecordIds: string[] = [];
  for (const [title, author] of [
    ['The benchmark novel', 'Writer, Ann'],
    ['A history of circulation desks', 'Keeper, Ben'],
  ] as const) {
    const record = await catalog.createRecord(SEED, {
      leader: '00000nam a2200000 a 4500',
      fields: [
        { tag: '008', value: '200101s2020    xxu           000 0 eng d' },
        { tag: '100', ind1: '1', ind2: ' ', subfields: [{ code: 'a', value: author }] },
        { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
      ],
    });
    templateRecordIds.push(record.id);
  }
  const item = await catalog.addItem(SEED, templateRecordIds[0]!, {
    barcode: 'TEMPLATE-1',
    branchId: central.id,
    itemType: 'BOOK',
    status: 'available',
    priceMinor: 2500,
    callNumber: 'FIC BEN',
  });
  const patron = await patrons.register(SEED, {
    firstName: 'Template',
    lastName: 'Patron',
    categoryCode: 'BENCH',
    homeBranchId: central.id,
    cardBarcode: 'TEMPLATE-P',
    allowDuplicate: true,
  });
  return {
    branchIds: [central.id, east.id],
    ruleId: rule.id,
    templateRecordIds,
    templateItemId: item.id,
    templatePatronId: patron.id,
  };
}

/** Multi-row inserts of `count` generated rows, 1,000 (or fewer wide) rows a statement, 50 statements a transaction. */
async function bulkInsert<K extends keyof DB & string>(
  db: Kysely<DB>,
  table: K,
  count: number,
  make: (i: number) => Insertable<DB[K]>,
): Promise<void> {
  if (count === 0) return;
  const columns = Object.keys(make(0) as object).length;
  const perStatement = Math.max(1, Math.min(1000, Math.floor(30_000 / columns)));
  const perTransaction = perStatement * 50;
  const started = performance.now();
  for (let from = 0; from < count; from += perTransaction) {
    const to = Math.min(count, from + perTransaction);
    await db.transaction().execute(async (trx) => {
      for (let at = from; at < to; at += perStatement) {
        const rows: Insertable<DB[K]>[] = [];
        for (let i = at; i < Math.min(to, at + perStatement); i++) rows.push(make(i));
        await trx
          .insertInto(table)
          .values(rows as never)
          .execute();
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  ${table.padEnd(13)} ${count.toLocaleString('en').padStart(10)} rows in ${seconds.toFixed(1).padStart(5)} s ` +
      `(${Math.round(count / seconds).toLocaleString('en')} rows/s)`,
  );
}

/** Fills the catalog, patrons and loans of `layout` with direct multi-row inserts. */
async function generate(app: App, setup: Setup, layout: Layout, nowMs: number): Promise<void> {
  const db = app.database.db;
  const templates = await db
    .selectFrom('bib_records')
    .selectAll()
    .where('id', 'in', setup.templateRecordIds)
    .orderBy('seq')
    .execute();
  const facetTemplates = await db
    .selectFrom('bib_facets')
    .selectAll()
    .where('record_id', 'in', setup.templateRecordIds)
    .orderBy('seq')
    .execute();
  const item = await db
    .selectFrom('items')
    .selectAll()
    .where('id', '=', setup.templateItemId)
    .executeTakeFirstOrThrow();
  const patron = await db
    .selectFrom('patrons')
    .selectAll()
    .where('id', '=', setup.templatePatronId)
    .executeTakeFirstOrThrow();
  const seqRow = await db
    .selectFrom('sequences')
    .select('value')
    .where('name', '=', 'bib_records')
    .executeTakeFirstOrThrow();
  const firstSeq = Number(seqRow.value) + 1;
  const changeNo = (await readCounters(db, [CATALOG_CHANGES])).get(CATALOG_CHANGES)!;
  const nowIso = new Date(nowMs).toISOString();
  const branches = setup.branchIds;

  // Ids are made once per row and remembered where later tables point at them.
  const recordIds = Array.from({ length: layout.records }, () => newId(nowMs));
  const itemIds = Array.from({ length: layout.loans }, () => newId(nowMs));
  const patronIds = Array.from({ length: layout.patrons }, () => newId(nowMs));
  const branchOf = (r: number) => branches[r % branches.length]!;
  const onLoan = (k: number) => k % 2 === 0 && k / 2 < layout.loans;
  /** When loan j went out (ms): overdue patrons' 22–51 days ago, others' 0–19 days ago. */
  const checkedOutAt = (j: number) => {
    const daysAgo = isOverduePatron(patronOfLoan(layout, j)) ? 22 + (j % 30) : j % 20;
    return nowMs - daysAgo * DAY - (j % 600) * 60_000;
  };

  await bulkInsert(db, 'bib_records', layout.records, (r) => {
    const t = templates[r % templates.length]!;
    return {
      ...t,
      id: recordIds[r]!,
      seq: firstSeq + r,
      control_number: `bench${r}`,
      title: `${t.title} ${r}`,
      title_sort: `${t.title_sort} ${r}`,
      created_at: nowIso,
      updated_at: nowIso,
    };
  });
  await db
    .updateTable('sequences')
    .set({ value: firstSeq + layout.records - 1 })
    .where('name', '=', 'bib_records')
    .execute();
  await bulkInsert(db, 'bib_facets', layout.records, (r) => {
    const available = onLoan(2 * r) ? 1 : 2;
    return {
      ...facetTemplates[r % facetTemplates.length]!,
      seq: firstSeq + r,
      record_id: recordIds[r]!,
      available,
      change_no: changeNo,
      branches: `${branchOf(r)}+`,
    };
  });
  await bulkInsert(db, 'items', layout.items, (k): ItemRow => {
    const r = Math.floor(k / 2);
    const out = onLoan(k);
    return {
      ...item,
      id: k % 2 === 0 && k / 2 < layout.loans ? itemIds[k / 2]! : newId(nowMs),
      record_id: recordIds[r]!,
      barcode: itemBarcode(k),
      branch_id: branchOf(r),
      item_type: r % 10 === 9 ? 'DVD' : 'BOOK',
      copy_number: String((k % 2) + 1),
      status: out ? 'checked_out' : 'available',
      status_changed_at: out ? new Date(checkedOutAt(k / 2)).toISOString() : nowIso,
      created_at: nowIso,
      updated_at: nowIso,
    };
  });
  await bulkInsert(db, 'patrons', layout.patrons, (i): PatronRow => {
    const last = `Patron${i}`;
    return {
      ...patron,
      id: patronIds[i]!,
      card_barcode: cardBarcode(i),
      first_name: 'Bench',
      last_name: last,
      name_key: nameKey('Bench', last),
      email: `patron${i}@example.org`,
      email_key: `patron${i}@example.org`,
      home_branch_id: branches[i % branches.length]!,
      created_at: nowIso,
      updated_at: nowIso,
    };
  });
  await bulkInsert(db, 'patron_cards', layout.patrons, (i) => ({
    id: newId(nowMs),
    patron_id: patronIds[i]!,
    barcode: cardBarcode(i),
    status: 'active',
    issued_at: nowIso,
    replaced_at: null,
    replace_reason: null,
  }));
  await bulkInsert(db, 'loans', layout.loans, (j): LoanRow => {
    const out = checkedOutAt(j);
    return {
      id: newId(nowMs),
      item_id: itemIds[j]!,
      patron_id: patronIds[patronOfLoan(layout, j)]!,
      branch_id: branchOf(j),
      rule_id: setup.ruleId,
      checked_out_at: new Date(out).toISOString(),
      due_at: new Date(out + 21 * DAY).toISOString(),
      loan_unit: 'days',
      renewals: 0,
      fine_per_unit_minor: 25,
      grace_units: 1,
      max_fine_minor: 500,
      charge_closed_days: false,
      fine_charged_minor: 0,
      status: 'active',
      lost_at: null,
      returned_at: null,
      returned_branch_id: null,
      checked_out_by: 'system:bench',
      override_reason: null,
      anonymised_at: null,
    };
  });
}

/**
 * The Linux block layer's writeback throttling on the disk holding `dir` (`wbt_lat_usec`, 0 when off). With
 * it on, a read of a page the checkpoint's writeback has locked can wait 50–100 ms (see README).
 */
function writebackThrottling(dir: string): string {
  try {
    const dev = statSync(dir).dev;
    const major = Math.floor(dev / 256) & 0xfff;
    const minor = (dev & 0xff) | (Math.floor(dev / 4096) & ~0xff);
    const base = `/sys/dev/block/${major}:${minor}`;
    for (const path of [`${base}/queue/wbt_lat_usec`, `${base}/../queue/wbt_lat_usec`]) {
      if (!existsSync(path)) continue;
      const usec = Number(readFileSync(path, 'utf8').trim());
      return usec === 0
        ? 'writeback throttling is off on its disk'
        : `writeback throttling is on on its disk (wbt_lat_usec ${usec})`;
    }
  } catch {
    // Not Linux, or no such setting: say nothing more.
  }
  return 'writeback throttling of its disk unknown';
}

// ---------------------------------------------------------------- the server and its clients

interface Server {
  child: ChildProcess;
  baseUrl: string;
  /** What the server's probe saw since the last call (see server-probe.mjs); null if it did not answer. */
  probe(): Promise<ServerProbe | null>;
  stop(): Promise<void>;
}

/** What bench/server-probe.mjs reports from inside the server. */
interface ServerProbe {
  loopDelayMs: { p50: number; p99: number; p999: number; max: number };
  gc: { count: number; totalMs: number; maxMs: number; over10Ms: number; major: number; majorMaxMs: number };
  heapUsedMb: number;
  /** CPU used meanwhile (Linux only): the main thread, the other threads, and the main thread's wait for a core. */
  cpu?: { seconds: number; mainMs: number; otherMs: number; mainWaitedMs: number | null };
  /** The whole machine meanwhile, in ms of CPU time over all its cores (Linux only). */
  machine?: { busyMs: number; iowaitMs: number; stealMs: number; idleMs: number };
  /** Times the main thread was blocked in the kernel for 10 ms or more, and the longest with the kernel's stack. */
  blocked?: { count: number; totalMs: number; longest: { ms: number; in: string }[] };
  /** The timeline (ms since the epoch): kernel blocks, event-loop stalls of 5 ms or more, collections of 2 ms or more. */
  blocks?: Span[];
  /** With what the main thread went through meanwhile, by the watchdog's readings every 2 ms. */
  stalls?: (Span & { waitedMs?: number; states?: Record<string, number> })[];
  pauses?: (Span & { major: boolean })[];
}

/** Something that began `at` (ms since the epoch) and lasted `ms`. */
interface Span {
  at: number;
  ms: number;
}

/** Prints what the server's probe saw during an even-rate run, and what lay behind its slow requests. */
function printProbe(probe: ServerProbe, paced: LoadResult): void {
  const clientCpuShare = paced.clientCpuShare;
  const { loopDelayMs: d, gc, cpu, machine: m, blocked: b } = probe;
  console.log(
    `    inside the server meanwhile: event-loop delay p50 ${d.p50} ms, p99 ${d.p99} ms, p99.9 ${d.p999} ms, ` +
      `max ${d.max} ms; ${gc.count} garbage collections, ${gc.totalMs} ms in all, longest ${gc.maxMs} ms, ` +
      `${gc.over10Ms} over 10 ms (${gc.major} major, longest ${gc.majorMaxMs} ms); heap in use ${probe.heapUsedMb} MiB`,
  );
  if (cpu) {
    const share = (ms: number) => `${Math.round(ms / (cpu.seconds * 10))}%`;
    const waited =
      cpu.mainWaitedMs === null ? '' : `, ready but waiting for a core ${Math.round(cpu.mainWaitedMs)} ms`;
    console.log(
      `    CPU, in shares of one core: server main thread ${share(cpu.mainMs)}${waited}; ` +
        `server's other threads ${share(cpu.otherMs)}; the client ${Math.round((clientCpuShare ?? 0) * 100)}%`,
    );
    if (m)
      console.log(
        `    the whole machine (${cpus().length} cores): busy ${share(m.busyMs)}, idle ${share(m.idleMs)}, ` +
          `waiting for the disk ${share(m.iowaitMs)}, taken by the hypervisor ${share(m.stealMs)}`,
      );
  }
  if (b) {
    console.log(
      `    main thread blocked in the kernel for 10 ms or more: ${b.count} times, ${b.totalMs} ms in all`,
    );
    for (const one of b.longest) console.log(`      ${one.ms} ms in ${one.in || '(no stack)'}`);
  }
  if (paced.timeline) printSlowEpisodes(paced.timeline, probe);
}

/**
 * The requests slower than {@link SLOW_MS} of an even-rate run, gathered into episodes (a slow request due within
 * 50 ms of the previous one's answer joins its episode), each with what the server and the client went
 * through meanwhile: a garbage collection, the main thread blocked in the kernel, the event loop stalled
 * (and why: a wait for a core, running, asleep or blocked in the kernel). An episode with none of these
 * had its time go elsewhere (a wait too short to stall the loop 5 ms, the network, the database).
 */
function printSlowEpisodes(timeline: NonNullable<LoadResult['timeline']>, probe: ServerProbe): void {
  const slow = [...timeline.slow].sort((a, b) => a.at - b.at);
  if (slow.length === 0) return;
  const episodes: { from: number; to: number; count: number; maxMs: number }[] = [];
  for (const request of slow) {
    const last = episodes.at(-1);
    if (last && request.at <= last.to + 50) {
      last.to = Math.max(last.to, request.at + request.ms);
      last.count++;
      last.maxMs = Math.max(last.maxMs, request.ms);
    } else episodes.push({ from: request.at, to: request.at + request.ms, count: 1, maxMs: request.ms });
  }
  const sources: [
    string,
    (Span & { major?: boolean; waitedMs?: number; states?: Record<string, number> })[],
  ][] = [
    ['collection', probe.pauses ?? []],
    ['kernel block', probe.blocks ?? []],
    ['server stall', probe.stalls ?? []],
    ['client stall', timeline.stalls],
  ];
  const during = (e: { from: number; to: number }) =>
    sources.flatMap(([name, spans]) =>
      spans
        .filter((s) => s.at < e.to && s.at + s.ms > e.from)
        .map((s) => {
          const at = ((s.at - timeline.countedFrom) / 1000).toFixed(3);
          const states = Object.entries(s.states ?? {}).map(([state, ms]) => `${state} ${ms}`);
          const inside =
            s.waitedMs === undefined ? '' : ` (waited for a core ${s.waitedMs} ms; ${states.join(', ')})`;
          return `${name}${s.major ? ' (major)' : ''} ${s.ms} ms at ${at} s${inside}`;
        }),
    );
  const explained = episodes.filter((e) => during(e).length > 0).length;
  const major = episodes.filter((e) =>
    during(e).some((what) => what.startsWith('collection (major)')),
  ).length;
  console.log(
    `    ${slow.length} requests over ${SLOW_MS} ms in ${episodes.length} episodes: ${explained} during a stall, ` +
      `collection or kernel block, ${major} of them during a major collection ` +
      `(server's stalls ${probe.stalls?.length ?? '?'}, client's ${timeline.stalls.length}); the largest:`,
  );
  for (const e of [...episodes].sort((a, b) => b.count - a.count).slice(0, 5)) {
    const what = during(e);
    console.log(
      `      at ${((e.from - timeline.countedFrom) / 1000).toFixed(3)} s: ${e.count} requests, up to ${e.maxMs} ms; ` +
        (what.length > 0 ? what.slice(0, 5).join(', ') : 'nothing seen'),
    );
  }
}

const SERVER_PROBE = fileURLToPath(new URL('./server-probe.mjs', import.meta.url));
const PACED_CLIENT = fileURLToPath(new URL('./paced-client.ts', import.meta.url));

/**
 * `stacks serve` on a free loopback port, jobs off, with bench/server-probe.mjs loaded, optionally
 * under `--cpu-prof`.
 */
async function startServer(env: Record<string, string>, cwd: string, profileDir?: string): Promise<Server> {
  const nodeArgs = [...NODE_ARGS, '--import', pathToFileURL(SERVER_PROBE).href];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const child = spawn(process.execPath, [...nodeArgs, STACKS_BIN, 'serve'], {
    // LOG_LEVEL as a library runs it (the default), so the request log is part of what is measured.
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', STACKS_JOBS: 'off', LOG_LEVEL: 'info', ...env }),
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The request log flows through the pipe the whole run: keep its tail only (for error messages).
  let out = '';
  let err = '';
  const tail = (text: string) => (text.length > 65_536 ? text.slice(-32_768) : text);
  child.stdout!.on('data', (chunk: Buffer) => {
    out = tail(out + chunk.toString());
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err = tail(err + chunk.toString());
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /serving on http:\/\/[^:]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    async probe() {
      if (child.exitCode !== null || child.signalCode !== null) return null;
      const before = err.length;
      child.kill('SIGUSR2');
      for (let waited = 0; waited < 2000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const match = /stacks-probe (\{.*\})\n/.exec(err.slice(Math.max(0, before - 1)));
        if (match) return JSON.parse(match[1]!) as ServerProbe;
      }
      return null;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** One load run's numbers. */
interface LoadResult {
  label: string;
  ok: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  firstError: string | null;
  /** The machine's 1-minute load average at the end (numbers from a busy 2-core machine mean little). */
  load: number;
  /** When the run went on (monotonic µs), to cut the server's profile to it. */
  window: [number, number];
  /** Of an even-rate run: the share of one core its client used (it shares the machine with the server). */
  clientCpuShare?: number;
  /** Of an even-rate run: its slow requests and the client's own stalls (see paced-client.ts). */
  timeline?: Pick<PacedReport, 'countedFrom' | 'slow' | 'stalls'>;
}

/**
 * `CONNECTIONS` clients posting to `path`, for `seconds` or `amount` requests; `next` gives each request
 * its body and, when it runs dry, the run stops (the few requests still going out then are unmeasured
 * health checks). `onOk` hears which bodies succeeded.
 */
async function load(opts: {
  label: string;
  baseUrl: string;
  cookie: string;
  path: string;
  next: () => Record<string, string> | null;
  run: { seconds: number } | { amount: number };
  onOk?: (body: Record<string, string>) => void;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let firstError: string | null = null;
  let dry = false;
  // Whether the response being reported carried a body: set in onResponse, read by the 'response'
  // event autocannon emits right after it (synchronously, for the same response).
  let real = false;
  let instance: CannonInstance | undefined;
  const started = performance.now();
  const startedUs = monotonicUs();
  let lastReal = started;
  const result = await new Promise<CannonResult>((resolve, reject) => {
    instance = autocannon(
      {
        url: opts.baseUrl,
        connections: CONNECTIONS,
        // Slow answers are measured, not dropped: a request times out only after a minute.
        timeout: 60,
        ...('seconds' in opts.run ? { duration: opts.run.seconds } : { amount: opts.run.amount }),
        requests: [
          {
            method: 'POST',
            path: opts.path,
            headers: { cookie: opts.cookie },
            setupRequest(req, context) {
              const body = dry ? null : opts.next();
              context.body = body;
              if (body === null) {
                if (!dry) instance?.stop();
                dry = true;
                return { ...req, method: 'GET', path: '/api/health', body: undefined };
              }
              return {
                ...req,
                method: 'POST',
                path: opts.path,
                headers: { ...(req.headers as Record<string, string>), 'content-type': 'application/json' },
                body: JSON.stringify(body),
              };
            },
            onResponse(status, body, context) {
              real = context.body !== null && context.body !== undefined;
              if (!real) return;
              lastReal = performance.now();
              if (status >= 200 && status < 300) {
                ok++;
                opts.onOk?.(context.body as Record<string, string>);
              } else {
                non2xx++;
                firstError ??= `${status} ${body.slice(0, 500)}`;
              }
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (real && status >= 200 && status < 300) latencies.push(ms);
    });
  });
  latencies.sort((a, b) => a - b);
  const seconds = (lastReal - started) / 1000;
  return {
    label: opts.label,
    ok,
    seconds,
    perSecond: ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx,
    errors: result.errors + result.timeouts,
    firstError,
    load: loadavg()[0]!,
    window: [startedUs, monotonicUs()],
  };
}

/**
 * Requests at an even `rate` a second (one every 1/rate s, whatever the answers so far), over at most
 * `CONNECTIONS` kept-alive connections, for `seconds`. Autocannon's own rate limit sends each second's
 * quota in a burst, which measures a queue, not the desk; here each request's latency runs from the
 * moment it was due to be sent, so time spent waiting for a free connection counts too. The first
 * second's requests open the connections and are not counted. The client runs in a process of its own
 * (bench/paced-client.ts), with the bodies drawn from `next` beforehand.
 */
async function pacedLoad(opts: {
  label: string;
  baseUrl: string;
  cookie: string;
  path: string;
  next: () => Record<string, string> | null;
  seconds: number;
  rate: number;
  onOk?: (body: Record<string, string>) => void;
}): Promise<LoadResult> {
  const bodies: Record<string, string>[] = [];
  for (let i = Math.round(opts.rate * opts.seconds); i > 0; i--) {
    const body = opts.next();
    if (body === null) break;
    bodies.push(body);
  }
  const request: PacedRequest = {
    url: new URL(opts.path, opts.baseUrl).toString(),
    cookie: opts.cookie,
    bodies,
    rate: opts.rate,
    connections: CONNECTIONS,
    warmUpMs: 1000,
  };
  const startedUs = monotonicUs();
  const child = spawn(process.execPath, ['--import', 'tsx', PACED_CLIENT], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end(JSON.stringify(request));
  });
  if (code !== 0) throw new Error(`the paced client exited with ${code}: ${err.slice(0, 2000)}`);
  const report = JSON.parse(out) as PacedReport;
  for (const index of report.succeeded) opts.onOk?.(bodies[index]!);
  const latencies = report.latencies.sort((a, b) => a - b);
  return {
    label: opts.label,
    ok: latencies.length,
    seconds: report.seconds,
    perSecond: latencies.length / report.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx: report.non2xx,
    errors: report.errors,
    firstError: report.firstError,
    load: loadavg()[0]!,
    window: [startedUs, monotonicUs()],
    clientCpuShare: report.cpuMs / (report.seconds * 1000 + request.warmUpMs),
    timeline: { countedFrom: report.countedFrom, slow: report.slow, stalls: report.stalls },
  };
}

/** Sequential checkouts for one patron (after a few unmeasured ones), p50 and p99. */
async function sequentialCheckouts(
  baseUrl: string,
  cookie: string,
  patronBarcode: string,
  items: string[],
  warm: number,
): Promise<{ p50: number; p99: number; n: number; failures: number; firstError: string | null }> {
  const times: number[] = [];
  let failures = 0;
  let firstError: string | null = null;
  for (const [i, itemBarcode] of items.entries()) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/api/circulation/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ patronBarcode, itemBarcode }),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 201) {
      failures++;
      firstError ??= `${res.status} ${text.slice(0, 500)}`;
    } else if (i >= warm) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), n: times.length, failures, firstError };
}

// ---------------------------------------------------------------- profiles

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Microseconds on the monotonic clock V8 stamps profiles with (the same one in every process). */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Where a frame's code lives: a package, the bundled server, Node itself, the SQLite engine, GC, native. */
function codeOwner(functionName: string, url: string): string {
  if (url.includes('/node_modules/')) {
    const parts = url.split('/node_modules/').at(-1)!.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  // The better-sqlite3 calls of db/database.ts: their self time is the SQLite engine at work.
  if (url.endsWith('stacks.mjs') && ['run', 'all', 'get'].includes(functionName)) return 'SQLite engine';
  if (url.endsWith('stacks.mjs')) return 'stacks (server code)';
  if (url.startsWith('node:')) return 'node internals';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8 (program)';
  return 'native (sockets, bindings)';
}

/**
 * Where the time of a `.cpuprofile` went within `windows` (monotonic µs; the whole profile when empty):
 * by code owner (self time), the top functions by self time, and the server's own functions by total
 * time (each function counted once a sample, so nested calls are not counted twice).
 */
function summarizeProfile(file: string, windows: [number, number][], top = 12): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => {
    const f = n.callFrame;
    const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  const ours = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (windows.length > 0 && !windows.some(([from, to]) => at >= from && at <= to)) return;
    const node = byId.get(id);
    if (!node) return;
    const ms = dt / 1000;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    busy += ms;
    add(self, key(node), ms);
    add(owners, codeOwner(node.callFrame.functionName, node.callFrame.url), ms);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n)!;
      const k = key(frame);
      if (seen.has(k) || !frame.callFrame.url.endsWith('stacks.mjs') || !frame.callFrame.functionName)
        continue;
      seen.add(k);
      add(ours, k, ms);
    }
  });
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => `      ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return [
    `    profile ${file}: ${(busy / 1000).toFixed(1)} s busy, ${(idle / 1000).toFixed(1)} s idle ` +
      `${windows.length > 0 ? 'while measuring' : 'in the whole run'}; shares of the busy time:`,
    '    self time by code owner:',
    list(owners, 10),
    '    top functions by self time:',
    list(self, top),
    '    server functions by total time:',
    list(ours, top),
  ].join('\n');
}

/** The main thread's profile in `dir` (a child running under tsx writes one for the loader thread too). */
function profileIn(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const main = files.find((f) => f.split('.').at(-3) === '0') ?? files[0];
  return main ? join(dir, main) : undefined;
}

// ---------------------------------------------------------------- fines accrual (as cron runs it)

interface AccrualResult {
  seconds: number;
  overdueLoans: number;
  loansCharged: number;
  peakRssMiB: number;
}

/**
 * Moves every open loan `ACCRUAL_DAYS_AHEAD` days into the past (so each one is overdue now), then runs
 * `stacks jobs run fines-accrual` as cron would, timing it and taking its peak memory with /usr/bin/time.
 */
async function runAccrual(
  env: Record<string, string>,
  cwd: string,
  dialect: 'sqlite' | 'postgres',
  profileDir?: string,
): Promise<AccrualResult> {
  const app = await createApp(loadConfig(env, cwd), { migrate: false });
  try {
    const days = `${ACCRUAL_DAYS_AHEAD} days`;
    if (dialect === 'sqlite')
      await sql`update loans set
        due_at = strftime('%Y-%m-%dT%H:%M:%fZ', due_at, ${`-${days}`}),
        checked_out_at = strftime('%Y-%m-%dT%H:%M:%fZ', checked_out_at, ${`-${days}`})
        where returned_at is null`.execute(app.database.db);
    else
      await sql`update loans set
        due_at = to_char((due_at::timestamptz - ${days}::interval) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        checked_out_at = to_char((checked_out_at::timestamptz - ${days}::interval) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        where returned_at is null`.execute(app.database.db);
  } finally {
    await app.close();
  }
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const t0 = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, ...nodeArgs, STACKS_BIN, 'jobs', 'run', 'fines-accrual'],
    { env: childEnv(env), cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (result.status !== 0)
    throw new Error(`stacks jobs run fines-accrual failed: ${result.stderr}\n${result.stdout}`);
  const summary = (key: string) =>
    Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(result.stdout)?.[1] ?? Number.NaN);
  return {
    seconds,
    overdueLoans: summary('overdueLoans'),
    loansCharged: summary('loansCharged'),
    peakRssMiB: Number(result.stderr.trim().split('\n').at(-1)) / 1024,
  };
}

// ---------------------------------------------------------------- one dialect

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

async function postgresReachable(): Promise<boolean> {
  try {
    await adminQuery('select 1');
    return true;
  } catch {
    return false;
  }
}

interface DialectResult {
  dialect: string;
  loads: LoadResult[];
  byLoans: { label: string; p50: number; p99: number; n: number; failures: number; load: number }[];
  accrual: AccrualResult | null;
}

const ms = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(2));

function printLoad(r: LoadResult): void {
  console.log(
    `  ${r.label.padEnd(18)} ${Math.round(r.perSecond).toLocaleString('en').padStart(6)}/s ` +
      `p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms (${r.ok.toLocaleString('en')} in ${r.seconds.toFixed(1)} s; ` +
      `non-2xx ${r.non2xx}, socket errors ${r.errors}; load average ${r.load.toFixed(1)})`,
  );
  if (r.firstError) console.log(`    first error: ${r.firstError}`);
}

async function runDialect(dialect: 'sqlite' | 'postgres', layout: Layout): Promise<DialectResult | null> {
  const label = dialect === 'sqlite' ? (SQLITE_ANALYZE ? 'SQLite+stat' : 'SQLite') : 'PostgreSQL';
  if (dialect === 'postgres' && !(await postgresReachable())) {
    console.log(`PostgreSQL skipped: no server at ${PG_URL} (set STACKS_BENCH_DATABASE_URL)`);
    return null;
  }
  const work = mkdtempSync(join(tmpdir(), 'stacks-bench-circ-'));
  const env: Record<string, string> = { STACKS_DATA_DIR: work, STACKS_SEED_DEMO: 'false' };
  if (dialect === 'postgres') {
    const url = new URL(PG_URL);
    url.pathname = `/${PG_NAME}`;
    env.DATABASE_URL = url.toString();
    await adminQuery(`drop database if exists ${PG_NAME} with (force)`);
    await adminQuery(`create database ${PG_NAME}`);
  }
  const profileRoot = PROFILE_DIR ? join(PROFILE_DIR, dialect) : undefined;
  const profileFor = (phase: string) => {
    if (!profileRoot) return undefined;
    const dir = join(profileRoot, phase);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  try {
    if (dialect === 'sqlite') console.log(`${label}: ${writebackThrottling(work)}`);
    console.log(`${label}: generating…`);
    const nowMs = Date.now();
    const t0 = performance.now();
    const app = await createApp(loadConfig(env, work));
    try {
      const setup = await setUp(app);
      await generate(app, setup, layout, nowMs);
      if (dialect === 'postgres' || SQLITE_ANALYZE) await sql`analyze`.execute(app.database.db);
      await makeStaffUser(app, 'bench-desk', ['circulation.desk']);
    } finally {
      await app.close();
    }
    console.log(`  generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Which barcodes each phase uses (disjoint, so no request meets another phase's leftovers).
    const shelf: string[] = [];
    for (let k = 0; k < layout.items; k++)
      if (!(k % 2 === 0 && k / 2 < layout.loans)) shelf.push(itemBarcode(k));
    shuffle(shelf, 1);
    const sequentialItems = shelf.splice(0, 440);
    const checkinPool: string[] = [];
    const renewPool: string[] = [];
    for (let j = layout.heavyLoans; j < layout.loans; j++) {
      const p = patronOfLoan(layout, j);
      if (isOverduePatron(p) || j % 2 === 0) checkinPool.push(itemBarcode(2 * j));
      else renewPool.push(itemBarcode(2 * j));
    }
    shuffle(checkinPool, 2);
    shuffle(renewPool, 3);
    const borrowers: string[] = [];
    for (let i = 2; i < layout.patrons; i++) if (!isOverduePatron(i)) borrowers.push(cardBarcode(i));
    shuffle(borrowers, 4);

    const loads: LoadResult[] = [];
    const checkedOut: string[] = [];
    /** The measured windows of the current phase (its profile is cut to them). */
    let windows: [number, number][] = [];
    /** The server of the phase running. */
    let current: Server | null = null;
    const phase = async (name: string, fn: (baseUrl: string, cookie: string) => Promise<void>) => {
      if (!PHASES.has(name)) return;
      const dir = profileFor(name);
      windows = [];
      const server = await startServer(env, work, dir);
      current = server;
      try {
        const cookie = await loginOver(server.baseUrl, 'bench-desk', TEST_PASSWORD);
        await fn(server.baseUrl, cookie);
      } finally {
        await server.stop();
      }
      const file = profileIn(dir);
      if (file) console.log(summarizeProfile(file, windows));
    };
    /** A short unmeasured run first (JIT, caches, connections), then the measured one. */
    const warmThenLoad = async (
      baseUrl: string,
      cookie: string,
      name: string,
      path: string,
      list: string[],
      body: (barcode: string) => Record<string, string>,
      onOk?: (b: Record<string, string>) => void,
    ) => {
      let at = 0;
      const next = () => (at < list.length ? body(list[at++]!) : null);
      const common = { baseUrl, cookie, path, next, ...(onOk ? { onOk } : {}) };
      const warm = await load({ ...common, label: `${name} (warm-up)`, run: { seconds: 2 } });
      if (warm.non2xx > 0) printLoad(warm);
      // Requests the warm-up left in flight finish before the measured run starts.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const measured = await load({ ...common, label: name, run: { seconds: SECONDS } });
      printLoad(measured);
      loads.push(measured);
      windows.push(measured.window);
      for (let run = 1; RATE > 0 && run <= PACED_RUNS; run++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await current?.probe();
        const paced = await pacedLoad({
          ...common,
          label: `${name} @${RATE.toLocaleString('en')}/s${PACED_RUNS > 1 ? ` #${run}` : ''}`,
          seconds: SECONDS,
          rate: RATE,
        });
        printLoad(paced);
        const probe = await current?.probe();
        if (probe) printProbe(probe, paced);
        loads.push(paced);
        windows.push(paced.window);
      }
    };

    if (['checkout', 'checkin', 'renew'].some((p) => PHASES.has(p)))
      console.log(`${label}: ${CONNECTIONS} concurrent clients, ${SECONDS} s a run`);
    let nextBorrower = 0;
    await phase('checkout', (baseUrl, cookie) =>
      warmThenLoad(
        baseUrl,
        cookie,
        'checkout',
        '/api/circulation/checkout',
        shelf,
        (itemBarcode) => ({
          patronBarcode: borrowers[nextBorrower++ % borrowers.length]!,
          itemBarcode,
        }),
        (b) => checkedOut.push(b.itemBarcode!),
      ),
    );
    await phase('checkin', (baseUrl, cookie) =>
      warmThenLoad(
        baseUrl,
        cookie,
        'checkin',
        '/api/circulation/checkin',
        [...checkedOut, ...checkinPool],
        (itemBarcode) => ({ itemBarcode }),
      ),
    );
    await phase('renew', (baseUrl, cookie) =>
      warmThenLoad(baseUrl, cookie, 'renew', '/api/circulation/renew', renewPool, (itemBarcode) => ({
        itemBarcode,
      })),
    );

    const byLoans: DialectResult['byLoans'] = [];
    await phase('by-loans', async (baseUrl, cookie) => {
      const half = sequentialItems.length / 2;
      for (const [patron, name, items] of [
        [1, 'patron with 0 loans', sequentialItems.slice(0, half)],
        [0, `patron with ${layout.heavyLoans.toLocaleString('en')} loans`, sequentialItems.slice(half)],
      ] as const) {
        const from = monotonicUs();
        const r = await sequentialCheckouts(baseUrl, cookie, cardBarcode(patron), items, 20);
        windows.push([from, monotonicUs()]);
        console.log(
          `  checkout, ${name}: p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms (n=${r.n}, one client${r.failures ? `, ${r.failures} failed` : ''})`,
        );
        if (r.firstError) console.log(`    first error: ${r.firstError}`);
        byLoans.push({ label: name, ...r, load: loadavg()[0]! });
      }
    });

    if (!PHASES.has('accrual')) return { dialect: label, loads, byLoans, accrual: null };
    console.log(
      `${label}: every open loan moved ${ACCRUAL_DAYS_AHEAD} days back, then \`stacks jobs run fines-accrual\`…`,
    );
    const accrualDir = profileFor('accrual');
    const accrual = await runAccrual(env, work, dialect, accrualDir);
    console.log(
      `  fines-accrual: ${accrual.overdueLoans.toLocaleString('en')} overdue loans in ${accrual.seconds.toFixed(1)} s ` +
        `(${Math.round(accrual.overdueLoans / accrual.seconds).toLocaleString('en')} loans/s, process start included), ` +
        `${accrual.loansCharged.toLocaleString('en')} charged; peak RSS ${accrual.peakRssMiB.toFixed(0)} MiB`,
    );
    const accrualProfile = profileIn(accrualDir);
    if (accrualProfile) console.log(summarizeProfile(accrualProfile, []));
    return { dialect: label, loads, byLoans, accrual };
  } finally {
    if (KEEP) {
      console.log(`  kept: ${work}${env.DATABASE_URL ? ` and ${env.DATABASE_URL}` : ''}`);
    } else {
      rmSync(work, { recursive: true, force: true });
      if (dialect === 'postgres') await adminQuery(`drop database if exists ${PG_NAME} with (force)`);
    }
  }
}

/**
 * Checkout, check-in and renewal through the HTTP API of a real `stacks serve` process over a generated
 * library (1M items, 100k patrons, 500k current loans at `STACKS_BENCH_CIRC_SCALE=1`): requests per
 * second, p50 and p99 with 10 concurrent clients (autocannon), on SQLite and PostgreSQL; checkout for a
 * patron with no loans against one with 1,000; and the daily fine accrual over every loan (time and peak
 * memory). Budget on SQLite: p99 <= 10 ms and >= 1,000 requests a second; checkout flat in the patron's loans.
 */
export async function circulationBenchmark(): Promise<void> {
  const layout = layoutFor(SCALE);
  console.log(
    `scale ${SCALE}: ${layout.items.toLocaleString('en')} items on ${layout.records.toLocaleString('en')} records, ` +
      `${layout.patrons.toLocaleString('en')} patrons, ${layout.loans.toLocaleString('en')} current loans ` +
      `(${overdueLoans(layout).toLocaleString('en')} overdue)`,
  );
  const results: DialectResult[] = [];
  for (const dialect of DIALECTS) {
    if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error(`unknown dialect ${dialect}`);
    const result = await runDialect(dialect, layout);
    if (result) results.push(result);
  }
  console.log(
    `\ncirculation summary (scale ${SCALE}, ${CONNECTIONS} clients; budget on SQLite p99 <= 10 ms, >= 1,000/s)`,
  );
  const row = (cells: string[]) =>
    console.log(
      `  ${cells[0]!.padEnd(11)} ${cells[1]!.padEnd(34)} ${cells[2]!.padStart(8)} ${cells[3]!.padStart(8)} ` +
        `${cells[4]!.padStart(8)} ${cells[5]!.padStart(7)} ${cells[6]!.padStart(5)}`,
    );
  row(['dialect', 'operation', 'per s', 'p50 ms', 'p99 ms', 'non-2xx', 'load']);
  for (const r of results) {
    for (const l of r.loads)
      row([
        r.dialect,
        l.label,
        Math.round(l.perSecond).toLocaleString('en'),
        ms(l.p50),
        ms(l.p99),
        String(l.non2xx),
        l.load.toFixed(1),
      ]);
    for (const b of r.byLoans)
      row([
        r.dialect,
        `checkout, ${b.label}`,
        '1 client',
        ms(b.p50),
        ms(b.p99),
        String(b.failures),
        b.load.toFixed(1),
      ]);
    const a = r.accrual;
    if (a)
      console.log(
        `  ${r.dialect.padEnd(11)} fines-accrual: ${a.overdueLoans.toLocaleString('en')} loans in ${a.seconds.toFixed(1)} s ` +
          `(${Math.round(a.overdueLoans / a.seconds).toLocaleString('en')} loans/s), peak RSS ${a.peakRssMiB.toFixed(0)} MiB`,
      );
  }
}
