/**
 * Patron import and export as CSV (RFC 4180, UTF-8, a header row naming the columns; column order is
 * free, names are case-insensitive, and only `first_name`, `last_name`, `category` and `home_branch`
 * must be present):
 *
 * | column          | holds                                                                        |
 * | --------------- | ---------------------------------------------------------------------------- |
 * | card_barcode    | the library card's barcode; empty: a new library barcode is generated         |
 * | first_name      | required                                                                     |
 * | last_name       | required                                                                     |
 * | birth_date      | YYYY-MM-DD                                                                   |
 * | email           | e-mail address                                                               |
 * | phone           | phone number as written                                                      |
 * | address         | postal address (line breaks allowed inside a quoted field)                   |
 * | category        | patron category code, e.g. ADULT (required)                                  |
 * | home_branch     | branch code, e.g. MAIN (required)                                            |
 * | expires_on      | YYYY-MM-DD; empty: today + the category's enrolment months                    |
 * | notice_channel  | `email` or `print`; empty: email when there is an address, else print        |
 * | language        | language code such as en or es; empty: en                                    |
 * | notes           | staff notes                                                                  |
 *
 * Import: each row is checked and registered like a patron entered at the desk. A row whose card
 * barcode a patron already has is skipped (`onExisting: 'skip'`) or updates that patron
 * (`'update'`: non-empty cells replace the stored values; empty cells leave them as they are).
 * Possible duplicates (same name and birth date, or same e-mail) are registered and reported as
 * warnings. Rows are written in transactions of `batchSize`; a bad row is reported (row number as a
 * spreadsheet shows it, the header being row 1; column; message) and never stops the others.
 * A dry run checks everything and writes nothing. PINs are never imported or exported.
 *
 * Formulas: the export writes a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * (a name such as `=HYPERLINK(…)`, a phone number such as `+1 555 0100`) behind a single quote `'`, so no
 * spreadsheet runs it; the import takes that quote off again (see csv/csv.ts), so an exported file
 * imports back unchanged.
 */

import { CsvSyntaxError, formatCsvRow, parseCsv } from '../../csv/index.ts';
import type { Executor } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { PatronRow } from '../../db/schema.ts';
import type { Actor } from '../../kernel/actor.ts';
import { AppError, isAppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { recordAudit } from '../audit/index.ts';
import type { Branch, BranchService } from '../branches/index.ts';
import { cardReplacedError } from './circulation-patron.ts';
import * as repo from './patron-repository.ts';
import type {
  DuplicateCandidate,
  NewPatron,
  NoticeChannel,
  Patron,
  PatronChanges,
} from './patron-service.ts';

/** The columns of a patron CSV file, in the order exports write them. */
export const PATRON_CSV_COLUMNS = [
  'card_barcode',
  'first_name',
  'last_name',
  'birth_date',
  'email',
  'phone',
  'address',
  'category',
  'home_branch',
  'expires_on',
  'notice_channel',
  'language',
  'notes',
] as const;

type Column = (typeof PATRON_CSV_COLUMNS)[number];

const REQUIRED: readonly Column[] = ['first_name', 'last_name', 'category', 'home_branch'];

/** The service field each column fills, for naming the column a problem is in. */
const COLUMN_OF_FIELD: Record<string, Column> = {
  cardBarcode: 'card_barcode',
  firstName: 'first_name',
  lastName: 'last_name',
  birthDate: 'birth_date',
  email: 'email',
  phone: 'phone',
  address: 'address',
  categoryCode: 'category',
  homeBranchId: 'home_branch',
  expiresOn: 'expires_on',
  noticeChannel: 'notice_channel',
  language: 'language',
  notes: 'notes',
};

/** One problem with one row. */
export interface PatronImportProblem {
  /** The row as a spreadsheet numbers it: the header is row 1, the first patron row 2. */
  row: number;
  /** The line of the file the row starts on (differs from `row` after quoted line breaks or blank lines). */
  line: number;
  /** The column the problem is in, when it is one column's. */
  column: Column | null;
  code: string;
  message: string;
}

/** What an import did (or, in a dry run, would do). */
export interface PatronImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  errors: PatronImportProblem[];
  warnings: PatronImportProblem[];
}

