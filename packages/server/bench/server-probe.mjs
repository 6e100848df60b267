// Loaded into the benchmarked server with `node --import` (never by Stacks itself): on SIGUSR2 it
// writes one line to stderr, `stacks-probe {…}`, with how late the event loop ran its timers and what
// the garbage collector paused since the last signal, then starts counting again. The circulation
// benchmark reads it to tell the server's stalls from the client's.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

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
  process.stderr.write(`stacks-probe ${JSON.stringify(line)}\n`);
  delay.reset();
  gc = { count: 0, totalMs: 0, maxMs: 0, over10Ms: 0 };
});
