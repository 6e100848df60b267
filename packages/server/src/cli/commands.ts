import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SETTINGS } from '../config/settings.ts';
import { migrationStatus } from '../db/migrate.ts';
import { systemActor } from '../kernel/actor.ts';
import { ensureAdministrator, seedDemoLibrary } from '../seed/seed.ts';
import { CliError, cliConfig, describeDatabase, readStdin, withApp } from './context.ts';
import { progressBar } from './progress.ts';

const CLI = systemActor('cli');

/** `stacks migrate`: bring the schema up to date (or show where it stands). */
export async function migrate(flags: { status?: boolean }): Promise<void> {
  const config = cliConfig();
  await withApp(async (app) => {
    const status = await migrationStatus(app.database);
    if (flags.status) {
      console.log(
        `${describeDatabase(config)}\napplied: ${status.applied.join(', ') || 'none'}\npending: ${status.pending.join(', ') || 'none'}`,
      );
    } else {
      console.log(
        `The database is up to date (${status.applied.length} migrations): ${describeDatabase(config)}`,
      );
    }
  }, config).catch((error: Error) => {
    throw new CliError(error.message);
  });
}

/** `stacks seed`: create the administrator if there is none, and the demo library if there is no library yet. */
export async function seed(flags: { demo: boolean }): Promise<void> {
  await withApp(async (app) => {
    const admin = await ensureAdministrator(app);
    if (admin.created) {
      console.log(`Created the administrator "${admin.username}".`);
      if (admin.generatedPassword) console.log(`Password (shown only this once): ${admin.generatedPassword}`);
    } else {
      console.log('Staff accounts exist already; no administrator was created.');
    }
    if (flags.demo) {
      const demo = await seedDemoLibrary(app);
      console.log(
        demo
          ? `Added the demo library. Demo patron for the public catalog: ${demo.name}, card ${demo.cardBarcode}, PIN ${demo.pin} (shown only this once).`
          : 'A library exists already; the demo library was not added.',
      );
    }
  });
}

/** `stacks user add`: a staff account; the password comes from standard input, never from the command line. */
export async function userAdd(
  username: string,
  flags: { name?: string; email?: string; role: string[] },
): Promise<void> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (password === '')
    throw new CliError('no password on standard input: echo "the password" | stacks user add NAME', 2);
  await withApp(async (app) => {
    const roleIds: string[] = [];
    for (const name of flags.role) {
      const role = await app.services.staff.findRoleByName(name);
      if (!role) {
        const known = (await app.services.staff.listRoles()).map((r) => r.name).join(', ');
        throw new CliError(`there is no role "${name}" (roles: ${known})`, 2);
      }
      roleIds.push(role.id);
    }
    const user = await app.services.staff.createUser(CLI, {
      username,
      displayName: flags.name ?? username,
      email: flags.email ?? null,
      password,
      roleIds,
    });
    console.log(
      `Added ${user.username} (${user.id})${flags.role.length ? ` with ${flags.role.join(', ')}` : ' with no roles'}.`,
    );
  });
}

/** `stacks token create`: an API token for an integration; prints the secret once. */
export async function tokenCreate(flags: {
  user: string;
  name: string;
  permission: string[];
  expiresDays?: string;
}): Promise<void> {
  const expiresInDays = flags.expiresDays === undefined ? null : Number(flags.expiresDays);
  if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1)) {
    throw new CliError('--expires-days must be a whole number of days, 1 or more', 2);
  }
  await withApp(async (app) => {
    const user = await app.services.staff.findUserByUsername(flags.user);
    if (!user) throw new CliError(`there is no staff user "${flags.user}"`, 2);
    const { token, secret } = await app.services.staff.createToken(CLI, {
      name: flags.name,
      userId: user.id,
      permissions: flags.permission.length > 0 ? flags.permission : null,
      expiresInDays,
    });
    console.error(
      `Created the token "${token.name}" (${token.id}) acting as ${user.username}. Keep the secret; it is not shown again:`,
    );
    console.log(secret);
  });
}

/** `stacks backup FILE`: an online, consistent copy of the SQLite database while the server keeps running. */
export async function backup(file: string): Promise<void> {
  const config = cliConfig();
  if (config.database.dialect === 'postgres') {
    throw new CliError(
      "Stacks is using PostgreSQL: back it up with PostgreSQL's own tools, e.g.\n" +
        '  pg_dump --format=custom --file=stacks.dump "$DATABASE_URL"\n' +
        'and restore with pg_restore --clean --dbname="$DATABASE_URL" stacks.dump',
      2,
    );
  }
  const target = resolve(file);
  if (existsSync(target)) throw new CliError(`${target} exists already; choose a new file name`, 2);
  await withApp(async (app) => {
    const sqlite = app.database.sqlite!;
    const bar = progressBar('backup');
    await sqlite.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        bar(totalPages - remainingPages, totalPages);
        return 256;
      },
    });
    bar.done();
    console.log(`Backed up ${config.database.dialect === 'sqlite' ? config.database.file : ''} to ${target}`);
  }, config);
}

/** `stacks config`: the settings in force and where each comes from (secrets hidden). */
/** A setting as `stacks config` prints it: passwords never, URLs with their password masked. */
function shownSetting(key: string, value: string, config: ReturnType<typeof cliConfig>): string {
  if (key === 'admin_password') return '(set)';
  if (key === 'database_url') return describeDatabase(config);
  if (key === 'smtp_url') return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  return value;
}

export async function showConfig(): Promise<void> {
  const config = cliConfig();
  console.log(
    config.configFile
      ? `config file: ${config.configFile}`
      : 'config file: none (set STACKS_CONFIG or create ./stacks.toml)',
  );
  for (const spec of SETTINGS) {
    const value = config[spec.key];
    const shown = value === undefined ? '(unset)' : shownSetting(spec.key, String(value), config);
    const source = process.env[spec.env]
      ? `env ${spec.env}`
      : value === spec.default
        ? 'default'
        : 'config file';
    console.log(`${spec.key.padEnd(22)} ${shown.padEnd(40)} ${source}`);
  }
}
