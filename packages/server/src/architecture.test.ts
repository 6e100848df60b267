import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('architecture rules the linter cannot express', () => {
  it('domain modules take time from the injected Clock, never from new Date() or Date.now()', () => {
    const offenders = sourceFiles(join(SRC, 'modules')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(SRC, file)}:${i + 1}` }))
        .filter(({ line }) => /new Date\(\)|Date\.now\(\)/.test(line))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });

  it('only db/ and repositories build queries: services never import kysely', () => {
    const offenders = sourceFiles(join(SRC, 'modules'))
      .filter((file) => !file.endsWith('-repository.ts'))
      .filter((file) => /from 'kysely'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });

  it('nothing logs request bodies or patron data: no console.log in modules', () => {
    const offenders = sourceFiles(join(SRC, 'modules'))
      .filter((file) => /console\.(log|info|debug)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });
});
