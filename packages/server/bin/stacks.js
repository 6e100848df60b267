#!/usr/bin/env node
// The `stacks` command. The server is TypeScript; a fresh clone needs no build step. On start this
// script bundles src/ into dist/stacks.mjs with esbuild (about 0.2 s) whenever a source file is newer
// than the bundle, then runs the bundle: that starts several times faster than compiling each module
// on the fly. If the bundle cannot be written (a read-only install), it runs the sources through tsx.
// Before `stacks serve` it also builds the web clients (packages/web, with Vite, about a second) when
// their sources are newer than the build, so `npm start` on a fresh clone serves them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const serverDir = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceDirs = [join(serverDir, 'src'), join(serverDir, '..', 'contract', 'src')];
const bundle = join(serverDir, 'dist', 'stacks.mjs');

function newestSource(dir, extensions = ['.ts']) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path, extensions));
    else if (extensions.some((e) => entry.name.endsWith(e)) && !/\.test\.tsx?$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds packages/web into packages/web/dist when its sources changed; a failure is reported, not fatal. */
function buildWebIfStale() {
  const webDir = join(serverDir, '..', 'web');
  if (!existsSync(join(webDir, 'package.json'))) return;
  const dist = join(webDir, 'dist');
  const inputs = [
    newestSource(join(webDir, 'src'), ['.ts', '.tsx', '.css', '.json', '.svg', '.wav']),
    ...['index.html', join('staff', 'index.html'), 'vite.config.ts', 'package.json'].map(
      (f) => statSync(join(webDir, f)).mtimeMs,
    ),
  ];
  try {
    if (inputs.every((mtime) => mtime <= statSync(join(dist, 'index.html')).mtimeMs)) return;
  } catch {}
  process.stderr.write('stacks: building the web clients…\n');
  const temporary = `${dist}.${process.pid}.tmp`;
  let vite;
  try {
    vite = createRequire(join(webDir, 'package.json'))
      .resolve('vite/package.json')
      .replace(/package\.json$/, 'bin/vite.js');
  } catch {
    process.stderr.write('stacks: Vite is not installed (npm ci); the web clients are not served\n');
    return;
  }
  const result = spawnSync(process.execPath, [vite, 'build', '--outDir', temporary, '--logLevel', 'error'], {
    cwd: webDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    rmSync(temporary, { recursive: true, force: true });
    process.stderr.write('stacks: the web clients could not be built; the API is served without them\n');
    return;
  }
  // Another process starting at the same moment may have put its build in place first: keep that one.
  try {
    rmSync(dist, { recursive: true, force: true });
    renameSync(temporary, dist);
  } catch {
    rmSync(temporary, { recursive: true, force: true });
  }
}

function isFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = [...sourceDirs.map(newestSource), statSync(join(serverDir, 'package.json')).mtimeMs];
    return inputs.every((mtime) => mtime <= built);
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import('esbuild');
  const pkg = JSON.parse(readFileSync(join(serverDir, 'package.json'), 'utf8'));
  const external = Object.keys(pkg.dependencies ?? {}).filter((name) => name !== '@stacks/contract');
  mkdirSync(dirname(bundle), { recursive: true });
  const temporary = `${bundle}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [join(serverDir, 'src', 'main.ts')],
    outfile: temporary,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    sourcemap: 'inline',
    logLevel: 'error',
  });
  // Renaming is atomic: processes starting together never run a half-written bundle.
  renameSync(temporary, bundle);
}

if (process.argv[2] === 'serve') buildWebIfStale();
let runBundle = isFresh();
if (!runBundle) {
  try {
    await build();
    runBundle = true;
  } catch (error) {
    process.stderr.write(`stacks: could not bundle the server (${error.message}); running from source\n`);
  }
}
if (runBundle) {
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(serverDir, 'src', 'main.ts')).href);
}
