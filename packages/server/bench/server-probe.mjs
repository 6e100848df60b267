// Loaded into the benchmarked server with `node --import` (never by Stacks itself): on SIGUSR2 it
// writes one line to stderr, `stacks-probe {…}`, with how late the event loop ran its timers and what
// the garbage collector paused (major collections apart) and the heap in use, since the last signal, then
// starts counting again. The circulation
// benchmark reads it to tell the server's stalls from the client's. On Linux it also reports the CPU the
// process used, split into its main thread and the rest (checkpoint worker, garbage collector helpers, I/O
// threads), how long the main thread stood ready to run but waited for a core, and how the whole machine's
// cores spent the time (busy, idle, waiting for the disk, taken by the hypervisor), and (the watchdog
// below) each time the main thread sat blocked in the kernel. With it comes a timeline of the event loop's
// stalls, the collections' pauses and the kernel blocks, for the benchmark to set against its slow requests.
import { readdirSync, readFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { MAX_LISTED, watchStalls } from './stall-watch.mjs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds of each of this process's threads, or null off Linux. */
function threadCpu() {
  try {
    const threads = new Map();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    }
    return threads;
  } catch {
    return null;
  }
}

/** Nanoseconds the main thread has spent waiting on a run queue, or null where the kernel does not say. */
function mainRunDelayNs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return null;
  }
}

/** The whole machine's CPU time so far (ms, all cores): busy, waiting for the disk, taken by the hypervisor. */
function machineCpu() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
    return {
      busyMs: (user + nice + system + irq + softirq) * TICK_MS,
      iowaitMs: iowait * TICK_MS,
      stealMs: steal * TICK_MS,
      idleMs: idle * TICK_MS,
    };
  } catch {
    return null;
  }
}

/** Where the CPU counters stood at the last signal. */
function snapshot() {
  return { at: performance.now(), threads: threadCpu(), runDelayNs: mainRunDelayNs(), machine: machineCpu() };
}
let since = snapshot();

