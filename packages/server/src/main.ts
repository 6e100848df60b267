import { Command, CommanderError, Option } from 'commander';
import { exportRecords, importFiles } from './cli/catalog-commands.ts';
import { backup, migrate, seed, showConfig, tokenCreate, userAdd } from './cli/commands.ts';
import { CliError } from './cli/context.ts';
import { jobsList, jobsRun } from './cli/jobs-commands.ts';
import { exportPatrons, importPatrons, PATRON_CSV_HELP } from './cli/patron-commands.ts';
import { serve } from './cli/serve.ts';
import { isAppError } from './kernel/app-error.ts';
import { VERSION } from './version.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name('stacks')
  .description('Stacks library services platform')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('serve')
  .description('start the library server (migrates the database and seeds it on first start)')
  .option('-p, --port <port>', 'port to listen on (default: PORT or 8080)')
  .option('--host <address>', 'address to listen on (default: HOST or 127.0.0.1)')
  .action(serve);

program
  .command('migrate')
  .description('bring the database schema up to date')
  .option('--status', 'only show applied and pending migrations')
  .action(migrate);

program
  .command('seed')
  .description('create the first administrator if there is none, and the demo library if there is no library')
  .addOption(new Option('--no-demo', 'only the administrator, no demo library'))
  .action(seed);

const user = program.command('user').description('staff accounts');
user
  .command('add <username>')
  .description('add a staff account; the password is read from standard input')
  .option('--name <display name>', 'name shown in the staff client')
  .option('--email <address>', 'e-mail address')
  .option('--role <role name>', 'a role to give (repeatable), e.g. --role Administrator', collect, [])
  .addHelpText(
    'after',
    '\nExample:\n  printf "%s" "a long passphrase" | stacks user add jdoe --name "Jo Doe" --role "Circulation desk"',
  )
  .action(userAdd);

const token = program.command('token').description('API tokens for integrations');
token
  .command('create')
  .description('create an API token acting as a staff account and print its secret once')
  .requiredOption('--user <username>', 'the staff account the token acts as')
  .requiredOption('--name <name>', 'what the token is for, e.g. "kiosk 2"')
  .option('--permission <permission>', 'limit the token to this permission (repeatable)', collect, [])
  .option('--expires-days <days>', 'expire after this many days')
  .action(tokenCreate);

program
  .command('import <files...>')
  .description(
    'import MARC records (ISO 2709, MARCXML or MARC-in-JSON, detected by content) with their embedded items',
  )
  .option('--on-duplicate <rule>', 'when a record matches one in the catalog: skip, overlay or add', 'skip')
  .option(
    '--match <points>',
    'identifiers that make a match, comma-separated: oclc,system,lccn,isbn,issn,control (default: oclc,system,lccn,isbn,issn)',
  )
  .option('--branch <code>', 'branch for items whose 952 $a / 852 $b names none or an unknown one')
  .option('--item-type <code>', 'item type for items that name none (952 $y)')
  .option('--report <file>', 'write every problem, with record positions, to this JSON file')
  .option(
    '--batch <n>',
    'records per transaction, 1-10000 (5000 loads a large file faster but holds the SQLite write lock longer)',
    '500',
  )
  .addHelpText(
    'after',
    '\nRecords with the same content as one imported before are recognised, so running an import again adds nothing.\n' +
      'Example:\n  stacks import new-books.mrc --on-duplicate overlay --branch CENTRAL --item-type BOOK --report import-report.json',
  )
  .action(importFiles);

program
  .command('export')
  .description('export records with their items (as 952 fields)')
  .requiredOption('--format <format>', 'iso2709, marcxml or json')
  .option('--query <query>', 'only the records this search finds (same syntax as the catalog search)')
  .requiredOption('--out <file>', 'file to write')
  .option('--report <file>', 'write every repair and left-out record as JSON to this file')
  .addHelpText(
    'after',
    '\nValues a format cannot carry are repaired (or the field or record left out) and reported; the file is\n' +
      'written whole or not at all. Exit code 0 when the file is complete, repairs included; 1 when the export stopped.\n' +
      'Example:\n  stacks export --format marcxml --query "subject:cooking" --out cooking.xml --report cooking-report.json',
  )
  .action(exportRecords);

const patrons = program.command('patrons').description('patron records: CSV import and export');
patrons
  .command('import <file>')
  .description('register patrons from a CSV file, checking each row; prints a report of bad rows')
  .option('--on-existing <rule>', 'a row whose card barcode a patron has: skip or update', 'skip')
  .option('--dry-run', 'check every row and report, but write nothing')
  .option('--report <file>', 'write every error and warning, with row numbers, to this JSON file')
  .option('--batch <n>', 'rows per transaction', '100')
  .addHelpText(
    'after',
    `${PATRON_CSV_HELP}\n\nExample:\n  stacks patrons import students.csv --on-existing update --dry-run`,
  )
  .action(importPatrons);
patrons
  .command('export')
  .description('write every active patron to a CSV file in the import columns (no PINs)')
  .requiredOption('--out <file>', 'file to write')
  .addHelpText('after', '\nExample:\n  stacks patrons export --out patrons.csv')
  .action(exportPatrons);

program
  .command('backup <file>')
  .description('copy the SQLite database to FILE while the server runs (on PostgreSQL, explains pg_dump)')
  .action(backup);

const jobs = program.command('jobs').description('scheduled jobs (fines, notices, holds, privacy)');
jobs
  .command('list')
  .description('show every job with its schedule, last run, outcome and next run')
  .action(jobsList);
jobs
  .command('run <name>')
  .description('run a job now and print its summary (exit 1 when it fails, 2 when it is running elsewhere)')
  .addHelpText(
    'after',
    '\nExample (from cron, with STACKS_JOBS=off on the servers):\n  stacks jobs run notices-send',
  )
  .action(jobsRun);

program
  .command('config')
  .description('show the settings in force and where each comes from')
  .action(showConfig);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    process.stderr.write(`stacks: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (isAppError(error)) {
    process.stderr.write(`stacks: ${error.message} (${error.code})\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`stacks: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
