// Loaded into the benchmarked server with `node --import` (never by Stacks itself): on SIGUSR2 it
// writes one line to stderr, `stacks-probe {…}`, with how late the event loop ran its timers and what
// the garbage collector paused since the last signal, then starts counting again. The circulation
// benchmark reads it to tell the server's stalls from the client's. On Linux it also reports the CPU the
// process used, split into its main thread and the rest (checkpoint worker, garbage collector helpers, I/O
// threads), how long the main thread stood ready to run but waited for a core, and how the whole machine's
// cores spent the time (busy, idle, waiting for the disk, taken by the hypervisor).
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

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

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let gc = { count: 0, totalMs: 0, maxMs: 0, over10Ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    if (entry.duration > 10) gc.over10Ms++;
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
  process.stderr.write(`stacks-probe ${JSON.stringify(line)}\n`);
  delay.reset();
  gc = { count: 0, totalMs: 0, maxMs: 0, over10Ms: 0 };
});
