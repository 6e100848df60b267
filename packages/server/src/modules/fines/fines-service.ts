import type { Executor } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { AccountAllocationRow, AccountLineRow, DisputeRow } from '../../db/schema.ts';
import { type Actor, actorLabel, can } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR } from '../../kernel/money.ts';
import { recordAudit, recordAudits } from '../audit/index.ts';
import type { FinesErrorCode } from './errors.ts';
import * as repo from './fines-repository.ts';
import {
  type AccountTotals,
  allocate,
  type ChargeKind,
  isChargeKind,
  isDebitKind,
  isPositiveAmount,
  type LineKind,
  MANUAL_FEE_KINDS,
  type ManualFeeKind,
  type OpenCharge,
  PAYMENT_METHODS,
  type PaymentMethod,
  type PlannedAllocation,
  summarize,
} from './ledger.ts';
import { receiptPdf } from './receipt-pdf.ts';

/** One line of a patron's account, as written. Charges are positive, credits negative. */
export interface AccountLine {
  id: string;
  patronId: string;
  kind: LineKind;
  amountMinor: number;
  currency: string;
  loanId: string | null;
  itemId: string | null;
  description: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
}

/** How much of a credit covers a charge (or a refund). */
export interface Allocation {
  id: string;
  creditId: string;
  chargeId: string;
  amountMinor: number;
  createdAt: string;
}

/** A line as the account shows it: with what remains of it and how it was allocated. */
export interface AccountEntry extends AccountLine {
  /**
   * For a charge, what is still owed on it (≥ 0); for a credit, minus what is not yet used of it (≤ 0,
   * the patron's credit). The entries' remaining amounts sum to the balance, as their amounts do.
   */
  outstandingMinor: number;
  /** For a charge or refund, the credits covering it; for a credit, the charges it covers. */
  allocations: Allocation[];
  /** The open dispute the charge is in, if any. */
  disputeId: string | null;
}

export type DisputeStatus = 'open' | 'upheld' | 'waived_part' | 'waived_whole';
export type DisputeOutcome = Exclude<DisputeStatus, 'open'>;

