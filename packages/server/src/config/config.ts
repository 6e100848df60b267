import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { DatabaseOptions } from '../db/database.ts';
import { type ConfigValues, SETTINGS, type SettingSpec } from './settings.ts';

/** The server's configuration: validated, typed and frozen. Only `loadConfig` reads the environment. */
export interface Config extends ConfigValues {
  /** Absolute path of the data folder. */
  dataDir: string;
  /** Where the database is. */
  database: DatabaseOptions;
  /** The config file that was read, if any. */
  configFile: string | undefined;
}

/** A setting that could not be used; the message names the setting and where it came from. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Environment variables with these prefixes are ours; an unknown one is a typo worth stopping for. */
const OWN_PREFIX = 'STACKS_';
const IGNORED_PREFIXES = ['STACKS_TEST_'];

/**
 * Reads the configuration: defaults, then the config file (`STACKS_CONFIG`, else `./stacks.toml` when
 * present), then environment variables. Any bad value, unknown file key or unknown `STACKS_*` variable
 * fails with a message naming it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const explicitFile = env.STACKS_CONFIG;
  const configFile = explicitFile
    ? resolve(cwd, explicitFile)
    : existsSync(resolve(cwd, 'stacks.toml'))
      ? resolve(cwd, 'stacks.toml')
      : undefined;
  let fileValues: Record<string, unknown> = {};
  if (configFile !== undefined) {
    if (!existsSync(configFile))
      throw new ConfigError(`STACKS_CONFIG: the config file ${configFile} does not exist`);
    try {
      fileValues = parseToml(readFileSync(configFile, 'utf8'));
    } catch (error) {
      throw new ConfigError(`${configFile}: not valid TOML: ${(error as Error).message}`);
    }
    for (const key of Object.keys(fileValues)) {
      if (!SETTINGS.some((s) => s.key === key)) {
        throw new ConfigError(
          `${configFile}: unknown setting "${key}" (known: ${SETTINGS.map((s) => s.key).join(', ')})`,
        );
      }
    }
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith(OWN_PREFIX) || IGNORED_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (name === 'STACKS_CONFIG') continue;
    if (!SETTINGS.some((s) => s.env === name)) {
      throw new ConfigError(
        `${name}: unknown setting (known: ${SETTINGS.map((s) => s.env)
          .filter((e) => e.startsWith(OWN_PREFIX))
          .join(', ')})`,
      );
    }
  }

  const values: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      values[spec.key] = coerce(spec, fromEnv, `environment variable ${spec.env}`);
    } else if (spec.key in fileValues) {
      values[spec.key] = coerce(spec, fileValues[spec.key], `${configFile}: ${spec.key}`);
    } else {
      values[spec.key] = spec.default;
    }
  }
  const v = values as unknown as ConfigValues;
  if (!/^[A-Z]{3}$/.test(v.currency))
    throw new ConfigError(`STACKS_CURRENCY: "${v.currency}" is not an ISO 4217 code such as USD`);
  if (!/^\d{4}$/.test(v.barcode_institution)) {
    throw new ConfigError(`STACKS_BARCODE_INSTITUTION: "${v.barcode_institution}" is not 4 digits`);
  }
  if (v.database_url !== undefined && !/^postgres(ql)?:\/\//.test(v.database_url)) {
    throw new ConfigError(
      'DATABASE_URL: must start with postgres:// (leave it unset to use the embedded SQLite database)',
    );
  }
  const dataDir = resolve(cwd, v.data_dir);
  const database: DatabaseOptions =
    v.database_url !== undefined
      ? { dialect: 'postgres', url: v.database_url, poolSize: v.database_pool_size }
      : { dialect: 'sqlite', file: resolve(dataDir, 'stacks.db') };
  return Object.freeze({ ...v, dataDir, database, configFile });
}

function coerce(spec: SettingSpec, raw: unknown, where: string): unknown {
  switch (spec.type) {
    case 'string':
      if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(`${where}: expected text`);
      return raw;
    case 'enum':
      if (typeof raw !== 'string' || !spec.values?.includes(raw)) {
        throw new ConfigError(`${where}: "${String(raw)}" is not one of ${spec.values?.join(', ')}`);
      }
      return raw;
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = String(raw).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(text)) return true;
      if (['0', 'false', 'no', 'off'].includes(text)) return false;
      throw new ConfigError(`${where}: "${String(raw)}" is not true or false`);
    }
    case 'integer': {
      const n =
        typeof raw === 'number'
          ? raw
          : /^-?\d+$/.test(String(raw).trim())
            ? Number(String(raw).trim())
            : Number.NaN;
      if (!Number.isSafeInteger(n)) throw new ConfigError(`${where}: "${String(raw)}" is not a whole number`);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(`${where}: ${n} is outside ${spec.min}–${spec.max}`);
      }
      return n;
    }
  }
}
