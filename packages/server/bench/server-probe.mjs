// Loaded into the benchmarked server with `node --import` (never by Stacks itself): on SIGUSR2 it
// writes one line to stderr, `stacks-probe {…}`, with how late the event loop ran its timers and what
// the garbage collector paused (major collections apart) and the heap in use, since the last signal, then
// starts counting again. The circulation
// benchmark reads it to tell the server's stalls from the client's. On Linux it also reports the CPU the
// process used, split into its main thread and the rest (checkpoint worker, garbage collector helpers, I/O
// threads), how long the main thread stood ready to run but waited for a core, and how the whole machine's
// cores spent the time (busy, idle, waiting for the disk, taken by the hypervisor), and (the watchdog
// below) each time the main thread sat blocked in the kernel.
import { readdirSync, readFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

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
// channel), so a stall can be told from a garbage collection or a wait for a core.
let blocked = [];
try {
  const watchdog = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    const task = '/proc/' + workerData.pid + '/task/' + workerData.pid;
    const read = (f) => { try { return readFileSync(task + '/' + f, 'utf8'); } catch { return ''; } };
    let since = 0;
    let stack = '';
    const sleep = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      Atomics.wait(sleep, 0, 0, 2);
      const stat = read('stat');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      const now = performance.now();
      if (state === 'D') {
        if (since === 0) since = now;
        else if (stack === '' && now - since >= 2) stack = read('stack') || read('wchan');
      } else if (since !== 0) {
        if (now - since >= 10) parentPort.postMessage({ ms: Math.round(now - since), stack });
        since = 0;
        stack = '';
      }
    }
    `,
    { eval: true, workerData: { pid: process.pid } },
  );
  watchdog.unref();
  watchdog.on('message', (m) => blocked.push(m));
  watchdog.on('error', (error) => process.stderr.write(`server probe: the watchdog stopped: ${error}\n`));
} catch {
  // No watchdog: the rest of the probe still works.
}

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const NO_GC = () => ({ count: 0, totalMs: 0, maxMs: 0, over10Ms: 0, major: 0, majorMaxMs: 0 });
let gc = NO_GC();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
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
  blocked = [];
  process.stderr.write(`stacks-probe ${JSON.stringify(line)}\n`);
  delay.reset();
  gc = NO_GC();
});
