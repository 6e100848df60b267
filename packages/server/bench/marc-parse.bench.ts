import { spawn } from 'node:child_process';
import { accessSync, constants, createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MARC_BENCH_FILES, type MarcBenchFile, writeMarcBenchFile } from './marc-corpus.ts';

/**
 * MARC ISO 2709 parsing throughput (issue budget: within 2x of yaz-marcdump, at least 5x marcjs):
 * one file of `STACKS_BENCH_MARC_RECORDS` records (default 1,000,000), made by repeating well-formed
 * records of the test corpus, read by Stacks (`readIso2709` over a file stream), `yaz-marcdump`
 * (Debian package `yaz`) and the npm package `marcjs`, each in its own child process. Reports wall
 * time (measured here, around the child), records/s, MB/s (10^6 bytes) and the child's peak RSS.
 * Reports only: never fails on timing.
 */
export async function marcParseBenchmark(): Promise<void> {
  const records = recordCountFromEnv();
  const dir = mkdtempSync(join(tmpdir(), 'stacks-bench-marc-'));
  try {
    const t0 = performance.now();
    const file = await writeMarcBenchFile(join(dir, 'bench.mrc'), records);
    const buildMs = performance.now() - t0;
    console.log(
      `test file: ${file.records.toLocaleString('en')} records (${file.marc8Records.toLocaleString('en')} MARC-8, ` +
        `${file.utf8Records.toLocaleString('en')} UTF-8 by leader/09), ${mb(file.bytes)} MB ` +
        `(${(file.bytes / 2 ** 20).toFixed(1)} MiB), built in ${(buildMs / 1000).toFixed(2)} s from ` +
        `${file.mixRecords.toLocaleString('en')} corpus records repeated (${MARC_BENCH_FILES.join(', ')})`,
    );
    const terminators = await countRecordTerminators(file.path); // also brings the file into the page cache
    if (terminators !== file.records)
      console.log(`WARNING: the file holds ${terminators} record terminators`);

    const child = await childCommand(dir);
    console.log(`Node runs: ${child.how}`);
    const [load1] = loadavg();
    console.log(
      `machine: ${availableParallelism()} CPU(s), load average ${load1!.toFixed(2)} before the runs (other load skews the times)`,
    );

    const tasks: Array<() => Promise<Measurement>> = [
      () => runNodeChild(child, 'Stacks readIso2709 (characterCoding auto)', 'stacks', file),
      () => runNodeChild(child, "Stacks readIso2709 (characterCoding 'utf-8')", 'stacks-utf8', file),
    ];
    const yaz = findOnPath('yaz-marcdump');
    if (yaz) {
      tasks.push(
        () => runYaz('yaz-marcdump -n (parse only)', yaz, ['-n', file.path]),
        () =>
          runYaz('yaz-marcdump -f MARC-8 -t UTF-8 -o marc > /dev/null', yaz, [
            ...['-f', 'MARC-8', '-t', 'UTF-8', '-o', 'marc'],
            file.path,
          ]),
      );
    } else {
      console.log(
        'yaz-marcdump: skipped, not on the PATH (Debian/Ubuntu: apt-get install yaz; it is in the Debian package `yaz`)',
      );
    }
    tasks.push(() => runNodeChild(child, 'marcjs Iso2709Parser stream', 'marcjs', file));

    // Rounds run every task once, in turn, so that load from elsewhere spreads over all of them.
    const runs = runCountFromEnv();
    const results: Measurement[] = [];
    for (let round = 0; round < runs; round++) {
      for (const [i, task] of tasks.entries()) {
        const m = await task();
        console.log(`  round ${round + 1}/${runs}: ${m.label} ${(m.wallMs / 1000).toFixed(2)} s`);
        const best = results[i];
        if (!best) results[i] = { ...m, walls: [m.wallMs] };
        else {
          best.walls.push(m.wallMs);
          if (m.wallMs < best.wallMs) results[i] = { ...m, walls: best.walls };
        }
      }
    }
    if (yaz) {
      const yazCount = await countYazRecords(yaz, file.path);
      for (const m of results) if (m.kind.startsWith('yaz')) m.records = yazCount;
    }

    printTable(results, file);
    printRatios(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DEFAULT_RECORDS = 1_000_000;
/** Read chunk size for the Node runs (fs.createReadStream highWaterMark). */
const CHUNK_BYTES = 1 << 20;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);
const TIME = '/usr/bin/time';
/** marcjs's entry point, resolved from this file (the bundled child runs in the temporary folder). */
function marcjsPath(): string {
  return createRequire(import.meta.url).resolve('marcjs');
}

type ChildKind = 'stacks' | 'stacks-utf8' | 'marcjs';

/** What a child process prints (one JSON line) after reading the file. */
interface ChildReport {
  records: number;
  /** Results without a record (Stacks: nothing recoverable). */
  lost: number;
  /** Problems reported (Stacks only). */
  problems: number;
  /** Sum of the lengths of the first 245 $a of each record: keeps the parse from being optimised away. */
  titleChars: number;
  /** Time from the first byte read to the last record, inside the child. */
  parseMs: number;
  /** process.resourceUsage().maxRSS, KiB. */
  maxRssKiB: number;
}

interface Measurement {
  label: string;
  kind: 'stacks' | 'stacks-utf8' | 'yaz-parse' | 'yaz-convert' | 'marcjs';
  wallMs: number;
  records: number | null;
  rssKiB: number | null;
  parseMs: number | null;
  note?: string;
  /** Wall times of every run; `wallMs` (and the rest) is the fastest run's. */
  walls: number[];
}

function recordCountFromEnv(): number {
  const raw = process.env.STACKS_BENCH_MARC_RECORDS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_RECORDS;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`STACKS_BENCH_MARC_RECORDS must be a positive whole number, not ${JSON.stringify(raw)}`);
  }
  return n;
}

