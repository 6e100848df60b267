import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * A clone of the repository runs its own tests: nothing may reach for a file outside the repository
 * (such as test data in a folder that happens to sit beside one developer's checkout).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Folders that hold no project source: installed packages, build output, data, test output. */
const SKIPPED = new Set(['.git', 'node_modules', 'dist', 'data', 'coverage', 'test-artifacts', 'testdata']);
const TEXT = /\.(ts|tsx|mts|mjs|js|cjs|json|md|toml|yml|yaml|html|css|sh)$|^run$/;

function projectFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : projectFiles(join(dir, entry.name));
    return TEXT.test(entry.name) && entry.name !== 'package-lock.json' ? [join(dir, entry.name)] : [];
  });
}

/** Every relative path (`../…`) in `text` that, taken from `file`'s folder, leads out of the repository. */
function pathsLeavingRepository(file: string, text: string, root = ROOT): string[] {
  const inside = root.endsWith(sep) ? root : root + sep;
  return [...text.matchAll(/(?:\.\.\/)+[\w.@-]+/g)]
    .map((match) => match[0])
    .filter((path) => !`${resolve(dirname(file), path)}${sep}`.startsWith(inside));
}

describe('the repository is self-contained', () => {
  it('no file refers to a path outside the repository', () => {
    const offenders = projectFiles(ROOT).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          pathsLeavingRepository(file, line).map((path) => `${relative(ROOT, file)}:${i + 1}: ${path}`),
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('the check catches a path that climbs out, and passes one that stays inside', () => {
    const file = join(ROOT, 'packages/server/src/isbn/isbn.test.ts');
    // The examples are built, not written out, so this file holds no path that climbs out itself.
    const up = (n: number) => '../'.repeat(n);
    expect(pathsLeavingRepository(file, `new URL('${up(5)}outside/testdata/isbn/x.json')`)).toEqual([
      `${up(5)}outside`,
    ]);
    expect(pathsLeavingRepository(file, `new URL('${up(4)}testdata/isbn/x.json')`)).toEqual([]);
    expect(pathsLeavingRepository(join(ROOT, 'README.md'), `see ${up(1)}outside/testdata`)).toEqual([
      `${up(1)}outside`,
    ]);
  });

  it('every folder of test data says where its files came from', () => {
    const folders = readdirSync(join(ROOT, 'testdata'), { withFileTypes: true }).filter((e) =>
      e.isDirectory(),
    );
    expect(folders.length).toBeGreaterThan(0);
    const missing = folders
      .map((folder) => folder.name)
      .filter((name) => !readdirSync(join(ROOT, 'testdata', name)).includes('SOURCES.md'));
    expect(missing).toEqual([]);
  });
});