// A watchdog thread reads the main thread's state every 2 ms. When it finds it blocked in the
// kernel (state D, uninterruptible: waiting for the disk or a lock on a file's page) for 10 ms or more,
// it reports how long and the kernel's stack at the time (readable by root only; otherwise the wait
// channel), so a stall can be told from a garbage collection or a wait for a core. It also keeps the
// last 16 s of its readings in a ring shared with the main thread (when, state, wait channel, time spent
// waiting for a core so far), so that each stall of the event loop can be told apart afterwards: waiting
// for a core, running, asleep in the kernel (a lock, a sleep) or blocked there.
let blocked = [];
const RING = 8192;
const FIELDS = 4; // epoch ms, state (char code), wait channel (index in `channels`), ms waited for a core
const ring = new Float64Array(new SharedArrayBuffer(RING * FIELDS * 8));
const written = new Int32Array(new SharedArrayBuffer(4));
const channels = [''];
try {
  const watchdog = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const { openSync, readSync } = require('node:fs');
    const { ring, written, RING, FIELDS } = workerData;
    const task = '/proc/' + workerData.pid + '/task/' + workerData.pid + '/';
    const buffer = Buffer.alloc(4096);
    const open = (f) => { try { return openSync(task + f, 'r'); } catch { return -1; } };
    const files = { stat: open('stat'), wchan: open('wchan'), schedstat: open('schedstat'), stack: open('stack') };
    // /proc files answer afresh each read at offset 0.
    const read = (f) => {
      if (files[f] < 0) return '';
      try { return buffer.toString('latin1', 0, readSync(files[f], buffer, 0, buffer.length, 0)); } catch { return ''; }
    };
    const channels = new Map([['', 0]]);
    let since = 0;
    let stack = '';
    const sleep = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      Atomics.wait(sleep, 0, 0, 2);
      const stat = read('stat');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      const now = performance.now();
      const wchan = state === 'R' ? '' : read('wchan');
      let channel = channels.get(wchan);
      if (channel === undefined) {
        channel = channels.size;
        channels.set(wchan, channel);
        parentPort.postMessage({ channel, wchan });
      }
      const at = (Atomics.load(written, 0) % RING) * FIELDS;
      ring[at] = performance.timeOrigin + now;
      ring[at + 1] = state.charCodeAt(0) || 0;
      ring[at + 2] = channel;
      ring[at + 3] = Number(read('schedstat').split(' ')[1]) / 1e6;
      Atomics.add(written, 0, 1);
      if (state === 'D') {
        if (since === 0) since = now;
        else if (stack === '' && now - since >= 2) stack = read('stack') || wchan;
      } else if (since !== 0) {
        if (now - since >= 10)
          parentPort.postMessage({ at: performance.timeOrigin + since, ms: Math.round(now - since), stack });
        since = 0;
        stack = '';
      }
    }
    `,
    { eval: true, workerData: { pid: process.pid, ring, written, RING, FIELDS } },
  );
  watchdog.unref();
  watchdog.on('message', (m) => {
    if (m.wchan !== undefined) channels[m.channel] = m.wchan;
    else blocked.push(m);
  });
  watchdog.on('error', (error) => process.stderr.write(`server probe: the watchdog stopped: ${error}\n`));
} catch {
  // No watchdog: the rest of the probe still works.
}

/**
 * What the main thread went through from `from` to `to` (epoch ms) by the watchdog's readings: ms waited
 * for a core, and ms (2 per reading) running or ready to run, and asleep or blocked per wait channel.
 */
function breakdown(from, to) {
  const end = Atomics.load(written, 0);
  const count = Math.min(end, RING);
  let waitedFrom = null;
  let waitedTo = null;
  const states = {};
  for (let i = end - count; i < end; i++) {
    const at = (i % RING) * FIELDS;
    const t = ring[at];
    if (t < from) {
      waitedFrom = ring[at + 3];
      continue;
    }
    if (waitedFrom === null) continue;
    waitedTo = ring[at + 3];
    if (t > to) break;
    const state = String.fromCharCode(ring[at + 1]);
    const key =
      state === 'R'
        ? 'running'
        : `${state === 'D' ? 'blocked' : 'asleep'} in ${channels[ring[at + 2]] || '?'}`;
    states[key] = (states[key] ?? 0) + 2;
  }
  if (waitedFrom === null || waitedTo === null) return null;
  return { waitedMs: Math.round((waitedTo - waitedFrom) * 100) / 100, states };
}

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

// The timeline, to be set against the client's slow requests: each time a timer due every 2 ms ran 5 ms
// or more late (from when, how late), and each garbage collection of 2 ms or more, in ms since the epoch.
const stalls = [];
let pauses = [];
watchStalls(stalls, { unref: true });

const NO_GC = () => ({ count: 0, totalMs: 0, maxMs: 0, over10Ms: 0, major: 0, majorMaxMs: 0 });
let gc = NO_GC();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.duration >= 2 && pauses.length < MAX_LISTED)
      pauses.push({
        at: performance.timeOrigin + entry.startTime,
        ms: Math.round(entry.duration * 100) / 100,
        major: entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      });
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    if (entry.duration > 10) gc.over10Ms++;
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.major++;
      gc.majorMaxMs = Math.max(gc.majorMaxMs, Math.round(entry.duration * 100) / 100);
    }
  }
}).observe({ entryTypes: ['gc'] });

process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const line = {
    loopDelayMs: {
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      p999: ms(delay.percentile(99.9)),
      max: ms(delay.max),
    },
    gc: { ...gc, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs * 100) / 100 },
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576),
  };
  const now = snapshot();
  if (now.threads && since.threads) {
    let main = 0;
    let other = 0;
    for (const [tid, cpuMs] of now.threads) {
      const used = cpuMs - (since.threads.get(tid) ?? 0);
      if (tid === String(process.pid)) main += used;
      else other += used;
    }
    line.cpu = {
      seconds: Math.round(now.at - since.at) / 1000,
      mainMs: main,
      otherMs: other,
      mainWaitedMs:
        now.runDelayNs === null || since.runDelayNs === null ? null : ms(now.runDelayNs - since.runDelayNs),
    };
  }
  if (now.machine && since.machine)
    line.machine = Object.fromEntries(
      Object.keys(now.machine).map((k) => [k, now.machine[k] - since.machine[k]]),
    );
  since = now;
  // The longest times the main thread was blocked in the kernel, with where.
  line.blocked = {
    count: blocked.length,
    totalMs: blocked.reduce((sum, b) => sum + b.ms, 0),
    longest: blocked
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((b) => ({
        ms: b.ms,
        in: b.stack
          .split('\n')
          .map((l) => l.replace(/^\[<[0-9a-f]+>\] /, '').replace(/\+0x[0-9a-fx/]+$/, ''))
          .filter((l) => l !== '' && !l.startsWith('entry_SYSCALL') && !l.startsWith('do_syscall'))
          .slice(0, 8)
          .join(' < '),
      })),
  };
  line.blocks = blocked.map((b) => ({ at: b.at, ms: b.ms }));
  line.stalls = stalls.map((stall) => ({ ...stall, ...breakdown(stall.at, stall.at + stall.ms) }));
  line.pauses = pauses;
  blocked = [];
  stalls.length = 0;
  pauses = [];
  process.stderr.write(`stacks-probe ${JSON.stringify(line)}\n`);
  delay.reset();
  gc = NO_GC();
});