export interface PatronImportOptions {
  onExisting?: 'skip' | 'update';
  dryRun?: boolean;
  /** Rows per transaction (default 100). */
  batchSize?: number;
  /** Called after each batch with the rows done and the rows in all. */
  onProgress?: (done: number, total: number) => void;
}

type RegisterStep = (
  trx: Executor,
  now: Date,
  actor: Actor,
  input: NewPatron,
  branch: Branch,
  mode: { duplicates: 'refuse' | 'warn'; pinHash: string | null },
) => Promise<{ patron: Patron; duplicates: DuplicateCandidate[] }>;

type UpdateStep = (
  trx: Executor,
  now: Date,
  actor: Actor,
  id: string,
  changes: PatronChanges,
  branch: Branch,
  mode: { duplicates: 'refuse' | 'warn' },
) => Promise<{ patron: Patron; duplicates: DuplicateCandidate[]; changed: boolean }>;

interface Row {
  row: number;
  line: number;
  cells: Partial<Record<Column, string>>;
  fieldCount: number;
}

type Outcome =
  | { kind: 'created' | 'updated' | 'unchanged' | 'skipped'; warnings: PatronImportProblem[] }
  | { kind: 'failed'; error: PatronImportProblem };

class DryRunRollback extends Error {}

function csvError(message: string, details?: Record<string, unknown>): never {
  throw new AppError('INVALID_CSV', message, details);
}

/** Reads the header and rows; refuses a file that is not CSV or whose header is unusable (INVALID_CSV). */
function readRows(text: string): { rows: Row[]; width: number } {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      csvError(`The file is not valid CSV: ${error.message}`, { line: error.line });
    throw error;
  }
  const header = records[0];
  if (!header) csvError('The file is empty; the first row names the columns');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const unknown = names.filter((n) => !(PATRON_CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0)
    csvError(
      `Unknown column${unknown.length === 1 ? '' : 's'}: ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${PATRON_CSV_COLUMNS.join(', ')})`,
      {
        unknown,
      },
    );
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) csvError(`Column ${repeated[0]} appears twice`);
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0)
    csvError(`Missing column${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`, { missing });
  const rows = records.slice(1).map((record, i) => {
    const cells: Partial<Record<Column, string>> = {};
    names.forEach((name, j) => {
      cells[name as Column] = (record.fields[j] ?? '').trim();
    });
    return { row: i + 2, line: record.line, cells, fieldCount: record.fields.length };
  });
  return { rows, width: names.length };
}

