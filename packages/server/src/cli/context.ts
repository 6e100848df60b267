import { type App, createApp } from '../app.ts';
import { type Config, ConfigError, loadConfig } from '../config/config.ts';

/** A command-line failure: printed without a stack trace, with this exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Loads the configuration, turning a bad setting into a plain message. */
export function cliConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`configuration: ${error.message}`, 2);
    throw error;
  }
}

/** Runs `work` with a migrated app and closes it afterwards, whatever happens. */
export async function withApp<T>(work: (app: App) => Promise<T>, config: Config = cliConfig()): Promise<T> {
  const app = await createApp(config);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Reads all of standard input as text (for passwords given through a pipe). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Where the database is, for messages: never the password of a PostgreSQL URL. */
export function describeDatabase(config: Config): string {
  if (config.database.dialect === 'sqlite') return `SQLite ${config.database.file}`;
  const url = new URL(config.database.url);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}
