import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Runs once before the whole test run: builds the web clients (packages/web/dist) so the server tests
 * and the browser tests serve the current sources. About a second with Vite 8.
 */
export default function setup(): void {
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
