/**
 * The even-rate client of the circulation benchmark, in a process of its own: the benchmark process
 * holds the generated library's data, and a garbage collection of that heap would hold back the
 * requests it should be sending, which would then count as the server's latency.
 *
 * Reads one JSON {@link PacedRequest} on stdin, sends `bodies[i]` at `started + i / rate` seconds over at
 * most `connections` kept-alive connections (whatever the answers so far) and writes one JSON
 * {@link PacedReport} on stdout. Each latency runs from the moment its request was due, so time spent
 * waiting for a free connection counts too. Requests due in the first `warmUpMs` open the connections
 * and are not counted.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { MAX_LISTED, STALL_MS, watchStalls } from './stall-watch.mjs';

export interface PacedRequest {
  url: string;
  cookie: string;
  bodies: Record<string, string>[];
  rate: number;
  connections: number;
  warmUpMs: number;
}

export interface PacedReport {
  /** Milliseconds, in the order the answers came, for the counted requests that succeeded. */
  latencies: number[];
  /** Indexes in `bodies` of every request that succeeded (counted or not). */
  succeeded: number[];
  non2xx: number;
  errors: number;
  firstError: string | null;
  /** From the first request due to the last answer. */
  seconds: number;
  /** When the first counted request was due, in ms since the epoch. */
  countedFrom: number;
  /** CPU the client itself used meanwhile (user and system, ms): it shares the machine with the server. */
  cpuMs: number;
  /** Counted requests that took over {@link SLOW_MS}: when each was due (ms since the epoch) and how long it took. */
  slow: { at: number; ms: number }[];
  /** Times the client's own event loop stood still {@link STALL_MS} or more: from when (epoch ms), how long. */
  stalls: { at: number; ms: number }[];
}

/** A request slower than this is listed in the report, to be set against the server's stalls. */
export const SLOW_MS = 10;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runPaced(request: PacedRequest): Promise<PacedReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: request.connections });
  const url = new URL(request.url);
  const interval = 1000 / request.rate;
  const total = request.bodies.length;
  const report: PacedReport = {
    latencies: [],
    succeeded: [],
    non2xx: 0,
    errors: 0,
    firstError: null,
    seconds: 0,
    countedFrom: 0,
    cpuMs: 0,
    slow: [],
    stalls: [],
  };
  const stopWatching = watchStalls(report.stalls);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  report.countedFrom = performance.timeOrigin + started + request.warmUpMs;
  let sent = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const send = (index: number) => {
      const dueAt = started + index * interval;
      const payload = JSON.stringify(request.bodies[index]);
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            cookie: request.cookie,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              report.succeeded.push(index);
              if (dueAt - started >= request.warmUpMs) {
                const ms = performance.now() - dueAt;
                report.latencies.push(ms);
                if (ms > SLOW_MS && report.slow.length < MAX_LISTED)
                  report.slow.push({ at: performance.timeOrigin + dueAt, ms: Math.round(ms * 100) / 100 });
              }
            } else {
              report.non2xx++;
              report.firstError ??= `${status} ${text.slice(0, 500)}`;
            }
            finish();
          });
        },
      );
      req.on('error', (error) => {
        report.errors++;
        report.firstError ??= error.message;
        finish();
      });
      req.end(payload);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * interval <= now) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    if (total === 0) resolve();
    else tick();
  });
  agent.destroy();
  stopWatching();
  report.seconds = (performance.now() - started - request.warmUpMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  report.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  return report;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const report = await runPaced(JSON.parse(await readStdin()) as PacedRequest);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
