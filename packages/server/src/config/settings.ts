/**
 * Every setting Stacks reads, in one table: its environment variable, its key in the config file,
 * its type, default and meaning. `loadConfig` validates against it and README's configuration table
 * is checked against it by a test, so the three never drift apart.
 */
export interface SettingSpec {
  /** Key in the config file (TOML). */
  key: keyof ConfigValues;
  /** Environment variable that overrides the file. */
  env: string;
  type: 'string' | 'integer' | 'boolean' | 'enum';
  values?: readonly string[];
  min?: number;
  max?: number;
  default: string | number | boolean | undefined;
  description: string;
}

/** The validated values, before derived paths are resolved. */
export interface ConfigValues {
  port: number;
  host: string;
  data_dir: string;
  database_url: string | undefined;
  database_pool_size: number;
  admin_password: string | undefined;
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  currency: string;
  anonymise_after_days: number;
  auto_renew: boolean;
  seed_demo: boolean;
  session_ttl_hours: number;
  cookie_secure: boolean;
  trust_proxy: boolean;
  login_max_failures: number;
  login_window_minutes: number;
  barcode_institution: string;
  smtp_url: string | undefined;
  notice_from: string | undefined;
  jobs: 'on' | 'off';
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'port',
    env: 'PORT',
    type: 'integer',
    min: 0,
    max: 65535,
    default: 8080,
    description: 'HTTP port to listen on.',
  },
  {
    key: 'host',
    env: 'HOST',
    type: 'string',
    default: '127.0.0.1',
    description: 'Address to listen on. Use `0.0.0.0` to serve the library network (put TLS in front).',
  },
  {
    key: 'data_dir',
    env: 'STACKS_DATA_DIR',
    type: 'string',
    default: './data',
    description: 'Folder for the SQLite database (`stacks.db`) and other files the server keeps.',
  },
  {
    key: 'database_url',
    env: 'DATABASE_URL',
    type: 'string',
    default: undefined,
    description:
      '`postgres://user@host:5432/db` selects PostgreSQL; unset uses the SQLite file in the data folder.',
  },
  {
    key: 'database_pool_size',
    env: 'STACKS_DATABASE_POOL_SIZE',
    type: 'integer',
    min: 1,
    max: 200,
    default: 10,
    description: 'PostgreSQL connections per server process.',
  },
  {
    key: 'admin_password',
    env: 'STACKS_ADMIN_PASSWORD',
    type: 'string',
    default: undefined,
    description:
      'Password for the first administrator `admin`, used only when it is created; unset generates one and prints it once.',
  },
  {
    key: 'log_level',
    env: 'LOG_LEVEL',
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'How much the server logs (JSON lines on standard output).',
  },
  {
    key: 'currency',
    env: 'STACKS_CURRENCY',
    type: 'string',
    default: 'USD',
    description: 'ISO 4217 code of the currency fines and fees are kept in.',
  },
  {
    key: 'anonymise_after_days',
    env: 'STACKS_ANONYMISE_AFTER_DAYS',
    type: 'integer',
    default: 30,
    min: 0,
    description:
      'Days after an item is returned when the loan loses its link to the patron (the `anonymise-history` job), unless the patron chose to keep their history.',
  },
  {
    key: 'auto_renew',
    env: 'STACKS_AUTO_RENEW',
    type: 'boolean',
    default: false,
    description:
      'Let the `auto-renew` job renew loans falling due within a day when no hold, limit or block stands in the way.',
  },
  {
    key: 'seed_demo',
    env: 'STACKS_SEED_DEMO',
    type: 'boolean',
    default: true,
    description:
      'On the first start of an empty database, add the demo library (branches, roles). `false` creates only the administrator.',
  },
  {
    key: 'session_ttl_hours',
    env: 'STACKS_SESSION_TTL_HOURS',
    type: 'integer',
    min: 1,
    max: 24 * 30,
    default: 12,
    description: 'How long a staff login lasts.',
  },
  {
    key: 'cookie_secure',
    env: 'STACKS_COOKIE_SECURE',
    type: 'boolean',
    default: false,
    description: 'Mark the session cookie Secure (HTTPS only). Turn on when Stacks is served over TLS.',
  },
  {
    key: 'trust_proxy',
    env: 'STACKS_TRUST_PROXY',
    type: 'boolean',
    default: false,
    description: 'Take the client address from X-Forwarded-For (only behind your own reverse proxy).',
  },
  {
    key: 'login_max_failures',
    env: 'STACKS_LOGIN_MAX_FAILURES',
    type: 'integer',
    min: 1,
    max: 1000,
    default: 10,
    description:
      'Failed logins allowed per user name in the window before its logins are refused (a client address may fail five times as often).',
  },
  {
    key: 'login_window_minutes',
    env: 'STACKS_LOGIN_WINDOW_MINUTES',
    type: 'integer',
    min: 1,
    max: 24 * 60,
    default: 15,
    description: 'The window for counting failed logins.',
  },
  {
    key: 'barcode_institution',
    env: 'STACKS_BARCODE_INSTITUTION',
    type: 'string',
    default: '0001',
    description:
      'The 4-digit institution number in generated 14-digit library barcodes (items 3…, patron cards 2…, Mod 10 check digit).',
  },
  {
    key: 'smtp_url',
    env: 'SMTP_URL',
    type: 'string',
    default: undefined,
    description:
      'Mail server for e-mail notices, `smtp://user:password@host:587` (STARTTLS) or `smtps://…:465`; unset keeps e-mail notices waiting in the outbox.',
  },
  {
    key: 'notice_from',
    env: 'NOTICE_FROM',
    type: 'string',
    default: undefined,
    description: 'Sender of e-mail notices, e.g. `Main Library <notices@library.example>`.',
  },
  {
    key: 'jobs',
    env: 'STACKS_JOBS',
    type: 'enum',
    values: ['on', 'off'],
    default: 'on',
    description:
      '`stacks serve` runs the scheduled jobs (notices, fines, holds, privacy); `off` leaves them to `stacks jobs run` or another server.',
  },
];
