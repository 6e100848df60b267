import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { SETTINGS } from './settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'stacks-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('uses the defaults: SQLite in ./data, port 8080 on loopback', () => {
    const config = loadConfig({}, dir);
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      currency: 'USD',
      seed_demo: true,
    });
    expect(config.database).toEqual({ dialect: 'sqlite', file: join(dir, 'data', 'stacks.db') });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('selects PostgreSQL from DATABASE_URL', () => {
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u@db:5432/lib', STACKS_DATABASE_POOL_SIZE: '20' }, dir).database,
    ).toEqual({
      dialect: 'postgres',
      url: 'postgres://u@db:5432/lib',
      poolSize: 20,
    });
  });

  it('reads a config file and lets the environment override it', () => {
    const file = join(dir, 'custom.toml');
    writeFileSync(file, 'port = 9000\ncurrency = "EUR"\nseed_demo = false\n');
    const config = loadConfig({ STACKS_CONFIG: file, PORT: '9100' }, dir);
    expect(config).toMatchObject({ port: 9100, currency: 'EUR', seed_demo: false, configFile: file });
  });

  it.each([
    [{ PORT: 'eighty' }, 'environment variable PORT: "eighty" is not a whole number'],
    [{ PORT: '70000' }, 'environment variable PORT: 70000 is outside 0–65535'],
    [
      { LOG_LEVEL: 'loud' },
      'environment variable LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
    ],
    [{ STACKS_SEED_DEMO: 'maybe' }, 'environment variable STACKS_SEED_DEMO: "maybe" is not true or false'],
    [{ STACKS_CURRENCY: 'dollars' }, 'STACKS_CURRENCY: "dollars" is not an ISO 4217 code such as USD'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: must start with postgres://'],
    [{ STACKS_PORT: '1' }, 'STACKS_PORT: unknown setting'],
    [{ STACKS_CONFIG: 'missing.toml' }, 'the config file'],
  ])('refuses %o, naming the setting', (env, message) => {
    expect(() => loadConfig(env, dir)).toThrow(message);
  });

  it('refuses an unknown key and bad TOML in the config file', () => {
    const file = join(dir, 'bad.toml');
    writeFileSync(file, 'prot = 1\n');
    expect(() => loadConfig({ STACKS_CONFIG: file }, dir)).toThrow(/unknown setting "prot"/);
    writeFileSync(file, 'port = \n');
    expect(() => loadConfig({ STACKS_CONFIG: file }, dir)).toThrow(/not valid TOML/);
  });

  it('ignores the test suite’s own STACKS_TEST_ variables', () => {
    expect(() => loadConfig({ STACKS_TEST_DATABASE_URL: 'postgres://x' }, dir)).not.toThrow();
  });
});

describe('README configuration table', () => {
  it('lists every setting with its environment variable and default', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    for (const spec of SETTINGS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${spec.env}\``));
      expect(row, `README row for ${spec.env}`).toBeDefined();
      expect(row).toContain(`\`${spec.key}\``);
      if (spec.default !== undefined) expect(row).toContain(`\`${String(spec.default)}\``);
    }
  });
});
