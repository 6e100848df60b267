import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { PatronBlockRow, PatronCardRow, PatronCategoryRow, PatronRow } from '../../db/schema.ts';
import { type Actor, actorLabel, type PatronActor } from '../../kernel/actor.ts';
import { AppError, isAppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { MAX_AMOUNT_MINOR } from '../../kernel/money.ts';
import { isLocalDate, localDateOf } from '../../kernel/time-zone.ts';
import { library14Config, nextBarcode, patronCardsPdf } from '../../labels/index.ts';
import { createAuditService, recordAudit } from '../audit/index.ts';
import type { Branch, BranchService } from '../branches/index.ts';
import { createLoginLimiter, dummyHash, hashPassword, isGuessable, verifyPassword } from '../staff/index.ts';
import { cardReplacedError } from './circulation-patron.ts';
import type { PatronErrorCode } from './errors.ts';
import { createPatronCsv } from './patron-csv.ts';
import * as repo from './patron-repository.ts';
import {
  addMonths,
  ageOn,
  ageProblem,
  barcodeProblem,
  categoryProblems,
  emailKey,
  isEmail,
  isLanguage,
  isMinorCategory,
  isPin,
  nameKey,
  nameWords,
} from './patron-rules.ts';

/** A patron category: what patrons of it may borrow and for how long they enrol. */
export interface PatronCategory {
  code: string;
  name: string;
  loanLimit: number;
  /** Borrowing stops once the unpaid balance is over this (minor units); null: no limit. */
  fineLimitMinor: number | null;
  enrolmentMonths: number;
  ageMin: number | null;
  ageMax: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewPatronCategory {
  code: string;
  name: string;
  loanLimit: number;
  fineLimitMinor?: number | null;
  enrolmentMonths: number;
  ageMin?: number | null;
  ageMax?: number | null;
}

export type PatronCategoryChanges = Partial<Omit<NewPatronCategory, 'code'>>;

/** How a patron wants notices: by e-mail or printed and posted. */
export type NoticeChannel = 'email' | 'print';

/** A patron record as staff see it. The PIN hash never leaves the module; `hasPin` says whether one is set. */
export interface Patron {
  id: string;
  cardBarcode: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  categoryCode: string;
  homeBranchId: string;
  expiresOn: string;
  notes: string | null;
  guarantorId: string | null;
  noticeChannel: NoticeChannel;
  language: string;
  keepHistory: boolean;
  hasPin: boolean;
  status: 'active' | 'merged' | 'deleted';
  mergedIntoId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What registering a patron takes. */
export interface NewPatron {
  /** A pre-printed card's barcode; a new library barcode is generated when absent. */
  cardBarcode?: string | null;
  firstName: string;
  lastName: string;
  birthDate?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  categoryCode: string;
  homeBranchId: string;
  /** Default: today (at the home branch) plus the category's enrolment months. */
  expiresOn?: string | null;
  notes?: string | null;
  /** An active adult patron answering for a minor; required in categories ending before 18. */
  guarantorId?: string | null;
  /** Default: e-mail when there is an address, else print. */
  noticeChannel?: NoticeChannel;
  /** Default `en`. */
  language?: string;
  /** Keep the patron's circulation history instead of anonymising it (default false). */
  keepHistory?: boolean;
  /** 4 to 8 digits for the public catalog and self-check; stored hashed. */
  pin?: string | null;
  /** Register even though an active patron looks the same (same name and birth date, or same e-mail). */
  allowDuplicate?: boolean;
}

/** Changes to a patron record (the card, PIN and status have their own use cases). */
export type PatronChanges = Partial<Omit<NewPatron, 'cardBarcode' | 'pin'>>;

/** An active patron who may be the same person as the one being entered. */
export interface DuplicateCandidate {
  id: string;
  name: string;
  cardBarcode: string;
  birthDate: string | null;
  email: string | null;
}

/** A library card a patron holds or held. */
export interface PatronCard {
  id: string;
  barcode: string;
  status: 'active' | 'replaced';
  issuedAt: string;
  replacedAt: string | null;
  replaceReason: string | null;
}

/** A manual block set by staff; it stops borrowing until lifted. */
export interface PatronBlock {
  id: string;
  patronId: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  liftedAt: string | null;
  liftedBy: string | null;
}

/** A page of patrons found by a search. */
export interface PatronPage {
  total: number;
  page: number;
  pageSize: number;
  patrons: Patron[];
}

/** A new OPAC session; `token` goes into the cookie and is never stored. */
export interface NewPatronSession {
  token: string;
  patronId: string;
  expiresAt: string;
}

/**
 * What other modules add to patron use cases, each step running in the patron transaction:
 * charging a fee (fines), moving loans, holds and ledger lines on a merge, saying why a patron cannot
 * be deleted yet (loans out, money owed), anonymising history on deletion, and their part of a
 * privacy export (under their own key).
 */
export interface PatronHooks {
  chargeFee?: (
    trx: Executor,
    now: Date,
    actor: Actor,
    fee: { patronId: string; amountMinor: number; kind: 'card_replacement'; description: string },
  ) => Promise<void>;
  onMerge: ((trx: Executor, now: Date, fromId: string, toId: string) => Promise<void>)[];
  beforeDelete: ((trx: Executor, patronId: string) => Promise<string[]>)[];
  onDelete: ((trx: Executor, now: Date, patronId: string) => Promise<void>)[];
  exportData: ((trx: Executor, patronId: string) => Promise<Record<string, unknown>>)[];
}

/** Settings of patron login to the public catalog (the staff login settings are reused). */
export interface PatronAuthOptions {
  sessionTtlHours: number;
  loginMaxFailures: number;
  loginWindowMinutes: number;
}

/** What the patron service needs. */
export interface PatronServiceDeps {
  db: Executor;
  clock: Clock;
  /** The 4-digit institution number in generated library barcodes (`2` + institution + sequence + check). */
  barcodeInstitution: string;
  branches: BranchService;
  hooks?: Partial<PatronHooks>;
  auth?: PatronAuthOptions;
}

const DEFAULT_AUTH: PatronAuthOptions = { sessionTtlHours: 12, loginMaxFailures: 5, loginWindowMinutes: 15 };
const TOUCH_AFTER_MS = 60_000;
const MAX_PAGE_SIZE = 100;

function fail(code: PatronErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

function toCategory(row: PatronCategoryRow): PatronCategory {
  return {
    code: row.code,
    name: row.name,
    loanLimit: row.loan_limit,
    fineLimitMinor: row.fine_limit_minor,
    enrolmentMonths: row.enrolment_months,
    ageMin: row.age_min,
    ageMax: row.age_max,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The row as staff see it: everything but the PIN hash. */
export function toPatron(row: PatronRow): Patron {
  return {
    id: row.id,
    cardBarcode: row.card_barcode,
    firstName: row.first_name,
    lastName: row.last_name,
    birthDate: row.birth_date,
    email: row.email,
    phone: row.phone,
    address: row.address,
    categoryCode: row.category_code,
    homeBranchId: row.home_branch_id,
    expiresOn: row.expires_on,
    notes: row.notes,
    guarantorId: row.guarantor_id,
    noticeChannel: row.notice_channel === 'email' ? 'email' : 'print',
    language: row.language,
    keepHistory: Boolean(row.keep_history),
    hasPin: row.pin_hash !== null,
    status: row.status as Patron['status'],
    mergedIntoId: row.merged_into_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toCard(row: PatronCardRow): PatronCard {
  return {
    id: row.id,
    barcode: row.barcode,
    status: row.status === 'active' ? 'active' : 'replaced',
    issuedAt: row.issued_at,
    replacedAt: row.replaced_at,
    replaceReason: row.replace_reason,
  };
}

function toBlock(row: PatronBlockRow): PatronBlock {
  return {
    id: row.id,
    patronId: row.patron_id,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
  };
}

function toCandidate(row: PatronRow): DuplicateCandidate {
  return {
    id: row.id,
    name: `${row.first_name} ${row.last_name}`,
    cardBarcode: row.card_barcode,
    birthDate: row.birth_date,
    email: row.email,
  };
}

/** Optional text: trimmed, and empty means none. */
function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** The fields a patron record is checked on, once defaults are applied. */
interface PatronFields {
  firstName: string;
  lastName: string;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  categoryCode: string;
  homeBranchId: string;
  expiresOn: string | null;
  notes: string | null;
  guarantorId: string | null;
  noticeChannel: NoticeChannel;
  language: string;
  keepHistory: boolean;
}

const LIMITS: [keyof PatronFields, number][] = [
  ['phone', 50],
  ['address', 500],
  ['notes', 4000],
];

/** Checks what can be checked without the database; `today` is the date at the home branch. */
function checkShape(f: PatronFields, today: string): void {
  for (const field of ['firstName', 'lastName'] as const) {
    const label = field === 'firstName' ? 'first name' : 'last name';
    if (f[field] === '') fail('INVALID_NAME', `The ${label} is required`, { field });
    if (f[field].length > 100) fail('INVALID_NAME', `The ${label} is at most 100 characters`, { field });
    if (nameWords(f[field]).length === 0)
      fail('INVALID_NAME', `The ${label} needs at least one letter or digit`, { field });
  }
  if (f.email !== null && !isEmail(f.email))
    fail('INVALID_EMAIL', `"${f.email}" is not an e-mail address such as jo@example.org`, { field: 'email' });
  if (f.birthDate !== null) {
    if (!isLocalDate(f.birthDate))
      fail('INVALID_BIRTH_DATE', `${f.birthDate} is not a date (YYYY-MM-DD)`, { field: 'birthDate' });
    if (f.birthDate >= today)
      fail('INVALID_BIRTH_DATE', `The birth date ${f.birthDate} is not in the past`, { field: 'birthDate' });
    if (ageOn(f.birthDate, today) > 150)
      fail('INVALID_BIRTH_DATE', `The birth date ${f.birthDate} is more than 150 years ago`, {
        field: 'birthDate',
      });
  }
  if (f.expiresOn !== null && !isLocalDate(f.expiresOn))
    fail('INVALID_DATE', `${f.expiresOn} is not a date (YYYY-MM-DD)`, { field: 'expiresOn' });
  if (f.noticeChannel !== 'email' && f.noticeChannel !== 'print')
    fail('INVALID_NOTICE_CHANNEL', 'Notices go by email or print', { field: 'noticeChannel' });
  if (f.noticeChannel === 'email' && f.email === null)
    fail('INVALID_NOTICE_CHANNEL', 'E-mail notices need an e-mail address; add one or choose print', {
      field: 'noticeChannel',
    });
  if (!isLanguage(f.language))
    fail('INVALID_LANGUAGE', `"${f.language}" is not a language code such as en or es`, {
      field: 'language',
    });
  for (const [field, max] of LIMITS) {
    const value = f[field];
    if (typeof value === 'string' && value.length > max)
      fail('INVALID_NAME', `The ${field} is at most ${max} characters`, { field });
  }
}

/** Refuses a PIN of the wrong shape, or one easy to guess (0000, 1234, 1212, a common password). */
function checkPin(pin: string): void {
  if (!isPin(pin))
    fail('INVALID_PIN', 'A PIN is 4 to 64 characters, digits or a passphrase, without control characters', {
      field: 'pin',
    });
  if (isGuessable(pin))
    fail(
      'INVALID_PIN',
      'This PIN is too easy to guess: avoid repeated digits, sequences such as 1234, and common PINs',
      { field: 'pin' },
    );
}

function checkBarcode(barcode: string): void {
  const problem = barcodeProblem(barcode);
  if (problem !== null)
    fail('INVALID_BARCODE', `${problem[0]!.toUpperCase()}${problem.slice(1)}`, { field: 'cardBarcode' });
}

/** Whether the patron counts as an adult: 18 or over, or (no birth date) in a category not for minors. */
function isAdult(row: PatronRow, category: PatronCategoryRow | undefined, today: string): boolean {
  if (row.birth_date !== null) return ageOn(row.birth_date, today) >= 18;
  return category !== undefined && !isMinorCategory({ ageMax: category.age_max });
}

/** How the login attempts table names a card: hashed, so the log of attempts holds no card numbers. */
function attemptName(cardBarcode: string): string {
  return `patron:${createHash('sha256').update(cardBarcode).digest('hex').slice(0, 32)}`;
}

/** The SHA-256 of a session cookie value, which is what `patron_sessions` stores. */
export function hashPatronToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Options of {@link registerIn}, the registration step shared by the API and the CSV import. */
interface RegisterMode {
  /** `refuse`: possible duplicates stop the registration (unless allowed); `warn`: they are returned. */
  duplicates: 'refuse' | 'warn';
  /** A PIN hash computed before the transaction (scrypt is slow; no lock is held meanwhile). */
  pinHash: string | null;
}

/**
 * Patrons: categories, registration with duplicate checks, search, changes, membership renewal,
 * manual blocks, library cards (replacement, printing), merging duplicates, the privacy export and
 * deletion, and patron login to the public catalog. Every staff change is audited in its transaction.
 */
export function createPatronService(deps: PatronServiceDeps) {
  const { db, clock, branches } = deps;
  const auth = deps.auth ?? DEFAULT_AUTH;
  const loginLimiter = createLoginLimiter({
    db,
    clock,
    limits: { maxFailures: auth.loginMaxFailures, windowMinutes: auth.loginWindowMinutes },
  });
  const cardBarcodes = library14Config('patron', deps.barcodeInstitution);
  const hooks: PatronHooks = {
    onMerge: [...(deps.hooks?.onMerge ?? [])],
    beforeDelete: [...(deps.hooks?.beforeDelete ?? [])],
    onDelete: [...(deps.hooks?.onDelete ?? [])],
    exportData: [...(deps.hooks?.exportData ?? [])],
  };
  if (deps.hooks?.chargeFee) hooks.chargeFee = deps.hooks.chargeFee;

  async function loadRow(trx: Executor, id: string): Promise<PatronRow> {
    const row = await repo.findPatronById(trx, id);
    if (!row) fail('PATRON_NOT_FOUND', `No patron has the id ${id}`, { patronId: id });
    return row;
  }

  async function loadActive(trx: Executor, id: string): Promise<PatronRow> {
    const row = await loadRow(trx, id);
    if (row.status !== 'active')
      fail('PATRON_INACTIVE', `This patron record is ${row.status}; it can no longer be changed`, {
        patronId: id,
        status: row.status,
        ...(row.merged_into_id ? { mergedIntoId: row.merged_into_id } : {}),
      });
    return row;
  }

  async function loadCategory(trx: Executor, code: string): Promise<PatronCategoryRow> {
    const row = await repo.findCategory(trx, code);
    if (!row)
      fail('CATEGORY_NOT_FOUND', `There is no patron category ${code}`, { field: 'categoryCode', code });
    return row;
  }

  /** The home branch (outside any transaction: the branch service reads with its own handle). */
  async function homeBranch(branchId: string): Promise<Branch> {
    try {
      return await branches.getBranch(branchId);
    } catch (error) {
      if (isAppError(error, 'BRANCH_NOT_FOUND'))
        throw new AppError('BRANCH_NOT_FOUND', `No branch has the id ${branchId}`, {
          field: 'homeBranchId',
          branchId,
        });
      throw error;
    }
  }

  /** Checks the record against its category, guarantor and the patrons already registered. */
  async function checkRelations(
    trx: Executor,
    f: PatronFields,
    today: string,
    selfId: string | null,
  ): Promise<PatronCategoryRow> {
    const category = await loadCategory(trx, f.categoryCode);
    const limits = { code: category.code, ageMin: category.age_min, ageMax: category.age_max };
    if (f.birthDate !== null) {
      const problem = ageProblem(ageOn(f.birthDate, today), limits);
      if (problem !== null)
        fail(
          'AGE_OUTSIDE_CATEGORY',
          `${problem[0]!.toUpperCase()}${problem.slice(1)}; choose another category`,
          {
            field: 'categoryCode',
          },
        );
    }
    if (isMinorCategory(limits) && f.guarantorId === null)
      fail(
        'GUARANTOR_REQUIRED',
        `Patrons in category ${category.code} are minors and need a guarantor: an active adult patron`,
        { field: 'guarantorId' },
      );
    if (f.guarantorId !== null) {
      if (f.guarantorId === selfId)
        fail('GUARANTOR_NOT_ELIGIBLE', 'A patron cannot be their own guarantor', { field: 'guarantorId' });
      const guarantor = await repo.findPatronById(trx, f.guarantorId);
      if (!guarantor)
        fail('GUARANTOR_NOT_FOUND', `No patron has the id ${f.guarantorId}`, { field: 'guarantorId' });
      const guarantorCategory = await repo.findCategory(trx, guarantor.category_code);
      if (guarantor.status !== 'active' || !isAdult(guarantor, guarantorCategory, today))
        fail('GUARANTOR_NOT_ELIGIBLE', 'A guarantor must be an active adult patron', {
          field: 'guarantorId',
          guarantorId: f.guarantorId,
        });
    }
    return category;
  }

  async function duplicatesOf(trx: Executor, f: PatronFields, selfId: string | null) {
    const rows = await repo.findDuplicateCandidates(trx, {
      nameKey: nameKey(f.firstName, f.lastName),
      birthDate: f.birthDate,
      emailKey: emailKey(f.email),
      ...(selfId ? { excludeId: selfId } : {}),
    });
    return rows.map(toCandidate);
  }

  function duplicateError(candidates: DuplicateCandidate[]): AppError {
    return new AppError(
      'PATRON_POSSIBLE_DUPLICATE',
      `${candidates.length === 1 ? 'A patron' : `${candidates.length} patrons`} with the same name and birth date or the same e-mail address ${candidates.length === 1 ? 'is' : 'are'} registered already; check ${candidates.length === 1 ? 'it' : 'them'}, or register anyway (allowDuplicate)`,
      { candidates },
    );
  }

  /** A new library card barcode from the `patron_barcode` sequence, skipping numbers a card already has. */
  async function generateBarcode(trx: Executor): Promise<string> {
    for (;;) {
      const candidates: string[] = [];
      const first = await repo.allocateSequence(trx, 'patron_barcode', 5);
      for (let i = 0; i < 5; i++) candidates.push(nextBarcode(cardBarcodes, first + i));
      const taken = await repo.findTakenCardBarcodes(trx, candidates);
      const free = candidates.find((c) => !taken.has(c));
      if (free !== undefined) return free;
    }
  }

  /** A card barcode given by staff, or a generated one; refuses one any card has (had). */
  async function cardBarcodeFor(trx: Executor, given: string | null): Promise<string> {
    if (given === null) return generateBarcode(trx);
    const existing = await repo.findCardByBarcode(trx, given);
    if (existing)
      fail('PATRON_CARD_TAKEN', `The card ${given} belongs to another patron record`, {
        field: 'cardBarcode',
        cardBarcode: given,
      });
    return given;
  }

  function fieldsOf(input: NewPatron): PatronFields {
    const email = optionalText(input.email);
    return {
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      birthDate: optionalText(input.birthDate),
      email,
      phone: optionalText(input.phone),
      address: optionalText(input.address),
      categoryCode: input.categoryCode.trim(),
      homeBranchId: input.homeBranchId,
      expiresOn: optionalText(input.expiresOn),
      notes: optionalText(input.notes),
      guarantorId: optionalText(input.guarantorId),
      noticeChannel: input.noticeChannel ?? (email === null ? 'print' : 'email'),
      language: input.language?.trim() || 'en',
      keepHistory: input.keepHistory ?? false,
    };
  }

  /**
   * Registers a patron in the caller's transaction (the API wraps one call; the CSV import many).
   * The home branch must have been read already (`branch`), since the branch service has its own handle.
   */
  async function registerIn(
    trx: Executor,
    now: Date,
    actor: Actor,
    input: NewPatron,
    branch: Branch,
    mode: RegisterMode,
  ): Promise<{ patron: Patron; duplicates: DuplicateCandidate[] }> {
    const f = fieldsOf(input);
    const today = localDateOf(now, branch.timeZone);
    checkShape(f, today);
    if (f.expiresOn !== null && f.expiresOn < today)
      fail('INVALID_DATE', `The expiry date ${f.expiresOn} is in the past`, { field: 'expiresOn' });
    const given = optionalText(input.cardBarcode);
    if (given !== null) checkBarcode(given);
    const category = await checkRelations(trx, f, today, null);
    const duplicates = await duplicatesOf(trx, f, null);
    if (duplicates.length > 0 && mode.duplicates === 'refuse' && !input.allowDuplicate)
      throw duplicateError(duplicates);
    const barcode = await cardBarcodeFor(trx, given);
    const at = now.toISOString();
    const row: PatronRow = {
      id: newId(now.getTime()),
      card_barcode: barcode,
      first_name: f.firstName,
      last_name: f.lastName,
      name_key: nameKey(f.firstName, f.lastName),
      birth_date: f.birthDate,
      email: f.email,
      email_key: emailKey(f.email),
      phone: f.phone,
      address: f.address,
      category_code: category.code,
      home_branch_id: branch.id,
      pin_hash: mode.pinHash,
      expires_on: f.expiresOn ?? addMonths(today, category.enrolment_months),
      notes: f.notes,
      guarantor_id: f.guarantorId,
      notice_channel: f.noticeChannel,
      language: f.language,
      keep_history: f.keepHistory,
      status: 'active',
      merged_into_id: null,
      created_at: at,
      updated_at: at,
    };
    await repo.insertPatron(trx, row);
    await repo.insertCard(trx, {
      id: newId(now.getTime()),
      patron_id: row.id,
      barcode,
      status: 'active',
      issued_at: at,
      replaced_at: null,
      replace_reason: null,
    });
    await recordAudit(trx, now, actor, {
      action: 'patron.registered',
      entityType: 'patron',
      entityId: row.id,
      // Who the patron is stays in the record; the log names the card, category, branch and expiry.
      changes: {
        cardBarcode: barcode,
        categoryCode: row.category_code,
        homeBranchId: row.home_branch_id,
        expiresOn: row.expires_on,
        ...(duplicates.length > 0 ? { possibleDuplicateOf: duplicates.map((d) => d.id) } : {}),
      },
    });
    return { patron: toPatron(row), duplicates };
  }

  /** Applies changes to an active patron in the caller's transaction and audits what changed. */
  async function updateIn(
    trx: Executor,
    now: Date,
    actor: Actor,
    id: string,
    changes: PatronChanges,
    branch: Branch,
    mode: { duplicates: 'refuse' | 'warn' },
  ): Promise<{ patron: Patron; duplicates: DuplicateCandidate[]; changed: boolean }> {
    const before = await loadActive(trx, id);
    const current = toPatron(before);
    const merged: NewPatron = {
      firstName: changes.firstName ?? current.firstName,
      lastName: changes.lastName ?? current.lastName,
      birthDate: changes.birthDate !== undefined ? changes.birthDate : current.birthDate,
      email: changes.email !== undefined ? changes.email : current.email,
      phone: changes.phone !== undefined ? changes.phone : current.phone,
      address: changes.address !== undefined ? changes.address : current.address,
      categoryCode: changes.categoryCode ?? current.categoryCode,
      homeBranchId: changes.homeBranchId ?? current.homeBranchId,
      expiresOn: changes.expiresOn ?? current.expiresOn,
      notes: changes.notes !== undefined ? changes.notes : current.notes,
      guarantorId: changes.guarantorId !== undefined ? changes.guarantorId : current.guarantorId,
      noticeChannel: changes.noticeChannel ?? current.noticeChannel,
      language: changes.language ?? current.language,
      keepHistory: changes.keepHistory ?? current.keepHistory,
    };
    // An e-mail removed from a patron who had e-mail notices switches them to print.
    if (
      changes.email !== undefined &&
      optionalText(changes.email) === null &&
      changes.noticeChannel === undefined
    )
      merged.noticeChannel = 'print';
    const f = fieldsOf(merged);
    const today = localDateOf(now, branch.timeZone);
    checkShape(f, today);
    const category = await checkRelations(trx, f, today, id);
    const identityChanged =
      f.firstName !== current.firstName ||
      f.lastName !== current.lastName ||
      f.birthDate !== current.birthDate ||
      emailKey(f.email) !== before.email_key;
    const duplicates = identityChanged ? await duplicatesOf(trx, f, id) : [];
    if (duplicates.length > 0 && mode.duplicates === 'refuse' && !changes.allowDuplicate)
      throw duplicateError(duplicates);
    const after: Partial<Patron> = {
      firstName: f.firstName,
      lastName: f.lastName,
      birthDate: f.birthDate,
      email: f.email,
      phone: f.phone,
      address: f.address,
      categoryCode: category.code,
      homeBranchId: f.homeBranchId,
      expiresOn: f.expiresOn ?? current.expiresOn,
      notes: f.notes,
      guarantorId: f.guarantorId,
      noticeChannel: f.noticeChannel,
      language: f.language,
      keepHistory: f.keepHistory,
    };
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const [key, value] of Object.entries(after)) {
      const old = current[key as keyof Patron];
      if (old !== value) diff[key] = { from: old, to: value };
    }
    if (Object.keys(diff).length === 0) return { patron: current, duplicates, changed: false };
    await repo.updatePatronRow(trx, id, {
      first_name: f.firstName,
      last_name: f.lastName,
      name_key: nameKey(f.firstName, f.lastName),
      birth_date: f.birthDate,
      email: f.email,
      email_key: emailKey(f.email),
      phone: f.phone,
      address: f.address,
      category_code: category.code,
      home_branch_id: f.homeBranchId,
      expires_on: after.expiresOn!,
      notes: f.notes,
      guarantor_id: f.guarantorId,
      notice_channel: f.noticeChannel,
      language: f.language,
      keep_history: f.keepHistory,
      updated_at: now.toISOString(),
    });
    await recordAudit(trx, now, actor, {
      action: 'patron.updated',
      entityType: 'patron',
      entityId: id,
      changes: diff,
    });
    return { patron: toPatron((await repo.findPatronById(trx, id))!), duplicates, changed: true };
  }

  async function readPatron(id: string): Promise<Patron> {
    return toPatron(await loadRow(db, id));
  }

  const service = {
    /** Adds steps other modules run inside patron use cases (fees, merge, deletion, privacy export). */
    registerHooks(partial: Partial<PatronHooks>): void {
      if (partial.chargeFee) hooks.chargeFee = partial.chargeFee;
      hooks.onMerge.push(...(partial.onMerge ?? []));
      hooks.beforeDelete.push(...(partial.beforeDelete ?? []));
      hooks.onDelete.push(...(partial.onDelete ?? []));
      hooks.exportData.push(...(partial.exportData ?? []));
    },

    // ------------------------------------------------------------ categories

    async listCategories(): Promise<PatronCategory[]> {
      return (await repo.findCategories(db)).map(toCategory);
    },

    async getCategory(code: string): Promise<PatronCategory> {
      return toCategory(await loadCategory(db, code));
    },

    /** Adds a patron category with its loan limit, fine limit, enrolment period and age range. */
    async createCategory(actor: Actor, input: NewPatronCategory): Promise<PatronCategory> {
      const code = input.code.trim();
      const limits = {
        loanLimit: input.loanLimit,
        fineLimitMinor: input.fineLimitMinor ?? null,
        enrolmentMonths: input.enrolmentMonths,
        ageMin: input.ageMin ?? null,
        ageMax: input.ageMax ?? null,
      };
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(code))
        fail('INVALID_CATEGORY', 'A category code is 1 to 32 letters, digits, _ or -', { field: 'code' });
      if (input.name.trim() === '') fail('INVALID_CATEGORY', 'The category needs a name', { field: 'name' });
      const problems = categoryProblems(limits);
      if (problems.length > 0) fail('INVALID_CATEGORY', problems.join('; '), { problems });
      const now = clock.now();
      const row: PatronCategoryRow = {
        code,
        name: input.name.trim(),
        loan_limit: limits.loanLimit,
        fine_limit_minor: limits.fineLimitMinor,
        enrolment_months: limits.enrolmentMonths,
        age_min: limits.ageMin,
        age_max: limits.ageMax,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertCategory(trx, row);
          await recordAudit(trx, now, actor, {
            action: 'patron_category.created',
            entityType: 'patron_category',
            entityId: code,
            changes: { ...input, code },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('CATEGORY_EXISTS', `A patron category ${code} exists already`, { code });
        throw error;
      }
      return toCategory(row);
    },

    /** Changes a category's name or limits; patrons already in it are not re-checked against a new age range. */
    async updateCategory(
      actor: Actor,
      code: string,
      changes: PatronCategoryChanges,
    ): Promise<PatronCategory> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = toCategory(await loadCategory(trx, code));
        const after = {
          name: changes.name?.trim() ?? before.name,
          loanLimit: changes.loanLimit ?? before.loanLimit,
          fineLimitMinor:
            changes.fineLimitMinor !== undefined ? changes.fineLimitMinor : before.fineLimitMinor,
          enrolmentMonths: changes.enrolmentMonths ?? before.enrolmentMonths,
          ageMin: changes.ageMin !== undefined ? changes.ageMin : before.ageMin,
          ageMax: changes.ageMax !== undefined ? changes.ageMax : before.ageMax,
        };
        if (after.name === '') fail('INVALID_CATEGORY', 'The category needs a name', { field: 'name' });
        const problems = categoryProblems(after);
        if (problems.length > 0) fail('INVALID_CATEGORY', problems.join('; '), { problems });
        const diff: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(after))
          if (before[key as keyof PatronCategory] !== value)
            diff[key] = { from: before[key as keyof PatronCategory], to: value };
        if (Object.keys(diff).length === 0) return;
        await repo.updateCategoryRow(trx, code, {
          name: after.name,
          loan_limit: after.loanLimit,
          fine_limit_minor: after.fineLimitMinor,
          enrolment_months: after.enrolmentMonths,
          age_min: after.ageMin,
          age_max: after.ageMax,
          updated_at: now.toISOString(),
        });
        await recordAudit(trx, now, actor, {
          action: 'patron_category.updated',
          entityType: 'patron_category',
          entityId: code,
          changes: diff,
        });
      });
      return service.getCategory(code);
    },

    /**
     * Deletes a category no patron record refers to (CATEGORY_IN_USE otherwise: move them first).
     * Circulation rules written for the category go with it.
     */
    async deleteCategory(actor: Actor, code: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await loadCategory(trx, code);
        const count = await repo.countPatronsInCategory(trx, code);
        if (count > 0)
          fail(
            'CATEGORY_IN_USE',
            `${count} patron record${count === 1 ? ' is' : 's are'} in category ${code}; move ${count === 1 ? 'it' : 'them'} to another category first`,
            { code, patrons: count },
          );
        await repo.deleteCategory(trx, code);
        await recordAudit(trx, now, actor, {
          action: 'patron_category.deleted',
          entityType: 'patron_category',
          entityId: code,
          changes: { ...toCategory(before) },
        });
      });
    },

    // ------------------------------------------------------------ patrons

    /**
     * Registers a patron with a new (or pre-printed) library card. Refuses a possible duplicate (same
     * folded name and birth date, or same e-mail, among active patrons) with PATRON_POSSIBLE_DUPLICATE
     * and the candidates, unless `allowDuplicate`.
     */
    async register(actor: Actor, input: NewPatron): Promise<Patron> {
      if (input.pin !== undefined && input.pin !== null) checkPin(input.pin);
      const branch = await homeBranch(input.homeBranchId);
      const pinHash = input.pin ? await hashPassword(input.pin) : null;
      const now = clock.now();
      try {
        return (
          await db
            .transaction()
            .execute((trx) => registerIn(trx, now, actor, input, branch, { duplicates: 'refuse', pinHash }))
        ).patron;
      } catch (error) {
        if (isUniqueViolation(error))
          fail(
            'PATRON_CARD_TAKEN',
            input.cardBarcode
              ? `The card ${input.cardBarcode} belongs to another patron record`
              : 'Another registration took the new card number at the same moment; try again',
            { field: 'cardBarcode' },
          );
        throw error;
      }
    },

    /** Active patrons who may be the person about to be registered (or, with `excludeId`, edited). */
    async findDuplicates(input: {
      firstName: string;
      lastName: string;
      birthDate?: string | null;
      email?: string | null;
      excludeId?: string;
    }): Promise<DuplicateCandidate[]> {
      const rows = await repo.findDuplicateCandidates(db, {
        nameKey: nameKey(input.firstName, input.lastName),
        birthDate: optionalText(input.birthDate),
        emailKey: emailKey(input.email),
        ...(input.excludeId ? { excludeId: input.excludeId } : {}),
      });
      return rows.map(toCandidate);
    },

    getPatron: readPatron,

    /**
     * The patron whose current card this is, for staff. A replaced card answers PATRON_CARD_REPLACED
     * (with the day); a merged or deleted patron's card PATRON_INACTIVE.
     */
    async getByCard(cardBarcode: string): Promise<Patron> {
      const barcode = cardBarcode.trim();
      const card = await repo.findCardByBarcode(db, barcode);
      if (!card) fail('PATRON_NOT_FOUND', `No patron has the card ${barcode}`, { cardBarcode: barcode });
      if (card.status !== 'active') throw cardReplacedError(barcode, card.replaced_at);
      const row = await loadRow(db, card.patron_id);
      if (row.status !== 'active')
        fail('PATRON_INACTIVE', `This patron record is ${row.status}`, {
          patronId: row.id,
          status: row.status,
          ...(row.merged_into_id ? { mergedIntoId: row.merged_into_id } : {}),
        });
      return toPatron(row);
    },

    /**
     * Finds patrons by name (words beginning the first or last name, in any order, case and accents
     * ignored), card barcode (current or earlier cards), e-mail address or phone number. Active patrons
     * only unless `status` says otherwise; 20 a page by default, at most 100.
     */
    async search(q: {
      q?: string;
      page?: number;
      pageSize?: number;
      status?: 'active' | 'merged' | 'deleted' | 'all';
    }): Promise<PatronPage> {
      const text = q.q?.trim() ?? '';
      const page = Math.max(1, Math.floor(q.page ?? 1));
      const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(q.pageSize ?? 20)));
      const status = q.status === 'all' ? null : (q.status ?? 'active');
      const isEmailLike = text.includes('@');
      const digits = text.replace(/\D/g, '');
      const filter: repo.PatronSearchFilter = {
        words: isEmailLike ? [] : nameWords(text),
        barcode: text !== '' && !/\s/.test(text) && !isEmailLike ? text : null,
        emailKey: isEmailLike ? emailKey(text) : null,
        phoneDigits: /^[\d\s()+.\-/]+$/.test(text) && digits.length >= 4 ? digits : null,
        status,
      };
      const { total, rows } = await repo.searchPatrons(db, filter, {
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      return { total, page, pageSize, patrons: rows.map(toPatron) };
    },

    /**
     * Changes an active patron's record, checked like a registration; the audit entry holds the before
     * and after of each changed field. Changing name, birth date or e-mail runs the duplicate check.
     */
    async update(actor: Actor, id: string, changes: PatronChanges): Promise<Patron> {
      const current = await loadRow(db, id);
      const branch = await homeBranch(changes.homeBranchId ?? current.home_branch_id);
      const now = clock.now();
      return (
        await db
          .transaction()
          .execute((trx) => updateIn(trx, now, actor, id, changes, branch, { duplicates: 'refuse' }))
      ).patron;
    },

    /**
     * Extends membership by the category's months from the later of today and the current expiry, but
     * never past that many months from today: renewing early, or again, reaches no further. An expiry
     * already further out (set by hand) stays. With an idempotency key, a retry (the key already on one of
     * this patron's renewals) changes nothing and answers with the patron as it is.
     */
    async renew(actor: Actor, id: string, options: { idempotencyKey?: string | null } = {}): Promise<Patron> {
      const key = options.idempotencyKey ?? null;
      if (key !== null && (key.trim() === '' || key.length > 200))
        fail('INVALID_IDEMPOTENCY_KEY', 'An idempotency key is 1 to 200 characters');
      const current = await loadRow(db, id);
      const branch = await homeBranch(current.home_branch_id);
      const now = clock.now();
      const today = localDateOf(now, branch.timeZone);
      await db.transaction().execute(async (trx) => {
        const before = await loadActive(trx, id);
        // Writing the row locks it on PostgreSQL (SQLite serialises write transactions anyway): two
        // renewals of one patron take turns, and the second reads the first's expiry and key.
        await repo.updatePatronRow(trx, id, { updated_at: before.updated_at });
        const row = await loadActive(trx, id);
        if (key !== null) {
          const entries = await createAuditService({ db: trx }).list({
            entityType: 'patron',
            entityId: id,
            limit: 200,
          });
          if (entries.some((e) => e.action === 'patron.renewed' && e.changes?.idempotencyKey === key)) return;
        }
        const category = await loadCategory(trx, row.category_code);
        // From the later of today and the expiry, capped at one period from today: that cap is always the
        // nearer, so the new expiry is one period from today, or the expiry if that is further (YYYY-MM-DD
        // dates sort as text).
        const limit = addMonths(today, category.enrolment_months);
        const expiresOn = [row.expires_on, limit].sort()[1]!;
        if (expiresOn === row.expires_on) return;
        await repo.updatePatronRow(trx, id, { expires_on: expiresOn, updated_at: now.toISOString() });
        await recordAudit(trx, now, actor, {
          action: 'patron.renewed',
          entityType: 'patron',
          entityId: id,
          changes: {
            expiresOn: { from: row.expires_on, to: expiresOn },
            ...(key === null ? {} : { idempotencyKey: key }),
          },
        });
      });
      return readPatron(id);
    },

    /** Sets (or, with null, clears) the patron's PIN; their catalog sessions end. The PIN is never logged. */
    async setPin(actor: Actor, id: string, pin: string | null): Promise<void> {
      if (pin !== null) checkPin(pin);
      const current = await loadActive(db, id);
      if (pin !== null && current.pin_hash !== null && (await verifyPassword(pin, current.pin_hash)))
        fail('INVALID_PIN', 'The new PIN must differ from the current one', { field: 'pin' });
      const pinHash = pin === null ? null : await hashPassword(pin);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await loadActive(trx, id);
        await repo.updatePatronRow(trx, id, { pin_hash: pinHash, updated_at: now.toISOString() });
        await repo.deleteSessionsOf(trx, id);
        await recordAudit(trx, now, actor, {
          action: pin === null ? 'patron.pin_cleared' : 'patron.pin_set',
          entityType: 'patron',
          entityId: id,
        });
      });
    },

    // ------------------------------------------------------------ blocks

    /** Blocks an active patron from borrowing, with the reason staff will see at the desk. */
    async addBlock(actor: Actor, patronId: string, reason: string): Promise<PatronBlock> {
      const text = reason.trim();
      if (text === '') fail('INVALID_REASON', 'Say why the patron is blocked', { field: 'reason' });
      if (text.length > 500)
        fail('INVALID_REASON', 'A block reason is at most 500 characters', { field: 'reason' });
      const now = clock.now();
      const row: PatronBlockRow = {
        id: newId(now.getTime()),
        patron_id: patronId,
        reason: text,
        created_by: actorLabel(actor),
        created_at: now.toISOString(),
        lifted_at: null,
        lifted_by: null,
      };
      await db.transaction().execute(async (trx) => {
        await loadActive(trx, patronId);
        await repo.insertBlock(trx, row);
        await recordAudit(trx, now, actor, {
          action: 'patron.blocked',
          entityType: 'patron',
          entityId: patronId,
          changes: { blockId: row.id, reason: text },
        });
      });
      return toBlock(row);
    },

    /** Lifts a block (PATRON_BLOCK_LIFTED when it was lifted already). */
    async liftBlock(actor: Actor, patronId: string, blockId: string): Promise<PatronBlock> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const block = await repo.findBlock(trx, blockId);
        if (!block || block.patron_id !== patronId)
          fail('PATRON_BLOCK_NOT_FOUND', `The patron has no block with the id ${blockId}`, { blockId });
        if (!(await repo.liftBlock(trx, blockId, now.toISOString(), actorLabel(actor))))
          fail('PATRON_BLOCK_LIFTED', `That block was lifted on ${block.lifted_at?.slice(0, 10)}`, {
            blockId,
          });
        await recordAudit(trx, now, actor, {
          action: 'patron.block_lifted',
          entityType: 'patron',
          entityId: patronId,
          changes: { blockId },
        });
      });
      return toBlock((await repo.findBlock(db, blockId))!);
    },

    /** A patron's blocks, newest first: all of them, or only those in force. */
    async listBlocks(patronId: string, options: { includeLifted?: boolean } = {}): Promise<PatronBlock[]> {
      await loadRow(db, patronId);
      return (await repo.findBlocks(db, patronId, options.includeLifted ?? true)).map(toBlock);
    },

    // ------------------------------------------------------------ cards

    /** Every card the patron has held, the current one first. */
    async listCards(patronId: string): Promise<PatronCard[]> {
      await loadRow(db, patronId);
      return (await repo.findCards(db, patronId)).map(toCard);
    },

    /**
     * Issues a new card and retires the current one, which stops working at once (looking it up answers
     * PATRON_CARD_REPLACED). With `feeMinor` > 0 a card replacement fee is charged in the same transaction.
     */
    async replaceCard(
      actor: Actor,
      patronId: string,
      input: { cardBarcode?: string | null; reason?: string | null; feeMinor?: number },
    ): Promise<{ patron: Patron; card: PatronCard }> {
      const given = optionalText(input.cardBarcode);
      if (given !== null) checkBarcode(given);
      const reason = optionalText(input.reason) ?? 'replaced';
      if (reason.length > 200)
        fail('INVALID_REASON', 'A replacement reason is at most 200 characters', { field: 'reason' });
      const fee = input.feeMinor ?? 0;
      if (!Number.isSafeInteger(fee) || fee < 0 || fee > MAX_AMOUNT_MINOR)
        fail('INVALID_FEE', `The fee is a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}`, {
          field: 'feeMinor',
        });
      if (fee > 0 && !hooks.chargeFee)
        fail('PATRON_FEE_UNAVAILABLE', 'Fees cannot be charged here: the fines module is not set up');
      const now = clock.now();
      const at = now.toISOString();
      let card: PatronCardRow | undefined;
      try {
        await db.transaction().execute(async (trx) => {
          const row = await loadActive(trx, patronId);
          const barcode = await cardBarcodeFor(trx, given);
          await repo.retireActiveCard(trx, patronId, at, reason);
          card = {
            id: newId(now.getTime()),
            patron_id: patronId,
            barcode,
            status: 'active',
            issued_at: at,
            replaced_at: null,
            replace_reason: null,
          };
          await repo.insertCard(trx, card);
          await repo.updatePatronRow(trx, patronId, { card_barcode: barcode, updated_at: at });
          if (fee > 0)
            await hooks.chargeFee!(trx, now, actor, {
              patronId,
              amountMinor: fee,
              kind: 'card_replacement',
              description: `Replacement library card ${barcode}`,
            });
          await recordAudit(trx, now, actor, {
            action: 'patron.card_replaced',
            entityType: 'patron',
            entityId: patronId,
            changes: { from: row.card_barcode, to: barcode, reason, ...(fee > 0 ? { feeMinor: fee } : {}) },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('PATRON_CARD_TAKEN', `The card ${given ?? ''} belongs to another patron record`, {
            field: 'cardBarcode',
          });
        throw error;
      }
      return { patron: await readPatron(patronId), card: toCard(card!) };
    },

    /**
     * The patron's current library card as a PDF to print on an ID-1 card (85.6 × 54 mm): library name,
     * patron name, expiry and the barcode (Codabar for an all-digit number, Code 39 otherwise).
     */
    async cardPdf(patronId: string): Promise<Buffer> {
      const row = await loadActive(db, patronId);
      const branch = await homeBranch(row.home_branch_id);
      const library = (await branches.listLibraries()).find((l) => l.id === branch.libraryId);
      return patronCardsPdf(
        [
          {
            barcode: row.card_barcode,
            name: `${row.first_name} ${row.last_name}`,
            libraryName: library?.name ?? branch.name,
            expiresOn: row.expires_on,
            symbology: /^\d+$/.test(row.card_barcode) ? 'codabar' : 'code39',
          },
        ],
        { createdAt: clock.now(), title: 'Library card' },
      );
    },

    // ------------------------------------------------------------ merge, privacy

    /**
     * Merges the duplicate `mergeId` into `keepId`: its cards move over and stop working (replaced), its
     * blocks and guarantees move, other modules move their loans, holds and ledger lines (`onMerge`
     * hooks), and the duplicate is marked merged into the kept patron. One transaction, audited.
     */
    async merge(actor: Actor, input: { keepId: string; mergeId: string }): Promise<Patron> {
      const { keepId, mergeId } = input;
      if (keepId === mergeId) fail('PATRON_MERGE_SAME', 'Choose two different patrons to merge');
      const now = clock.now();
      const at = now.toISOString();
      await db.transaction().execute(async (trx) => {
        const keep = await loadActive(trx, keepId);
        await loadActive(trx, mergeId);
        await repo.retireActiveCard(trx, mergeId, at, `merged into patron ${keepId}`);
        const cards = await repo.moveCards(trx, mergeId, keepId);
        const blocks = await repo.moveBlocks(trx, mergeId, keepId);
        await repo.moveGuarantees(trx, mergeId, keepId);
        // The kept patron cannot end up as their own guarantor.
        if (keep.guarantor_id === mergeId) await repo.updatePatronRow(trx, keepId, { guarantor_id: null });
        await repo.deleteSessionsOf(trx, mergeId);
        for (const step of hooks.onMerge) await step(trx, now, mergeId, keepId);
        await repo.updatePatronRow(trx, mergeId, {
          status: 'merged',
          merged_into_id: keepId,
          pin_hash: null,
          updated_at: at,
        });
        await repo.updatePatronRow(trx, keepId, { updated_at: at });
        await recordAudit(trx, now, actor, {
          action: 'patron.merged',
          entityType: 'patron',
          entityId: keepId,
          changes: { mergedId: mergeId, cardsMoved: cards, blocksMoved: blocks },
        });
      });
      return readPatron(keepId);
    },

    /**
     * Everything the library holds about a patron (a subject access request): the record, every card,
     * every block, and what other modules add under their own keys (loans, holds, fines, notices).
     * With an actor, the export is audited.
     */
    async exportData(patronId: string, actor?: Actor): Promise<Record<string, unknown>> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await loadRow(trx, patronId);
        const data: Record<string, unknown> = {
          exportedAt: now.toISOString(),
          patron: toPatron(row),
          cards: (await repo.findCards(trx, patronId)).map(toCard),
          blocks: (await repo.findBlocks(trx, patronId, true)).map(toBlock),
        };
        for (const step of hooks.exportData) Object.assign(data, await step(trx, patronId));
        if (actor)
          await recordAudit(trx, now, actor, {
            action: 'patron.exported',
            entityType: 'patron',
            entityId: patronId,
          });
        return data;
      });
    },

    /**
     * Deletes a patron for privacy: refuses with PATRON_HAS_OBLIGATIONS and the reasons (loans out,
     * money owed, minors guaranteed) while any remain; otherwise other modules anonymise their history
     * (`onDelete` hooks), cards stop working, blocks and sessions go, and the record is emptied of
     * personal data but kept, so ledgers still add up. The audit entry holds no personal data.
     */
    async deletePatron(actor: Actor, id: string): Promise<void> {
      const now = clock.now();
      const at = now.toISOString();
      await db.transaction().execute(async (trx) => {
        const row = await loadRow(trx, id);
        if (row.status === 'deleted')
          fail('PATRON_INACTIVE', 'This patron was deleted already', { patronId: id });
        const reasons: string[] = [];
        const guaranteed = await repo.countGuaranteed(trx, id);
        if (guaranteed > 0)
          reasons.push(
            `is the guarantor of ${guaranteed} active patron${guaranteed === 1 ? '' : 's'}; name another guarantor first`,
          );
        for (const step of hooks.beforeDelete) reasons.push(...(await step(trx, id)));
        if (reasons.length > 0)
          fail('PATRON_HAS_OBLIGATIONS', `The patron cannot be deleted yet: ${reasons.join('; ')}`, {
            reasons,
          });
        for (const step of hooks.onDelete) await step(trx, now, id);
        await repo.retireActiveCard(trx, id, at, 'patron deleted');
        await repo.deleteBlocks(trx, id);
        await repo.deleteSessionsOf(trx, id);
        // Records merged into this one earlier describe the same person: they are emptied too.
        await repo.emptyPersonalData(trx, [id, ...(await repo.findMergedInto(trx, id))], at);
        await recordAudit(trx, now, actor, { action: 'patron.deleted', entityType: 'patron', entityId: id });
      });
    },

    // ------------------------------------------------------------ public catalog login

    /**
     * Patron login with card and PIN. Each attempt first reserves its place under the log-in limits
     * shared with staff log-in (per card, under a hash of it, and per address), counted as a failure
     * until it succeeds; past the limits logins are refused with RATE_LIMITED before the PIN is
     * checked. Unknown, replaced or merged cards, patrons without a PIN and wrong PINs all get the same
     * INVALID_CREDENTIALS answer, in the same time.
     */
    async login(input: { cardBarcode: string; pin: string; ip: string }): Promise<NewPatronSession> {
      const barcode = input.cardBarcode.trim();
      const reservation = await loginLimiter.reserve(attemptName(barcode), input.ip);
      const card = barcode === '' ? undefined : await repo.findCardByBarcode(db, barcode);
      const patron = card?.status === 'active' ? await repo.findPatronById(db, card.patron_id) : undefined;
      const usable = patron !== undefined && patron.status === 'active' && patron.pin_hash !== null;
      const matches = await verifyPassword(input.pin, usable ? patron.pin_hash! : await dummyHash());
      if (!usable || !matches) fail('INVALID_CREDENTIALS', 'The card number or PIN is not right');
      const now = clock.now();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + auth.sessionTtlHours * 3_600_000).toISOString();
      await db.transaction().execute(async (trx) => {
        await loginLimiter.succeeded(trx, reservation);
        await repo.insertSession(trx, {
          token_hash: hashPatronToken(token),
          patron_id: patron.id,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          last_seen_at: now.toISOString(),
        });
      });
      return { token, patronId: patron.id, expiresAt };
    },

    /** Ends the OPAC session with this cookie value (nothing happens for an unknown one). */
    async logout(token: string): Promise<void> {
      await repo.deleteSession(db, hashPatronToken(token));
    },

    /** The patron behind an OPAC session cookie, or null when it is unknown, expired or the patron is no longer active. */
    async authenticateSession(token: string): Promise<PatronActor | null> {
      const now = clock.now();
      const session = await repo.findLiveSession(db, hashPatronToken(token), now.toISOString());
      if (!session) return null;
      if (now.getTime() - Date.parse(session.last_seen_at) > TOUCH_AFTER_MS)
        await repo.touchSession(db, session.token_hash, now.toISOString());
      return { type: 'patron', patronId: session.patron_id };
    },

    /** The signed-in patron's own record and cards (for the public catalog's account page). */
    async me(actor: PatronActor): Promise<{ patron: Patron; cards: PatronCard[] }> {
      const row = await loadActive(db, actor.patronId);
      return { patron: toPatron(row), cards: (await repo.findCards(db, row.id)).map(toCard) };
    },

    /** Removes expired OPAC sessions (a daily job); returns how many. */
    async purgeExpiredSessions(): Promise<number> {
      return repo.deleteExpiredSessions(db, clock.now().toISOString());
    },

    ...createPatronCsv({ db, clock, branches, registerIn, updateIn }),
  };
  return service;
}

export type PatronService = ReturnType<typeof createPatronService>;