/** `STACKS_BENCH_MARC_RUNS`: how many times to run each tool (default 1); the fastest run is reported. */
function runCountFromEnv(): number {
  const raw = process.env.STACKS_BENCH_MARC_RUNS;
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`STACKS_BENCH_MARC_RUNS must be a positive whole number, not ${JSON.stringify(raw)}`);
  }
  return n;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function findOnPath(command: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const hasGnuTime = (() => {
  try {
    accessSync(TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

interface ChildRun {
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS from /usr/bin/time, KiB; null without it. */
  rssKiB: number | null;
}

/**
 * Runs a command, timing it from spawn to exit. Under /usr/bin/time (when present) for the peak RSS;
 * stdout is kept (`pipe`) or sent to /dev/null (`ignore`).
 */
async function timed(command: string, args: string[], stdout: 'pipe' | 'ignore'): Promise<ChildRun> {
  const rssFile = join(tmpdir(), `stacks-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [cmd, argv] = hasGnuTime ? [TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: REPO_ROOT, stdio: ['ignore', stdout, 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    if (err.length < 10_000) err += s;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallMs = performance.now() - t0;
  let rssKiB: number | null = null;
  if (hasGnuTime) {
    try {
      const value = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      if (Number.isFinite(value) && value > 0) rssKiB = value;
    } catch {
      // /usr/bin/time wrote nothing
    }
    rmSync(rssFile, { force: true });
  }
  return { wallMs, code, stdout: out, stderr: err, rssKiB };
}

/** How the Node child processes start: the arguments before `--marc-parse-child`. */
interface ChildCommand {
  args: string[];
  how: string;
}

/**
 * Bundles this file with esbuild the way `bin/stacks.js` bundles the server (so the children run the
 * code the server runs, without tsx's per-module compile and its keepNames `__name` wrappers); falls
 * back to running this file through tsx when esbuild fails.
 */
async function childCommand(dir: string): Promise<ChildCommand> {
  const outfile = join(dir, 'marc-parse-child.mjs');
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [THIS_FILE],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['esbuild'],
      logLevel: 'error',
    });
    return {
      args: [outfile],
      how: `plain node on an esbuild bundle of this file (as bin/stacks.js runs src/)`,
    };
  } catch (error) {
    return {
      args: ['--import', 'tsx', THIS_FILE],
      how: `through tsx (esbuild bundle failed: ${(error as Error).message.split('\n')[0]})`,
    };
  }
}

async function runNodeChild(
  child: ChildCommand,
  label: string,
  kind: ChildKind,
  file: MarcBenchFile,
): Promise<Measurement> {
  const run = await timed(
    process.execPath,
    [...child.args, '--marc-parse-child', kind, file.path, marcjsPath()],
    'pipe',
  );
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.code !== 0 || !line.startsWith('{')) {
    throw new Error(`${label}: child exited with ${run.code}: ${run.stderr.slice(0, 2000)}`);
  }
  const report = JSON.parse(line) as ChildReport;
  const notes: string[] = [];
  if (report.records !== file.records) notes.push(`read ${report.records} records, expected ${file.records}`);
  if (report.lost > 0) notes.push(`${report.lost} without a record`);
  if (kind !== 'marcjs') notes.push(`${report.problems.toLocaleString('en')} problems reported`);
  return {
    label,
    kind,
    wallMs: run.wallMs,
    records: report.records,
    rssKiB: run.rssKiB ?? report.maxRssKiB,
    parseMs: report.parseMs,
    walls: [run.wallMs],
    note: notes.join('; '),
  };
}

async function runYaz(label: string, yaz: string, args: string[]): Promise<Measurement> {
  const run = await timed(yaz, args, 'ignore');
  const notes: string[] = [];
  if (run.code !== 0) notes.push(`exit code ${run.code}`);
  const warnings = run.stderr.trim();
  if (warnings) notes.push(`stderr: ${warnings.split('\n')[0]!.slice(0, 100)}`);
  return {
    label,
    kind: args.includes('-n') ? 'yaz-parse' : 'yaz-convert',
    wallMs: run.wallMs,
    records: null,
    rssKiB: run.rssKiB,
    parseMs: null,
    walls: [run.wallMs],
    note: notes.join('; '),
  };
}

/** Records yaz-marcdump reads (`-n -p` prints one line per record), in a separate, untimed run. */
async function countYazRecords(yaz: string, path: string): Promise<number> {
  const child = spawn(yaz, ['-n', '-p', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  let count = 0;
  let tail = '';
  child.stdout.setEncoding('latin1').on('data', (s: string) => {
    const text = tail + s;
    let at = text.indexOf('<!-- Record ');
    while (at !== -1) {
      count++;
      at = text.indexOf('<!-- Record ', at + 1);
    }
    tail = text.slice(-11);
  });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  return count;
}

async function countRecordTerminators(path: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    const buf = chunk as Buffer;
    for (let at = buf.indexOf(0x1d); at !== -1; at = buf.indexOf(0x1d, at + 1)) count++;
  }
  return count;
}

function printTable(results: Measurement[], file: MarcBenchFile): void {
  const runs = results[0]?.walls.length ?? 1;
  const header = [
    'run',
    runs > 1 ? `wall s (best of ${runs})` : 'wall s',
    'records',
    'records/s',
    'MB/s',
    'peak RSS MiB',
    'parse s (in child)',
    ...(runs > 1 ? ['all runs, s'] : []),
  ];
  const rows = results.map((m) => {
    const seconds = m.wallMs / 1000;
    const recs = m.records ?? file.records;
    return [
      m.label,
      seconds.toFixed(2),
      m.records === null ? '?' : m.records.toLocaleString('en'),
      Math.round(recs / seconds).toLocaleString('en'),
      (file.bytes / 1e6 / seconds).toFixed(1),
      m.rssKiB === null ? '?' : (m.rssKiB / 1024).toFixed(0),
      m.parseMs === null ? '-' : (m.parseMs / 1000).toFixed(2),
      ...(runs > 1 ? [m.walls.map((w) => (w / 1000).toFixed(2)).join(' ')] : []),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `\n${file.records.toLocaleString('en')} records, ${mb(file.bytes)} MB; rates from wall time (process start to exit)`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const m of results) if (m.note) console.log(`  ${m.label}: ${m.note}`);
  console.log(
    '  Stacks always builds decoded records (strings); yaz-marcdump -n only walks the structure, and without' +
      ' -f MARC-8 -t UTF-8 yaz does not convert MARC-8 at all (with them it converts records whose leader/09' +
      ' is blank and writes ISO 2709 UTF-8). marcjs decodes every record as UTF-8 (no MARC-8 support).',
  );
}

function printRatios(results: Measurement[]): void {
  const find = (kind: Measurement['kind']) => results.find((m) => m.kind === kind);
  const stacks = find('stacks');
  if (!stacks) return;
  console.log('\nratios (Stacks characterCoding auto; speed = 1 / wall time, same file):');
  const compare = (other: Measurement | undefined, label: string, budget: (speedup: number) => string) => {
    if (!other) {
      console.log(`  ${label}: not measured`);
      return;
    }
    const speedup = other.wallMs / stacks.wallMs;
    const text = speedup >= 1 ? `${speedup.toFixed(2)}x faster` : `${(1 / speedup).toFixed(2)}x slower`;
    console.log(`  ${label}: Stacks is ${text} — ${budget(speedup)}`);
  };
  const withinTwo = (s: number) => `budget "within 2x of yaz-marcdump": ${s >= 0.5 ? 'MET' : 'NOT MET'}`;
  compare(find('yaz-parse'), 'vs yaz-marcdump -n (parse only)', withinTwo);
  compare(
    find('yaz-convert'),
    'vs yaz-marcdump -f MARC-8 -t UTF-8 -o marc (parse + convert + write)',
    withinTwo,
  );
  compare(find('marcjs'), 'vs marcjs', (s) => `budget ">= 5x marcjs": ${s >= 5 ? 'MET' : 'NOT MET'}`);
}

// ---------------------------------------------------------------------------------------------------
// Child process side: `node BUNDLE.mjs --marc-parse-child KIND FILE MARCJS_PATH` (or the .ts through tsx)

interface MarcjsRecord {
  leader: string;
  /** [tag, value] for control fields; [tag, indicators, code, value, code, value…] for data fields. */
  fields: string[][];
}

interface MarcjsModule {
  Marc: { createStream(type: string, what: string): NodeJS.ReadWriteStream };
}

async function childStacks(path: string, kind: ChildKind): Promise<Omit<ChildReport, 'maxRssKiB'>> {
  const { firstValue, readIso2709 } = await import('../src/marc/index.ts');
  const options = kind === 'stacks-utf8' ? { characterCoding: 'utf-8' as const } : {};
  const t0 = performance.now();
  let records = 0;
  let lost = 0;
  let problems = 0;
  let titleChars = 0;
  for await (const result of readIso2709(createReadStream(path, { highWaterMark: CHUNK_BYTES }), options)) {
    records++;
    problems += result.problems.length;
    if (result.record === null) lost++;
    else titleChars += firstValue(result.record, '245', 'a')?.length ?? 0;
  }
  return { records, lost, problems, titleChars, parseMs: performance.now() - t0 };
}

async function childMarcjs(path: string, marcjsPath: string): Promise<Omit<ChildReport, 'maxRssKiB'>> {
  const url = pathToFileURL(marcjsPath).href;
  const mod = (await import(url)) as MarcjsModule & { default?: MarcjsModule };
  const Marc = mod.Marc ?? mod.default!.Marc;
  const t0 = performance.now();
  let records = 0;
  let lost = 0;
  let titleChars = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = Marc.createStream('Iso2709', 'Parser');
    parser.on('data', (record: MarcjsRecord) => {
      records++;
      if (record.fields.length === 0) lost++;
      const title = record.fields.find((field) => field[0] === '245');
      if (title) {
        for (let i = 2; i + 1 < title.length; i += 2) {
          if (title[i] === 'a') {
            titleChars += title[i + 1]!.length;
            break;
          }
        }
      }
    });
    parser.on('end', resolve);
    parser.on('error', reject);
    createReadStream(path, { highWaterMark: CHUNK_BYTES }).on('error', reject).pipe(parser);
  });
  return { records, lost, problems: 0, titleChars, parseMs: performance.now() - t0 };
}

async function child(kind: string, path: string, marcjsPath: string): Promise<void> {
  let report: Omit<ChildReport, 'maxRssKiB'>;
  if (kind === 'stacks' || kind === 'stacks-utf8') report = await childStacks(path, kind);
  else if (kind === 'marcjs') report = await childMarcjs(path, marcjsPath);
  else throw new Error(`unknown child kind ${kind}`);
  const full: ChildReport = { ...report, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(full)}\n`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const at = process.argv.indexOf('--marc-parse-child');
  if (at !== -1) {
    await child(process.argv[at + 1] ?? '', process.argv[at + 2] ?? '', process.argv[at + 3] ?? marcjsPath());
  } else {
    await marcParseBenchmark();
  }
}