/** Patron CSV import and export, sharing the registration and update steps with the service. */
export function createPatronCsv(deps: {
  db: Executor;
  clock: Clock;
  branches: BranchService;
  registerIn: RegisterStep;
  updateIn: UpdateStep;
}) {
  const { db, clock, branches } = deps;

  function problem(row: Row, error: unknown): PatronImportProblem {
    if (isAppError(error)) {
      const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
      return {
        row: row.row,
        line: row.line,
        column: field ? (COLUMN_OF_FIELD[field] ?? null) : null,
        code: error.code,
        message: error.message,
      };
    }
    if (isUniqueViolation(error))
      return {
        row: row.row,
        line: row.line,
        column: 'card_barcode',
        code: 'PATRON_CARD_TAKEN',
        message: 'Another patron record took this card barcode meanwhile',
      };
    return {
      row: row.row,
      line: row.line,
      column: null,
      code: 'ROW_REFUSED',
      message: `The database refused the row: ${(error as Error).message}`,
    };
  }

  function duplicateWarnings(row: Row, duplicates: DuplicateCandidate[]): PatronImportProblem[] {
    return duplicates.map((d) => ({
      row: row.row,
      line: row.line,
      column: null,
      code: 'PATRON_POSSIBLE_DUPLICATE',
      message: `May be the same person as patron ${d.name} (card ${d.cardBarcode})`,
    }));
  }

  /** One row in the caller's transaction. Refusals (AppError) are outcomes; database failures throw. */
  async function importRow(
    trx: Executor,
    now: Date,
    actor: Actor,
    row: Row,
    ctx: {
      width: number;
      byCode: Map<string, Branch>;
      byId: Map<string, Branch>;
      onExisting: 'skip' | 'update';
    },
  ): Promise<Outcome> {
    try {
      if (row.fieldCount !== ctx.width)
        throw new AppError(
          'INVALID_CSV',
          `The row has ${row.fieldCount} field${row.fieldCount === 1 ? '' : 's'}; the header has ${ctx.width}`,
        );
      const c = row.cells;
      const text = (column: Column) => c[column] ?? '';
      const branchFor = (code: string) => {
        const branch = ctx.byCode.get(code);
        if (!branch)
          throw new AppError('BRANCH_NOT_FOUND', `There is no branch with the code ${code}`, {
            field: 'homeBranchId',
          });
        return branch;
      };
      const channel = text('notice_channel').toLowerCase();
      if (channel !== '' && channel !== 'email' && channel !== 'print')
        throw new AppError('INVALID_NOTICE_CHANNEL', `Notices go by email or print, not "${channel}"`, {
          field: 'noticeChannel',
        });
      const barcode = text('card_barcode');
      const existing: PatronRow | undefined = await (async () => {
        if (barcode === '') return undefined;
        const card = await repo.findCardByBarcode(trx, barcode);
        if (!card) return undefined;
        if (card.status !== 'active') {
          const error = cardReplacedError(barcode, card.replaced_at);
          throw new AppError(error.code, error.message, { field: 'cardBarcode' });
        }
        return repo.findPatronById(trx, card.patron_id);
      })();
      if (existing) {
        if (ctx.onExisting === 'skip') return { kind: 'skipped', warnings: [] };
        const changes: PatronChanges = {};
        const set = <K extends keyof PatronChanges>(key: K, column: Column, value?: PatronChanges[K]) => {
          if (text(column) !== '') changes[key] = value ?? (text(column) as PatronChanges[K]);
        };
        set('firstName', 'first_name');
        set('lastName', 'last_name');
        set('birthDate', 'birth_date');
        set('email', 'email');
        set('phone', 'phone');
        set('address', 'address');
        set('categoryCode', 'category');
        if (text('home_branch') !== '') changes.homeBranchId = branchFor(text('home_branch')).id;
        set('expiresOn', 'expires_on');
        if (channel !== '') changes.noticeChannel = channel as NoticeChannel;
        set('language', 'language');
        set('notes', 'notes');
        const branch = ctx.byId.get(changes.homeBranchId ?? existing.home_branch_id);
        if (!branch) throw new AppError('BRANCH_NOT_FOUND', 'The patron’s home branch no longer exists');
        const result = await deps.updateIn(trx, now, actor, existing.id, changes, branch, {
          duplicates: 'warn',
        });
        return {
          kind: result.changed ? 'updated' : 'unchanged',
          warnings: duplicateWarnings(row, result.duplicates),
        };
      }
      for (const column of REQUIRED)
        if (text(column) === '') {
          const field = Object.keys(COLUMN_OF_FIELD).find((k) => COLUMN_OF_FIELD[k] === column)!;
          throw new AppError('INVALID_CSV', `The ${column.replace('_', ' ')} is required`, { field });
        }
      const branch = branchFor(text('home_branch'));
      const input: NewPatron = {
        cardBarcode: barcode === '' ? null : barcode,
        firstName: text('first_name'),
        lastName: text('last_name'),
        birthDate: text('birth_date') || null,
        email: text('email') || null,
        phone: text('phone') || null,
        address: text('address') || null,
        categoryCode: text('category'),
        homeBranchId: branch.id,
        expiresOn: text('expires_on') || null,
        notes: text('notes') || null,
        ...(channel !== '' ? { noticeChannel: channel as NoticeChannel } : {}),
        ...(text('language') !== '' ? { language: text('language') } : {}),
      };
      const result = await deps.registerIn(trx, now, actor, input, branch, {
        duplicates: 'warn',
        pinHash: null,
      });
      return { kind: 'created', warnings: duplicateWarnings(row, result.duplicates) };
    } catch (error) {
      if (!isAppError(error)) throw error;
      return { kind: 'failed', error: problem(row, error) };
    }
  }

  return {
    /**
     * Imports patrons from CSV text (see the column list at the top of patron-csv.ts). Refuses a file
     * that is not CSV or has an unusable header with INVALID_CSV; problems with single rows go into the
     * report and the other rows are imported. Audited as one `patron.imported` entry besides each
     * patron's own.
     */
    async importCsv(
      actor: Actor,
      text: string,
      options: PatronImportOptions = {},
    ): Promise<PatronImportReport> {
      const { rows, width } = readRows(text);
      const onExisting = options.onExisting ?? 'skip';
      const batchSize = Math.max(1, Math.min(options.batchSize ?? 100, 5000));
      const dryRun = options.dryRun ?? false;
      const all = await branches.listBranches();
      const ctx = {
        width,
        onExisting,
        byCode: new Map(all.map((b) => [b.code, b])),
        byId: new Map(all.map((b) => [b.id, b])),
      };
      const report: PatronImportReport = {
        dryRun,
        rows: rows.length,
        created: 0,
        updated: 0,
        unchanged: 0,
        skipped: 0,
        failed: 0,
        errors: [],
        warnings: [],
      };
      const tally = (outcome: Outcome) => {
        if (outcome.kind === 'failed') {
          report.failed++;
          report.errors.push(outcome.error);
        } else {
          report[outcome.kind]++;
          report.warnings.push(...outcome.warnings);
        }
      };

      /** Runs rows in one transaction; the outcomes count only once it commits (or, dry, rolls back). */
      async function runBatch(batch: Row[]): Promise<Outcome[]> {
        const now = clock.now();
        const outcomes: Outcome[] = [];
        try {
          await db.transaction().execute(async (trx) => {
            for (const row of batch) outcomes.push(await importRow(trx, now, actor, row, ctx));
            if (dryRun) throw new DryRunRollback();
          });
        } catch (error) {
          if (!(error instanceof DryRunRollback)) throw error;
        }
        return outcomes;
      }

      let done = 0;
      for (let i = 0; i < rows.length; i += batchSize) {
        const batch = rows.slice(i, i + batchSize);
        let outcomes: Outcome[];
        try {
          outcomes = await runBatch(batch);
        } catch {
          // The database refused something (another process took a card barcode meanwhile, say): the
          // batch rolled back as a whole, so redo it row by row and report the row that fails.
          outcomes = [];
          for (const row of batch) {
            try {
              outcomes.push(...(await runBatch([row])));
            } catch (error) {
              outcomes.push({ kind: 'failed', error: problem(row, error) });
            }
          }
        }
        outcomes.forEach(tally);
        done += batch.length;
        options.onProgress?.(done, rows.length);
      }
      if (!dryRun && report.created + report.updated > 0) {
        const now = clock.now();
        await db.transaction().execute((trx) =>
          recordAudit(trx, now, actor, {
            action: 'patron.imported',
            entityType: 'patron',
            changes: {
              rows: report.rows,
              created: report.created,
              updated: report.updated,
              skipped: report.skipped,
              failed: report.failed,
            },
          }),
        );
      }
      return report;
    },

    /** Active patrons in all (for an export's progress). */
    countActivePatrons: () => repo.countActivePatrons(db),

    /**
     * Every active patron as CSV in the import's columns (no PINs), produced page by page so a large
     * library never sits in memory at once. The export is audited before the first row.
     */
    async *exportCsv(
      actor: Actor,
      options: { onProgress?: (done: number, total: number) => void } = {},
    ): AsyncGenerator<string> {
      const now = clock.now();
      const total = await repo.countActivePatrons(db);
      await db.transaction().execute((trx) =>
        recordAudit(trx, now, actor, {
          action: 'patron.exported_csv',
          entityType: 'patron',
          changes: { patrons: total },
        }),
      );
      const codes = new Map((await branches.listBranches()).map((b) => [b.id, b.code]));
      yield formatCsvRow(PATRON_CSV_COLUMNS);
      let after: string | null = null;
      let done = 0;
      for (;;) {
        const page = await repo.findActivePatronsPage(db, after, 500);
        if (page.length === 0) return;
        yield page
          .map((p) =>
            formatCsvRow([
              p.card_barcode,
              p.first_name,
              p.last_name,
              p.birth_date,
              p.email,
              p.phone,
              p.address,
              p.category_code,
              codes.get(p.home_branch_id) ?? '',
              p.expires_on,
              p.notice_channel,
              p.language,
              p.notes,
            ]),
          )
          .join('');
        after = page[page.length - 1]!.id;
        done += page.length;
        options.onProgress?.(done, total);
      }
    },
  };
}
