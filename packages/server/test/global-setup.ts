import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CHROMIUM, hasChromium } from './browser.ts';
import { testDialects } from './dialects.ts';

/** Programs some tests compare against or drive; without them those tests are skipped. */
const PEERS = [
  ['yaz-marcdump', 'yaz', 'MARC records compared with yaz'],
  ['xmllint', 'libxml2-utils', 'MARCXML checked against its schema'],
  ['zbarimg', 'zbar-tools', 'printed barcodes scanned back'],
  ['pdftoppm', 'poppler-utils', 'printed labels and cards rendered'],
] as const;

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs once before the whole test run: says which optional parts are missing (and so which tests will
 * be skipped, and why), then builds the web clients (packages/web/dist) so the server tests and the
 * browser tests serve the current sources. About a second with Vite 8.
 */
export default function setup(): void {
  const skipped: string[] = [];
  if (!hasChromium)
    skipped.push(
      `browser tests: no Chromium at ${CHROMIUM} (Debian package chromium, or set STACKS_CHROMIUM)`,
    );
  for (const [command, pkg, what] of PEERS)
    if (!onPath(command)) skipped.push(`${what}: ${command} is not on the PATH (Debian package ${pkg})`);
  if (!testDialects().includes('postgres'))
    skipped.push(
      'PostgreSQL: STACKS_TEST_DATABASE_URL is not set, so tests run on SQLite only (npm run test:pg)',
    );
  if (skipped.length > 0) console.log(`Skipped in this run:\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);

  const webDir = join(import.meta.dirname, '..', '..', 'web');
  const vite = createRequire(join(webDir, 'package.json'))
    .resolve('vite/package.json')
    .replace(/package\.json$/, 'bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'error'], {
    cwd: webDir,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`building the web clients failed:\n${result.stderr}${result.stdout}`);
}