export interface DisputeNote {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

/**
 * A patron's complaint about charges. `upheld`: the library keeps the charges (the complaint is not
 * granted); `waived_part` / `waived_whole`: part or all of what was outstanding on them was waived.
 */
export interface Dispute {
  id: string;
  patronId: string;
  status: DisputeStatus;
  complaint: string;
  resolution: string | null;
  waivedMinor: number;
  chargeIds: string[];
  /** Still owed on the disputed charges now. */
  outstandingMinor: number;
  createdBy: string;
  createdAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  notes: DisputeNote[];
}

/** A patron's account: every line newest first, the disputes newest first, and the totals. */
export interface Account {
  patronId: string;
  currency: string;
  totals: AccountTotals;
  lines: AccountEntry[];
  disputes: Dispute[];
}

/** One part of a posting: the line on the other side of an allocation and how much went there. */
export interface AppliedPart {
  lineId: string;
  kind: LineKind;
  description: string;
  amountMinor: number;
  createdAt: string;
}

/** A credit (or refund) just written, with what it was applied to and the balance right after it. */
export interface Posting {
  line: AccountLine;
  applied: AppliedPart[];
  balanceAfterMinor: number;
}

/** A payment, with its receipt number. */
export interface Payment extends Posting {
  method: PaymentMethod;
  receiptNumber: string;
}

/** A charge posted by another module in its own transaction (see {@link FinesService.postCharge}). */
export interface NewCharge {
  patronId: string;
  kind: ChargeKind;
  amountMinor: number;
  loanId?: string | null;
  itemId?: string | null;
  description: string;
  reason?: string | null;
  idempotencyKey?: string | null;
}

/** What the patron's account adds up to, for circulation's borrowing checks. */
export interface BalanceSummary {
  balanceMinor: number;
  /** Outstanding on charges under open disputes (circulation blocks on balance − disputed). */
  disputedMinor: number;
  /** Credit not yet used (refundable). */
  creditMinor: number;
}

const RESERVED_KEY_PREFIX = 'stacks:';
const MAX_TEXT = 2000;

function fail(code: FinesErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

function requirePermission(actor: Actor, permission: string): void {
  if (!can(actor, permission))
    fail('FORBIDDEN', `You need the permission ${permission} for this`, { permission });
}

/** The patron themself, or staff holding `permission`. */
function requireSelfOr(actor: Actor, patronId: string, permission: string): void {
  if (actor.type === 'patron' && actor.patronId === patronId) return;
  requirePermission(actor, permission);
}

function checkAmount(amount: unknown, what = 'The amount'): asserts amount is number {
  if (!isPositiveAmount(amount))
    fail('INVALID_AMOUNT', `${what} must be a positive whole number of minor units (e.g. 250 for 2.50)`, {
      amountMinor: amount,
    });
  if (amount > MAX_AMOUNT_MINOR)
    fail('AMOUNT_TOO_LARGE', `${what} may be at most ${MAX_AMOUNT_MINOR} minor units`, {
      amountMinor: amount,
      maxAmountMinor: MAX_AMOUNT_MINOR,
    });
}

/**
 * Charges circulation works out itself (overdue fines, lost items): past the limits they are reduced
 * to what fits, so a check-in, a lost-item bill or the daily accrual never fails on a patron whose
 * account is full. Charges someone enters (fees, card replacements) are refused instead.
 */
const REDUCIBLE_KINDS: ReadonlySet<string> = new Set<ChargeKind>(['overdue', 'lost', 'lost_processing']);

/** Checks a new charge's amount: a reducible charge only needs to be positive (it is cut to fit later). */
function checkChargeAmount(kind: ChargeKind, amount: unknown): asserts amount is number {
  if (!(REDUCIBLE_KINDS.has(kind) && isPositiveAmount(amount))) checkAmount(amount);
}

/**
 * What of a charge of `amountMinor` may be posted to an account owing `owedMinor`: all of it when the
 * account then owes at most MAX_BALANCE_MINOR; otherwise a charge someone entered is refused
 * (BALANCE_LIMIT) and one circulation worked out is reduced to what fits (possibly nothing).
 */
function fitCharge(kind: ChargeKind, amountMinor: number, owedMinor: number): number {
  const room = Math.max(0, MAX_BALANCE_MINOR - owedMinor);
  if (amountMinor <= room && amountMinor <= MAX_AMOUNT_MINOR) return amountMinor;
  if (!REDUCIBLE_KINDS.has(kind))
    fail(
      'BALANCE_LIMIT',
      `The charge (${amountMinor}) would take what the patron owes (${owedMinor}) past the most an account may owe (${MAX_BALANCE_MINOR})`,
      { amountMinor, owedMinor, maxBalanceMinor: MAX_BALANCE_MINOR },
    );
  return Math.min(amountMinor, room, MAX_AMOUNT_MINOR);
}

const reducedDescription = (description: string) => `${description} (reduced: the account is at its limit)`;

function checkText(code: FinesErrorCode, text: unknown, what: string): string {
  if (typeof text !== 'string' || text.trim() === '') fail(code, `Give ${what}`);
  if (text.length > MAX_TEXT) fail(code, `${what} is longer than ${MAX_TEXT} characters`);
  return text.trim();
}

function checkKey(key: string | null | undefined): string | null {
  if (key === undefined || key === null) return null;
  if (typeof key !== 'string' || key.trim() === '' || key.length > 200 || key.startsWith(RESERVED_KEY_PREFIX))
    fail(
      'INVALID_IDEMPOTENCY_KEY',
      `An idempotency key is 1 to 200 characters and does not start with "${RESERVED_KEY_PREFIX}"`,
    );
  return key;
}

function checkChargeIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string'))
    fail('INVALID_CHARGES', 'Name at least one charge (chargeIds)');
  const unique = [...new Set(ids as string[])];
  if (unique.length !== ids.length) fail('INVALID_CHARGES', 'A charge is named more than once');
  return unique;
}

function checkMethod(method: unknown): PaymentMethod {
  if (!(PAYMENT_METHODS as readonly unknown[]).includes(method))
    fail('INVALID_PAYMENT_METHOD', `The method is one of ${PAYMENT_METHODS.join(', ')}`, { method });
  return method as PaymentMethod;
}

/** Description of a payment or refund line; the method is read back from it (there is no column). */
function methodLine(what: 'Payment' | 'Refund', method: PaymentMethod): string {
  return `${what} (${method})`;
}

function methodOf(description: string): PaymentMethod {
  const match = /^(?:Payment|Refund) \((cash|card|other)\)/.exec(description);
  return (match?.[1] as PaymentMethod | undefined) ?? 'other';
}

/**
 * A receipt number people can read out: the payment's UTC date and the last 8 hex digits of its id
 * (random), e.g. `20261130-9F3A61C2`. It is derived, not stored, so it never changes.
 */
export function receiptNumberOf(line: { id: string; createdAt: string }): string {
  return `${line.createdAt.slice(0, 10).replace(/-/g, '')}-${line.id.replace(/-/g, '').slice(-8).toUpperCase()}`;
}

function toLine(row: AccountLineRow): AccountLine {
  return {
    id: row.id,
    patronId: row.patron_id,
    kind: row.kind as LineKind,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    loanId: row.loan_id,
    itemId: row.item_id,
    description: row.description,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toAllocation(row: AccountAllocationRow): Allocation {
  return {
    id: row.id,
    creditId: row.credit_id,
    chargeId: row.charge_id,
    amountMinor: Number(row.amount_minor),
    createdAt: row.created_at,
  };
}

function asOpen(state: repo.ChargeState): OpenCharge {
  return {
    id: state.id,
    createdAt: state.created_at,
    outstandingMinor: state.amount_minor - state.allocated_minor,
    disputed: state.disputed,
  };
}

const outstandingOf = (states: readonly repo.ChargeState[]) =>
  states.reduce((sum, s) => sum + s.amount_minor - s.allocated_minor, 0);

/**
 * The patrons' accounts: an append-only ledger of charges and credits, payments spread over charges
 * oldest first, waivers, write-offs, refunds of credit, printable receipts, and disputes about charges.
 * Other modules post charges and reverse lost fees inside their own transactions through the
 * `Executor`-taking functions; every staff or patron use case here is one transaction with its audit row.
 */
export function createFinesService(deps: { db: Executor; clock: Clock; currency: string }) {
  const { db, clock, currency } = deps;

  async function lock(trx: Executor, patronId: string): Promise<void> {
    if (!(await repo.lockPatron(trx, patronId)))
      fail('PATRON_NOT_FOUND', `No patron has the id ${patronId}`, { patronId });
  }

  /** The existing line for a retried request, or a refusal when the key was used for something else. */
  function replayed(existing: AccountLineRow, patronId: string, kind: string, amountMinor: number | null) {
    if (
      existing.patron_id !== patronId ||
      existing.kind !== kind ||
      (amountMinor !== null && Math.abs(Number(existing.amount_minor)) !== amountMinor)
    )
      fail(
        'IDEMPOTENCY_KEY_CONFLICT',
        'This idempotency key was already used for a different request; use a new key for a new request',
      );
    return existing;
  }

  /** Runs a use case; a unique violation on the idempotency key (a concurrent retry) becomes a replay. */
  async function withKey<T>(
    key: string | null,
    run: () => Promise<T>,
    replay: (existing: AccountLineRow) => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (key !== null && isUniqueViolation(error)) {
        const existing = await repo.findLineByKey(db, key);
        if (existing) return replay(existing);
      }
      throw error;
    }
  }

  async function writeCredit(
    trx: Executor,
    now: Date,
    actor: Actor,
    line: Omit<AccountLineRow, 'id' | 'currency' | 'created_by' | 'created_at'>,
    plan: readonly PlannedAllocation[],
    direction: 'covers' | 'drawsOn' = 'covers',
  ): Promise<AccountLineRow> {
    const row: AccountLineRow = {
      id: newId(now.getTime()),
      currency,
      created_by: actorLabel(actor),
      created_at: now.toISOString(),
      ...line,
    };
    await repo.insertLine(trx, row);
    await repo.insertAllocations(
      trx,
      plan.map((p) => ({
        id: newId(now.getTime()),
        credit_id: direction === 'covers' ? row.id : p.chargeId,
        charge_id: direction === 'covers' ? p.chargeId : row.id,
        amount_minor: p.amountMinor,
        created_at: now.toISOString(),
      })),
    );
    return row;
  }

  async function loadPosting(trx: Executor, row: AccountLineRow): Promise<Posting> {
    const line = toLine(row);
    let applied: AppliedPart[];
    if (isDebitKind(row.kind)) {
      const allocations = await repo.findAllocationsOfPatron(trx, row.patron_id);
      const lines = new Map((await repo.findLines(trx, row.patron_id)).map((l) => [l.id, l]));
      applied = allocations
        .filter((a) => a.charge_id === row.id)
        .map((a) => {
          const credit = lines.get(a.credit_id)!;
          return {
            lineId: credit.id,
            kind: credit.kind as LineKind,
            description: credit.description,
            amountMinor: Number(a.amount_minor),
            createdAt: credit.created_at,
          };
        });
    } else {
      applied = (await repo.findAllocationsOfCredit(trx, row.id)).map((a) => ({
        lineId: a.charge.id,
        kind: a.charge.kind as LineKind,
        description: a.charge.description,
        amountMinor: a.amount_minor,
        createdAt: a.charge.created_at,
      }));
    }
    applied.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    return { line, applied, balanceAfterMinor: await repo.sumLinesUpTo(trx, row) };
  }

  async function loadPayment(trx: Executor, row: AccountLineRow): Promise<Payment> {
    const posting = await loadPosting(trx, row);
    return { ...posting, method: methodOf(row.description), receiptNumber: receiptNumberOf(posting.line) };
  }

  async function loadDisputes(trx: Executor, rows: DisputeRow[]): Promise<Dispute[]> {
    const ids = rows.map((r) => r.id);
    const charges = await repo.findDisputeCharges(trx, ids);
    const notes = await repo.findDisputeNotes(trx, ids);
    const chargeIds = [...new Set(charges.map((c) => c.charge_id))];
    const states = new Map<string, repo.ChargeState>();
    for (const patronId of new Set(rows.map((r) => r.patron_id)))
      for (const s of await repo.findChargeStates(trx, patronId, { ids: chargeIds })) states.set(s.id, s);
    return rows.map((row) => {
      const mine = charges.filter((c) => c.dispute_id === row.id).map((c) => c.charge_id);
      return {
        id: row.id,
        patronId: row.patron_id,
        status: row.status as DisputeStatus,
        complaint: row.complaint,
        resolution: row.resolution,
        waivedMinor: Number(row.waived_minor),
        chargeIds: mine,
        outstandingMinor: mine.reduce((sum, id) => {
          const s = states.get(id);
          return s ? sum + s.amount_minor - s.allocated_minor : sum;
        }, 0),
        createdBy: row.created_by,
        createdAt: row.created_at,
        resolvedBy: row.resolved_by,
        resolvedAt: row.resolved_at,
        notes: notes
          .filter((n) => n.dispute_id === row.id)
          .map((n) => ({ id: n.id, author: n.author, text: n.text, createdAt: n.created_at })),
      };
    });
  }

  async function loadDispute(trx: Executor, id: string): Promise<Dispute> {
    const row = await repo.findDisputeById(trx, id);
    if (!row) fail('DISPUTE_NOT_FOUND', `No dispute has the id ${id}`, { disputeId: id });
    return (await loadDisputes(trx, [row]))[0]!;
  }

  /** The dispute, refusing a patron who is not its patron as if it did not exist. */
  async function disputeFor(
    trx: Executor,
    actor: Actor,
    id: string,
    permission: string,
  ): Promise<DisputeRow> {
    if (actor.type !== 'patron') requirePermission(actor, permission);
    const row = await repo.findDisputeById(trx, id);
    if (!row || (actor.type === 'patron' && actor.patronId !== row.patron_id))
      fail('DISPUTE_NOT_FOUND', `No dispute has the id ${id}`, { disputeId: id });
    return row;
  }

  /** The patron's charges named in `ids`, refusing any that is not one of theirs. */
  async function namedCharges(trx: Executor, patronId: string, ids: string[]): Promise<repo.ChargeState[]> {
    const states = await repo.findChargeStates(trx, patronId, { ids });
    const found = new Set(states.map((s) => s.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      fail('CHARGE_NOT_FOUND', `The patron has no charge ${missing.join(', ')}`, {
        patronId,
        chargeIds: missing,
      });
    return states;
  }

  /**
   * Posts a charge inside the caller's transaction (overdue fines, lost items, card replacement) and
   * audits it. With an idempotency key, a retry with the same key returns the first line and writes nothing
   * (the key used for another patron, kind or amount: IDEMPOTENCY_KEY_CONFLICT). Two transactions posting
   * the same new key at the same moment: the second fails on the key's unique index and must be retried.
   * Holds the account to MAX_BALANCE_MINOR (see {@link fitCharge}): null when a charge circulation worked
   * out was reduced to nothing. The account lock is the caller's to take (a manual fee holds it); two
   * charges racing each other on PostgreSQL without it may take the account past the limit by one charge,
   * which every sum still counts exactly.
   */
  async function postCharge(
    trx: Executor,
    now: Date,
    actor: Actor,
    c: NewCharge,
  ): Promise<AccountLine | null> {
    if (!isChargeKind(c.kind))
      fail('INVALID_CHARGE_KIND', `${String(c.kind)} is not a kind of charge`, { kind: c.kind });
    checkChargeAmount(c.kind, c.amountMinor);
    const description = checkText('INVALID_DESCRIPTION', c.description, 'a description of the charge');
    const key = checkKey(c.idempotencyKey);
    if (key !== null) {
      const existing = await repo.findLineByKey(trx, key);
      if (existing) return toLine(replayed(existing, c.patronId, c.kind, c.amountMinor));
    }
    if (!(await repo.patronExists(trx, c.patronId)))
      fail('PATRON_NOT_FOUND', `No patron has the id ${c.patronId}`, { patronId: c.patronId });
    const sums = await repo.accountSums(trx, c.patronId);
    const amount = fitCharge(c.kind, c.amountMinor, sums.debitMinor - sums.allocatedMinor);
    if (amount === 0) return null;
    const row: AccountLineRow = {
      id: newId(now.getTime()),
      patron_id: c.patronId,
      kind: c.kind,
      amount_minor: amount,
      currency,
      loan_id: c.loanId ?? null,
      item_id: c.itemId ?? null,
      description: amount < c.amountMinor ? reducedDescription(description) : description,
      reason: c.reason ?? null,
      created_by: actorLabel(actor),
      created_at: now.toISOString(),
      idempotency_key: key,
    };
    await repo.insertLine(trx, row);
    await recordAudit(trx, now, actor, {
      action: 'fines.charged',
      entityType: 'patron',
      entityId: c.patronId,
      changes: {
        lineId: row.id,
        kind: c.kind,
        amountMinor: amount,
        loanId: row.loan_id,
        ...(amount < c.amountMinor ? { requestedMinor: c.amountMinor } : {}),
      },
    });
    return toLine(row);
  }

  /**
   * Many charges in the caller's transaction, in a few statements (the daily fines accrual): each
   * checked as {@link postCharge} checks it, without idempotency keys, and held to MAX_BALANCE_MINOR by
   * what the batch's patrons owe at its start (read in two statements, without the account locks, so a
   * fee posted at the same moment may take an account past the limit by that one batch). The patrons
   * must exist (the caller holds rows that reference them).
   */
  async function postCharges(
    trx: Executor,
    now: Date,
    actor: Actor,
    charges: readonly Omit<NewCharge, 'idempotencyKey'>[],
  ): Promise<void> {
    if (charges.length === 0) return;
    const owed = await repo.owedByPatrons(
      trx,
      charges.map((c) => c.patronId),
    );
    const rows: AccountLineRow[] = [];
    for (const c of charges) {
      if (!isChargeKind(c.kind))
        fail('INVALID_CHARGE_KIND', `${String(c.kind)} is not a kind of charge`, { kind: c.kind });
      checkChargeAmount(c.kind, c.amountMinor);
      const description = checkText('INVALID_DESCRIPTION', c.description, 'a description of the charge');
      const before = owed.get(c.patronId) ?? 0;
      const amount = fitCharge(c.kind, c.amountMinor, before);
      if (amount === 0) continue;
      owed.set(c.patronId, before + amount);
      rows.push({
        id: newId(now.getTime()),
        patron_id: c.patronId,
        kind: c.kind,
        amount_minor: amount,
        currency,
        loan_id: c.loanId ?? null,
        item_id: c.itemId ?? null,
        description: amount < c.amountMinor ? reducedDescription(description) : description,
        reason: c.reason ?? null,
        created_by: actorLabel(actor),
        created_at: now.toISOString(),
        idempotency_key: null,
      });
    }
    if (rows.length === 0) return;
    await repo.insertLines(trx, rows);
    await recordAudits(
      trx,
      now,
      actor,
      rows.map((row) => ({
        action: 'fines.charged',
        entityType: 'patron',
        entityId: row.patron_id,
        changes: { lineId: row.id, kind: row.kind, amountMinor: row.amount_minor, loanId: row.loan_id },
      })),
    );
  }

  /** A payment with what it covered and its receipt number (fines.collect, or the patron's own). */
  async function getPayment(actor: Actor, paymentId: string): Promise<Payment> {
    if (actor.type !== 'patron') requirePermission(actor, 'fines.collect');
    const row = await repo.findLineById(db, paymentId);
    if (row?.kind !== 'payment' || (actor.type === 'patron' && actor.patronId !== row.patron_id))
      fail('PAYMENT_NOT_FOUND', `No payment has the id ${paymentId}`, { paymentId });
    return loadPayment(db, row);
  }

  return {
    postCharge,
    postCharges,

    /**
     * A lost item came back: credits, inside the caller's transaction, each of the loan's charges of the
     * given kinds that was not reversed before. Each reversal (`lost_returned`) covers what is still owed on
     * its charge; what the patron had paid on it becomes their credit (refundable). A part that was waived
     * or written off is not credited (the patron never paid it). One reversal per charge, ever (its key is
     * `stacks:reversal:<charge id>`), so a retry credits nothing twice.
     */
    async reverseLoanCharges(
      trx: Executor,
      now: Date,
      actor: Actor,
      r: { patronId: string; loanId: string; kinds: ChargeKind[]; description: string },
    ): Promise<{ creditedMinor: number }> {
      for (const kind of r.kinds)
        if (!isChargeKind(kind)) fail('INVALID_CHARGE_KIND', `${kind} is not a kind of charge`, { kind });
      const description = checkText('INVALID_DESCRIPTION', r.description, 'a description of the reversal');
      await lock(trx, r.patronId);
      const charges = await repo.findChargeStates(trx, r.patronId, { loanId: r.loanId, kinds: r.kinds });
      let creditedMinor = 0;
      const reversed: { chargeId: string; creditedMinor: number; lineId: string }[] = [];
      for (const charge of charges) {
        const key = `${RESERVED_KEY_PREFIX}reversal:${charge.id}`;
        if (await repo.findLineByKey(trx, key)) continue;
        const outstanding = charge.amount_minor - charge.allocated_minor;
        const amount = outstanding + charge.paid_minor;
        if (amount <= 0) continue;
        const line = await writeCredit(
          trx,
          now,
          actor,
          {
            patron_id: r.patronId,
            kind: 'lost_returned',
            amount_minor: -amount,
            loan_id: charge.loan_id,
            item_id: charge.item_id,
            description,
            reason: null,
            idempotency_key: key,
          },
          outstanding > 0 ? [{ chargeId: charge.id, amountMinor: outstanding }] : [],
        );
        creditedMinor += amount;
        reversed.push({ chargeId: charge.id, creditedMinor: amount, lineId: line.id });
      }
      if (reversed.length > 0)
        await recordAudit(trx, now, actor, {
          action: 'fines.reversed',
          entityType: 'patron',
          entityId: r.patronId,
          changes: { loanId: r.loanId, reversed },
        });
      return { creditedMinor };
    },

    /**
     * Takes back up to `amountMinor` of a loan's overdue fine that turned out too high (a check-in
     * backdated to before the daily accrual ran): a waiver over what is still owed on the loan's overdue
     * charges. What the patron already paid stays paid (staff can refund it); returns what was credited.
     */
    async creditLoanFine(
      trx: Executor,
      now: Date,
      actor: Actor,
      r: { patronId: string; loanId: string; amountMinor: number; description: string },
    ): Promise<{ creditedMinor: number }> {
      checkAmount(r.amountMinor);
      const description = checkText('INVALID_DESCRIPTION', r.description, 'a description of the correction');
      await lock(trx, r.patronId);
      const charges = (
        await repo.findChargeStates(trx, r.patronId, { loanId: r.loanId, kinds: ['overdue'] })
      ).filter((c) => c.amount_minor - c.allocated_minor > 0);
      const amount = Math.min(r.amountMinor, outstandingOf(charges));
      if (amount === 0) return { creditedMinor: 0 };
      const { allocations } = allocate(
        amount,
        charges.map((c) => ({ ...asOpen(c), disputed: false })),
      );
      const row = await writeCredit(
        trx,
        now,
        actor,
        {
          patron_id: r.patronId,
          kind: 'waiver',
          amount_minor: -amount,
          loan_id: r.loanId,
          item_id: null,
          description,
          reason: description,
          idempotency_key: null,
        },
        allocations,
      );
      await recordAudit(trx, now, actor, {
        action: 'fines.waived',
        entityType: 'patron',
        entityId: r.patronId,
        changes: { lineId: row.id, amountMinor: amount, reason: description, allocations },
      });
      return { creditedMinor: amount };
    },

    /** Patrons owing more than `minMinor`, a page at a time in id order (for the fines bill run). */
    patronsOwing(minMinor: number, afterId: string, limit: number) {
      return repo.findPatronsOwing(db, minMinor, afterId, limit);
    },

    /** The patron's balance, what of it is under open disputes, and their unused credit. */
    async balanceOf(trx: Executor, patronId: string): Promise<BalanceSummary> {
      const sums = await repo.accountSums(trx, patronId);
      const disputedIds = await repo.findOpenlyDisputedChargeIds(trx, patronId);
      const disputed =
        disputedIds.length > 0 ? await repo.findChargeStates(trx, patronId, { ids: disputedIds }) : [];
      return {
        balanceMinor: sums.debitMinor - sums.creditMinor,
        disputedMinor: outstandingOf(disputed),
        creditMinor: sums.creditMinor - sums.allocatedMinor,
      };
    },

    /** The patron's account lines and disputes for their privacy export (under the key `fines`). */
    async exportPatronData(
      trx: Executor,
      patronId: string,
    ): Promise<{ currency: string; lines: AccountLine[]; disputes: Dispute[] }> {
      const { lines } = await repo.findLedger(trx, patronId);
      return {
        currency,
        lines: lines.map(toLine),
        disputes: await loadDisputes(trx, await repo.findDisputesOfPatron(trx, patronId)),
      };
    },

    /**
     * Moves every line and dispute of one patron to another when patrons are merged: the one change to
     * the ledger that is not an append. The caller audits the merge.
     */
    async movePatronLines(trx: Executor, fromPatronId: string, toPatronId: string): Promise<void> {
      await repo.moveLines(trx, fromPatronId, toPatronId);
    },

    /**
     * The patron's account: lines newest first with what remains of each and how it was allocated,
     * disputes, and totals. Staff need patrons.read; a patron may read their own.
     */
    async account(actor: Actor, patronId: string): Promise<Account> {
      requireSelfOr(actor, patronId, 'patrons.read');
      if (!(await repo.patronExists(db, patronId)))
        fail('PATRON_NOT_FOUND', `No patron has the id ${patronId}`, { patronId });
      const { lines, allocations } = await repo.findLedger(db, patronId);
      const disputes = await loadDisputes(db, await repo.findDisputesOfPatron(db, patronId));
      const openDisputeOf = new Map<string, string>();
      for (const d of disputes)
        if (d.status === 'open') for (const c of d.chargeIds) openDisputeOf.set(c, d.id);
      const { remaining, totals } = summarize(
        lines.map((l) => ({ id: l.id, kind: l.kind, amountMinor: l.amount_minor, createdAt: l.created_at })),
        allocations.map((a) => ({
          creditId: a.credit_id,
          chargeId: a.charge_id,
          amountMinor: a.amount_minor,
        })),
        new Set(openDisputeOf.keys()),
      );
      return {
        patronId,
        currency,
        totals,
        lines: lines.map((row) => ({
          ...toLine(row),
          outstandingMinor: remaining.get(row.id) ?? 0,
          allocations: allocations
            .filter((a) => (isDebitKind(row.kind) ? a.charge_id : a.credit_id) === row.id)
            .map(toAllocation),
          disputeId: openDisputeOf.get(row.id) ?? null,
        })),
        disputes,
      };
    },

    /** Adds a fee by hand (damage, a lost card, printing, anything else), needing fines.collect. */
    async addFee(
      actor: Actor,
      patronId: string,
      input: {
        kind: ManualFeeKind;
        amountMinor: number;
        description: string;
        itemId?: string | null;
        idempotencyKey?: string | null;
      },
    ): Promise<AccountLine> {
      requirePermission(actor, 'fines.collect');
      if (!(MANUAL_FEE_KINDS as readonly string[]).includes(input.kind))
        fail('INVALID_CHARGE_KIND', `Staff add fees of the kinds ${MANUAL_FEE_KINDS.join(', ')}`, {
          kind: input.kind,
        });
      checkAmount(input.amountMinor);
      checkText('INVALID_DESCRIPTION', input.description, 'a description of the fee');
      const key = checkKey(input.idempotencyKey);
      const now = clock.now();
      return withKey(
        key,
        () =>
          db.transaction().execute(async (trx) => {
            await lock(trx, patronId);
            if (input.itemId && !(await repo.itemExists(trx, input.itemId)))
              fail('ITEM_NOT_FOUND', `No item has the id ${input.itemId}`, { itemId: input.itemId });
            // A manual fee past the account limit is refused, never reduced: there is always a line.
            return (await postCharge(trx, now, actor, {
              patronId,
              kind: input.kind,
              amountMinor: input.amountMinor,
              itemId: input.itemId ?? null,
              description: input.description,
              idempotencyKey: key,
            }))!;
          }),
        async (existing) => toLine(replayed(existing, patronId, input.kind, input.amountMinor)),
      );
    },

    /**
     * Takes a payment (fines.collect). It covers the charges named in `chargeIds` first, then the others
     * oldest first, charges under an open dispute last; it may not exceed what is owed. A retry with the
     * same idempotency key returns the first payment and writes nothing.
     */
    async pay(
      actor: Actor,
      patronId: string,
      input: {
        amountMinor: number;
        method: PaymentMethod;
        chargeIds?: string[];
        note?: string | null;
        idempotencyKey?: string | null;
      },
    ): Promise<Payment> {
      requirePermission(actor, 'fines.collect');
      checkAmount(input.amountMinor, 'A payment');
      const method = checkMethod(input.method);
      const first = input.chargeIds === undefined ? [] : checkChargeIds(input.chargeIds);
      const note =
        input.note === undefined || input.note === null || input.note.trim() === ''
          ? null
          : checkText('INVALID_NOTE', input.note, 'a note');
      const key = checkKey(input.idempotencyKey);
      const now = clock.now();
      return withKey(
        key,
        () =>
          db.transaction().execute(async (trx) => {
            await lock(trx, patronId);
            if (key !== null) {
              const existing = await repo.findLineByKey(trx, key);
              if (existing)
                return loadPayment(trx, replayed(existing, patronId, 'payment', input.amountMinor));
            }
            const chosen = await namedCharges(trx, patronId, first);
            const settled = chosen.filter((s) => s.amount_minor <= s.allocated_minor).map((s) => s.id);
            if (settled.length > 0)
              fail('CHARGE_NOT_OUTSTANDING', `Nothing is owed on ${settled.join(', ')} any more`, {
                chargeIds: settled,
              });
            const open = await repo.findChargeStates(trx, patronId, { openOnly: true });
            const owed = outstandingOf(open);
            if (input.amountMinor > owed)
              fail(
                'PAYMENT_EXCEEDS_BALANCE',
                `The payment (${input.amountMinor}) is more than the patron owes (${owed})`,
                { amountMinor: input.amountMinor, owedMinor: owed },
              );
            const { allocations } = allocate(input.amountMinor, open.map(asOpen), first);
            const row = await writeCredit(
              trx,
              now,
              actor,
              {
                patron_id: patronId,
                kind: 'payment',
                amount_minor: -input.amountMinor,
                loan_id: null,
                item_id: null,
                description: methodLine('Payment', method),
                reason: note,
                idempotency_key: key,
              },
              allocations,
            );
            await recordAudit(trx, now, actor, {
              action: 'fines.payment_taken',
              entityType: 'patron',
              entityId: patronId,
              changes: { lineId: row.id, amountMinor: input.amountMinor, method, allocations },
            });
            return loadPayment(trx, row);
          }),
        async (existing) => loadPayment(db, replayed(existing, patronId, 'payment', input.amountMinor)),
      );
    },

    payment: getPayment,

    /**
     * Waives charges (fines.waive), with a reason: all that is outstanding on them, or `amountMinor` of it
     * spread over them oldest first.
     */
    async waive(
      actor: Actor,
      patronId: string,
      input: { chargeIds: string[]; amountMinor?: number | null; reason: string },
    ): Promise<Posting> {
      requirePermission(actor, 'fines.waive');
      const ids = checkChargeIds(input.chargeIds);
      const reason = checkText('INVALID_REASON', input.reason, 'a reason for the waiver');
      if (input.amountMinor !== undefined && input.amountMinor !== null) checkAmount(input.amountMinor);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await lock(trx, patronId);
        const charges = await namedCharges(trx, patronId, ids);
        const outstanding = outstandingOf(charges);
        if (outstanding === 0)
          fail('NOTHING_OUTSTANDING', 'Nothing is owed on these charges', { chargeIds: ids });
        const amount = input.amountMinor ?? outstanding;
        if (amount > outstanding)
          fail(
            'WAIVER_EXCEEDS_OUTSTANDING',
            `The waiver (${amount}) is more than is owed on these charges (${outstanding})`,
            { amountMinor: amount, outstandingMinor: outstanding },
          );
        const { allocations } = allocate(
          amount,
          charges.map((c) => ({ ...asOpen(c), disputed: false })),
        );
        const row = await writeCredit(
          trx,
          now,
          actor,
          {
            patron_id: patronId,
            kind: 'waiver',
            amount_minor: -amount,
            loan_id: null,
            item_id: null,
            description: 'Waiver',
            reason,
            idempotency_key: null,
          },
          allocations,
        );
        await recordAudit(trx, now, actor, {
          action: 'fines.waived',
          entityType: 'patron',
          entityId: patronId,
          changes: { lineId: row.id, amountMinor: amount, reason, allocations },
        });
        return loadPosting(trx, row);
      });
    },

    /** Writes off everything the patron owes (fines.waive), with a reason. */
    async writeOff(actor: Actor, patronId: string, input: { reason: string }): Promise<Posting> {
      requirePermission(actor, 'fines.waive');
      const reason = checkText('INVALID_REASON', input.reason, 'a reason for the write-off');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await lock(trx, patronId);
        const open = await repo.findChargeStates(trx, patronId, { openOnly: true });
        const owed = outstandingOf(open);
        if (owed === 0) fail('NOTHING_OUTSTANDING', 'The patron owes nothing', { patronId });
        const { allocations } = allocate(owed, open.map(asOpen));
        const row = await writeCredit(
          trx,
          now,
          actor,
          {
            patron_id: patronId,
            kind: 'writeoff',
            amount_minor: -owed,
            loan_id: null,
            item_id: null,
            description: 'Write-off',
            reason,
            idempotency_key: null,
          },
          allocations,
        );
        await recordAudit(trx, now, actor, {
          action: 'fines.written_off',
          entityType: 'patron',
          entityId: patronId,
          changes: { lineId: row.id, amountMinor: owed, reason, allocations },
        });
        return loadPosting(trx, row);
      });
    },

    /** Pays the patron back out of their credit (fines.waive), never more than the credit. */
    async refund(
      actor: Actor,
      patronId: string,
      input: { amountMinor: number; method: PaymentMethod; reason: string },
    ): Promise<Posting> {
      requirePermission(actor, 'fines.waive');
      checkAmount(input.amountMinor, 'A refund');
      const method = checkMethod(input.method);
      const reason = checkText('INVALID_REASON', input.reason, 'a reason for the refund');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await lock(trx, patronId);
        const credits = await repo.findOpenCredits(trx, patronId);
        const available = credits.reduce((sum, c) => sum + c.unallocated_minor, 0);
        if (input.amountMinor > available)
          fail(
            'REFUND_EXCEEDS_CREDIT',
            `The refund (${input.amountMinor}) is more than the patron's credit (${available})`,
            { amountMinor: input.amountMinor, creditMinor: available },
          );
        const { allocations } = allocate(
          input.amountMinor,
          credits.map((c) => ({
            id: c.id,
            createdAt: c.created_at,
            outstandingMinor: c.unallocated_minor,
            disputed: false,
          })),
        );
        const row = await writeCredit(
          trx,
          now,
          actor,
          {
            patron_id: patronId,
            kind: 'refund',
            amount_minor: input.amountMinor,
            loan_id: null,
            item_id: null,
            description: methodLine('Refund', method),
            reason,
            idempotency_key: null,
          },
          allocations,
          'drawsOn',
        );
        await recordAudit(trx, now, actor, {
          action: 'fines.refunded',
          entityType: 'patron',
          entityId: patronId,
          changes: { lineId: row.id, amountMinor: input.amountMinor, method, reason },
        });
        return loadPosting(trx, row);
      });
    },

    /** The patron's disputes, newest first (patrons.read, or the patron's own). */
    async listDisputes(actor: Actor, patronId: string): Promise<Dispute[]> {
      requireSelfOr(actor, patronId, 'patrons.read');
      if (!(await repo.patronExists(db, patronId)))
        fail('PATRON_NOT_FOUND', `No patron has the id ${patronId}`, { patronId });
      return loadDisputes(db, await repo.findDisputesOfPatron(db, patronId));
    },

    /** One dispute with its notes (patrons.read, or the patron's own). */
    async dispute(actor: Actor, disputeId: string): Promise<Dispute> {
      const row = await disputeFor(db, actor, disputeId, 'patrons.read');
      return loadDispute(db, row.id);
    },

    /**
     * Records a complaint about charges (fines.collect, or the patron about their own charges). Each charge
     * must still be owed on and in no other open dispute; until the dispute is resolved, payments cover the
     * charges last and circulation does not count them against the patron.
     */
    async openDispute(
      actor: Actor,
      patronId: string,
      input: { chargeIds: string[]; complaint: string },
    ): Promise<Dispute> {
      requireSelfOr(actor, patronId, 'fines.collect');
      const ids = checkChargeIds(input.chargeIds);
      const complaint = checkText('INVALID_COMPLAINT', input.complaint, 'the complaint');
      const now = clock.now();
      const id = newId(now.getTime());
      await db.transaction().execute(async (trx) => {
        await lock(trx, patronId);
        const charges = await namedCharges(trx, patronId, ids);
        const settled = charges.filter((s) => s.amount_minor <= s.allocated_minor).map((s) => s.id);
        if (settled.length > 0)
          fail('CHARGE_NOT_OUTSTANDING', `Nothing is owed on ${settled.join(', ')} any more`, {
            chargeIds: settled,
          });
        const taken = await repo.findOpenDisputesOfCharges(trx, ids);
        if (taken.size > 0)
          fail('CHARGE_ALREADY_DISPUTED', `${[...taken.keys()].join(', ')} is in an open dispute already`, {
            chargeIds: [...taken.keys()],
            disputeIds: [...new Set(taken.values())],
          });
        await repo.insertDispute(
          trx,
          {
            id,
            patron_id: patronId,
            status: 'open',
            complaint,
            resolution: null,
            waived_minor: 0,
            created_by: actorLabel(actor),
            created_at: now.toISOString(),
            resolved_by: null,
            resolved_at: null,
          },
          ids.map((chargeId) => ({ dispute_id: id, charge_id: chargeId })),
        );
        await recordAudit(trx, now, actor, {
          action: 'dispute.opened',
          entityType: 'dispute',
          entityId: id,
          changes: { patronId, chargeIds: ids },
        });
      });
      return loadDispute(db, id);
    },

    /** Adds a note to a dispute, open or resolved (fines.collect, or the patron on their own dispute). */
    async addDisputeNote(actor: Actor, disputeId: string, text: string): Promise<Dispute> {
      const body = checkText('INVALID_NOTE', text, 'the text of the note');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await disputeFor(trx, actor, disputeId, 'fines.collect');
        const noteId = newId(now.getTime());
        await repo.insertDisputeNote(trx, {
          id: noteId,
          dispute_id: row.id,
          author: actorLabel(actor),
          text: body,
          created_at: now.toISOString(),
        });
        await recordAudit(trx, now, actor, {
          action: 'dispute.note_added',
          entityType: 'dispute',
          entityId: row.id,
          changes: { noteId },
        });
      });
      return loadDispute(db, disputeId);
    },

    /**
     * Resolves an open dispute (fines.waive) with a resolution: `upheld` keeps the charges; `waived_whole`
     * waives all still owed on them; `waived_part` waives `amountMinor` of it, oldest charge first. The
     * waiver's reason is the resolution. A resolved dispute stays resolved.
     */
    async resolveDispute(
      actor: Actor,
      disputeId: string,
      input: { outcome: DisputeOutcome; amountMinor?: number | null; resolution: string },
    ): Promise<Dispute> {
      requirePermission(actor, 'fines.waive');
      if (!['upheld', 'waived_part', 'waived_whole'].includes(input.outcome))
        fail('INVALID_OUTCOME', 'The outcome is upheld, waived_part or waived_whole', {
          outcome: input.outcome,
        });
      const resolution = checkText('INVALID_RESOLUTION', input.resolution, 'the resolution');
      const hasAmount = input.amountMinor !== undefined && input.amountMinor !== null;
      if (input.outcome === 'waived_part') checkAmount(input.amountMinor, 'The part waived');
      else if (hasAmount)
        fail('INVALID_AMOUNT', 'Give an amount only for waived_part', { amountMinor: input.amountMinor });
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const found = await disputeFor(trx, actor, disputeId, 'fines.waive');
        await lock(trx, found.patron_id);
        const row = (await repo.findDisputeById(trx, disputeId))!;
        if (row.status !== 'open')
          fail('DISPUTE_CLOSED', `The dispute was resolved already (${row.status})`, {
            disputeId,
            status: row.status,
          });
        const ids = (await repo.findDisputeCharges(trx, [row.id])).map((c) => c.charge_id);
        const charges = await repo.findChargeStates(trx, row.patron_id, { ids });
        const outstanding = outstandingOf(charges);
        const amount =
          input.outcome === 'upheld'
            ? 0
            : input.outcome === 'waived_whole'
              ? outstanding
              : input.amountMinor!;
        if (amount > outstanding)
          fail(
            'WAIVER_EXCEEDS_OUTSTANDING',
            `The part waived (${amount}) is more than is owed on the disputed charges (${outstanding})`,
            { amountMinor: amount, outstandingMinor: outstanding },
          );
        let waiverId: string | null = null;
        if (amount > 0) {
          const { allocations } = allocate(
            amount,
            charges.map((c) => ({ ...asOpen(c), disputed: false })),
          );
          const waiver = await writeCredit(
            trx,
            now,
            actor,
            {
              patron_id: row.patron_id,
              kind: 'waiver',
              amount_minor: -amount,
              loan_id: null,
              item_id: null,
              description: 'Waiver on a dispute',
              reason: resolution,
              idempotency_key: null,
            },
            allocations,
          );
          waiverId = waiver.id;
        }
        const closed = await repo.closeDispute(trx, row.id, {
          status: input.outcome,
          resolution,
          waived_minor: amount,
          resolved_by: actorLabel(actor),
          resolved_at: now.toISOString(),
        });
        if (!closed) fail('DISPUTE_CLOSED', 'The dispute was resolved already', { disputeId });
        await recordAudit(trx, now, actor, {
          action: 'dispute.resolved',
          entityType: 'dispute',
          entityId: row.id,
          changes: { patronId: row.patron_id, outcome: input.outcome, waivedMinor: amount, waiverId },
        });
      });
      return loadDispute(db, disputeId);
    },

    /**
     * A printable receipt for a payment (fines.collect, or the patron's own): library and the patron's
     * home branch, receipt number, date and time in that branch's zone, what the payment covered, and
     * the balance after it.
     */
    async receiptPdf(actor: Actor, paymentId: string, options: { createdAt?: Date } = {}): Promise<Buffer> {
      const payment = await getPayment(actor, paymentId);
      const party = await repo.findReceiptParty(db, payment.line.patronId);
      return receiptPdf(
        {
          libraryName: party?.library_name ?? 'Library',
          branchName: party?.branch_name ?? null,
          receiptNumber: payment.receiptNumber,
          paidAt: new Date(payment.line.createdAt),
          timeZone: party?.time_zone ?? 'UTC',
          patronName: party ? `${party.first_name} ${party.last_name}` : '',
          method: payment.method,
          amountMinor: -payment.line.amountMinor,
          currency: payment.line.currency,
          parts: payment.applied.map((a) => ({
            description: a.description,
            chargedAt: a.createdAt,
            amountMinor: a.amountMinor,
          })),
          balanceAfterMinor: payment.balanceAfterMinor,
          note: payment.line.reason,
        },
        options,
      );
    },
  };
}

export type FinesService = ReturnType<typeof createFinesService>;
