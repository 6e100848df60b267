#!/usr/bin/env node
// The `stacks` command. The server is TypeScript; a fresh clone needs no build step. On start this
// script bundles src/ into dist/stacks.mjs with esbuild (about 0.2 s) whenever a source file is newer
// than the bundle, then runs the bundle: that starts several times faster than compiling each module
// on the fly. If the bundle cannot be written (a read-only install), it runs the sources through tsx.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const serverDir = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceDirs = [join(serverDir, 'src'), join(serverDir, '..', 'contract', 'src')];
const bundle = join(serverDir, 'dist', 'stacks.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
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
