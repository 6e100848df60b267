import { setFlagsFromString } from 'node:v8';
import { createApp } from '../app.ts';
import { startCheckpointer } from '../db/checkpointer.ts';
import { buildHttpServer } from '../http/server.ts';
import { createProcessLogger } from '../kernel/pino.ts';
import { seedOnFirstStart } from '../seed/seed.ts';
import { VERSION } from '../version.ts';
import { cliConfig, describeDatabase } from './context.ts';

/**
 * `stacks serve`: migrate, seed on first start, listen, and shut down cleanly on SIGINT/SIGTERM
 * (requests in flight finish, then the database closes).
 */
export async function serve(flags: { port?: string; host?: string }): Promise<void> {
  tuneGarbageCollector();
  const env = { ...process.env };
  if (flags.port !== undefined) env.PORT = flags.port;
  if (flags.host !== undefined) env.HOST = flags.host;
  const config = cliConfig(env);
  const log = createProcessLogger(config.log_level);
  const app = await createApp(config, { log });
  // A server process keeps SQLite's log checkpoints off the thread that answers requests.
  const checkpointer =
    config.database.dialect === 'sqlite' && app.database.sqlite && config.database.file !== ':memory:'
      ? startCheckpointer(app.database.sqlite, config.database.file, {
          onError: (error) =>
            log.warn(
              { err: error },
              'the checkpoint worker failed; checkpoints run in the server thread again',
            ),
        })
      : null;
  const seeded = await seedOnFirstStart(app);
  const http = await buildHttpServer(app, { logger: log });
  await http.listen({ port: config.port, host: config.host });
  if (config.jobs === 'on') app.services.jobs.start();
  const address = http.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost =
    config.host === '0.0.0.0' || config.host === '::' || config.host === '127.0.0.1'
      ? 'localhost'
      : config.host;

  const lines = [
    '',
    `  Stacks ${VERSION} is serving on http://${shownHost}:${port}`,
    `  Database: ${describeDatabase(config)}`,
    `  API docs: http://${shownHost}:${port}/api/docs`,
  ];
  if (seeded.admin.created) {
    lines.push(`  Administrator login: ${seeded.admin.username}`);
    if (seeded.admin.generatedPassword) {
      lines.push(
        `  Password (shown only this once; change it after logging in): ${seeded.admin.generatedPassword}`,
      );
    } else {
      lines.push('  Password: the one set in STACKS_ADMIN_PASSWORD');
    }
    if (seeded.demo)
      lines.push(
        '  The demo library was added: two branches with hours and closed days, staff roles, a catalog of about 2,000 records with items, patrons, loans, holds and fines.',
        `  Demo patron for the public catalog: ${seeded.demo.name}, card ${seeded.demo.cardBarcode}, PIN ${seeded.demo.pin} (shown only this once)`,
      );
  } else {
    lines.push('  Log in with your staff account (the first administrator is "admin").');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    // Requests in flight get a grace period to finish; a request still running after it (a long
    // export, a slow client) does not keep the server from stopping.
    setTimeout(() => {
      log.warn(
        { signal, graceMs: SHUTDOWN_GRACE_MS },
        'requests still running at the end of the grace period; exiting',
      );
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    // Closing the server ends only the connections idle at that moment: one whose request finishes
    // later would be kept alive for its client. End each as soon as its request is answered.
    const reaper = setInterval(() => http.server.closeIdleConnections(), 50).unref();
    try {
      await http.close();
      clearInterval(reaper);
      await checkpointer?.stop();
      await app.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** How long a shutdown waits for requests in flight before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * How far V8 lets the old generation grow past what the last full collection kept before it starts the
 * next one, in percent.
 *
 * A server at a busy desk's pace promotes request garbage to the old generation: objects that outlive
 * two young-generation collections. Measured at 1,000 checkouts a second, before loans stopped being
 * built from an object spread (most of it, see `loanFrom`): a few MiB a second, and with V8's own factor
 * for a heap of this size (about 1.2) a full collection every two or three seconds, in which most of the
 * benchmark's slow requests fell. At 300 the old generation grows to about four times the live heap
 * (some 60 MiB, most of it the program's source text) first: a full collection came every 40–50 s then,
 * and the factor stays as the margin for whatever a future change promotes.
 */
const HEAP_GROWING_PERCENT = 300;

/**
 * Sets how far V8's old generation grows before a full collection ({@link HEAP_GROWING_PERCENT}), unless
 * the node command line sets it (`node --heap-growing-percent=N …/stacks.js serve`; NODE_OPTIONS may not
 * carry this option). V8 reads the factor at every collection, so setting it once the process runs takes
 * effect.
 */
function tuneGarbageCollector(): void {
  if (!process.execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a)))
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
