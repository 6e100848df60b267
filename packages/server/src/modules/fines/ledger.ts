/**
 * The rules of a patron's account, as pure functions: which kinds of line there are, how a credit is
 * spread over open charges, and what the account adds up to. No database, no clock.
 *
 * The account is an append-only ledger. Charges (and refunds, money paid out to the patron) are
 * positive lines; credits (payments, waivers, write-offs, reversals of a lost fee) are negative lines.
 * An allocation says how much of one credit covers one charge or refund. The invariant, checked by
 * {@link ledgerProblems} and held by every operation of the service:
 *
 * 1. every line has a non-zero whole amount whose sign matches its kind;
 * 2. every allocation is positive and goes from a credit of the patron to a charge or refund of the patron;
 * 3. no charge or refund is covered beyond its amount (outstanding = amount − allocations ≥ 0), and a
 *    refund is always covered in full (it is paid out of the patron's credit);
 * 4. no credit is spent beyond its amount (unallocated = |amount| − allocations ≥ 0); payments, waivers and
 *    write-offs are always spent in full when written, so only a reversal (`lost_returned`) leaves a rest,
 *    which is the patron's credit;
 * 5. balance = Σ amounts = Σ outstanding of charges − Σ unallocated credit;
 * 6. 0 ≤ disputed (outstanding under open disputes) ≤ outstanding.
 */

/** What the patron is charged for: positive lines. */
export const CHARGE_KINDS = [
  'overdue',
  'lost',
  'lost_processing',
  'damage',
  'lost_card',
  'card_replacement',
  'printing',
  'manual',
] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];

/** What reduces what the patron owes: negative lines. */
export const CREDIT_KINDS = ['payment', 'waiver', 'writeoff', 'lost_returned'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

/** Money given back to the patron out of their credit: a positive line, always covered in full. */
export type PayoutKind = 'refund';

/** Every kind of account line. */
export type LineKind = ChargeKind | CreditKind | PayoutKind;

/** Fees staff may add by hand (the others come from circulation and patron services). */
export const MANUAL_FEE_KINDS = ['damage', 'lost_card', 'printing', 'manual'] as const;
export type ManualFeeKind = (typeof MANUAL_FEE_KINDS)[number];

/** How a payment or refund changed hands. */
export const PAYMENT_METHODS = ['cash', 'card', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export function isChargeKind(kind: string): kind is ChargeKind {
  return (CHARGE_KINDS as readonly string[]).includes(kind);
}

export function isCreditKind(kind: string): kind is CreditKind {
  return (CREDIT_KINDS as readonly string[]).includes(kind);
}

/** Lines that credits are allocated to: charges and refunds. */
export function isDebitKind(kind: string): kind is ChargeKind | PayoutKind {
  return kind === 'refund' || isChargeKind(kind);
}

/** True for an amount a person may ask for: a positive whole number of minor units. */
export function isPositiveAmount(amount: unknown): amount is number {
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0;
}

/** A charge with something still owed on it, as allocation sees it. */
export interface OpenCharge {
  id: string;
  createdAt: string;
  outstandingMinor: number;
  /** Under an open dispute: covered only after every undisputed charge. */
  disputed: boolean;
}

/** How much of a credit goes to one charge. */
export interface PlannedAllocation {
  chargeId: string;
  amountMinor: number;
}

function byAge(a: OpenCharge, b: OpenCharge): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The order a credit covers charges in: the charges named in `first` (oldest first), then the other
 * undisputed charges oldest first (by creation time, then id), then the disputed ones oldest first, so a
 * payment never settles a charge the patron is still contesting while anything else is owed.
 */
export function allocationOrder(charges: readonly OpenCharge[], first: readonly string[] = []): OpenCharge[] {
  const chosen = new Set(first);
  const rank = (c: OpenCharge) => (chosen.has(c.id) ? 0 : c.disputed ? 2 : 1);
  return [...charges].sort((a, b) => rank(a) - rank(b) || byAge(a, b));
}

/**
 * Spreads `amountMinor` over `charges` in {@link allocationOrder}, never giving a charge more than is
 * outstanding on it. Returns the allocations (none of zero) and the rest that found no charge.
 */
export function allocate(
  amountMinor: number,
  charges: readonly OpenCharge[],
  first: readonly string[] = [],
): { allocations: PlannedAllocation[]; restMinor: number } {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0)
    throw new RangeError('allocate: the amount must be a non-negative whole number of minor units');
  let rest = amountMinor;
  const allocations: PlannedAllocation[] = [];
  for (const charge of allocationOrder(charges, first)) {
    if (rest === 0) break;
    const take = Math.min(rest, Math.max(0, charge.outstandingMinor));
    if (take > 0) {
      allocations.push({ chargeId: charge.id, amountMinor: take });
      rest -= take;
    }
  }
  return { allocations, restMinor: rest };
}

/** A ledger line as the account rules see it. */
export interface LedgerLine {
  id: string;
  kind: string;
  amountMinor: number;
  createdAt: string;
}

/** An allocation as the account rules see it. */
export interface LedgerAllocation {
  creditId: string;
  chargeId: string;
  amountMinor: number;
}

/** What an account adds up to. */
export interface AccountTotals {
  /** Σ of every line: what the patron owes net of their credit (negative when the library owes them). */
  balanceMinor: number;
  /** Σ still owed on charges. */
  outstandingMinor: number;
  /** Σ of credit not yet used (refundable). */
  creditMinor: number;
  /** Σ still owed on charges under an open dispute (part of `outstandingMinor`). */
  disputedMinor: number;
}

/**
 * Each line's remaining amount and the account's totals. A line's remaining amount is what is still owed
 * on a charge (≥ 0), or minus what is not yet used of a credit (≤ 0), so remaining amounts sum to the
 * balance as the amounts do.
 */
export function summarize(
  lines: readonly LedgerLine[],
  allocations: readonly LedgerAllocation[],
  disputedChargeIds: ReadonlySet<string> = new Set(),
): { remaining: Map<string, number>; totals: AccountTotals } {
  const remaining = new Map<string, number>();
  for (const line of lines) remaining.set(line.id, line.amountMinor);
  for (const a of allocations) {
    const charge = remaining.get(a.chargeId);
    if (charge !== undefined) remaining.set(a.chargeId, charge - a.amountMinor);
    const credit = remaining.get(a.creditId);
    if (credit !== undefined) remaining.set(a.creditId, credit + a.amountMinor);
  }
  const totals: AccountTotals = { balanceMinor: 0, outstandingMinor: 0, creditMinor: 0, disputedMinor: 0 };
  for (const line of lines) {
    const rest = remaining.get(line.id)!;
    totals.balanceMinor += line.amountMinor;
    if (rest > 0) {
      totals.outstandingMinor += rest;
      if (disputedChargeIds.has(line.id)) totals.disputedMinor += rest;
    } else if (rest < 0) {
      totals.creditMinor -= rest;
    }
  }
  return { remaining, totals };
}

/**
 * Every way the ledger breaks the account invariant (see the top of this file); empty when it holds.
 * Tests run it after every operation; it is cheap enough to run on a whole account.
 */
export function ledgerProblems(
  lines: readonly LedgerLine[],
  allocations: readonly LedgerAllocation[],
  disputedChargeIds: ReadonlySet<string> = new Set(),
): string[] {
  const problems: string[] = [];
  const byId = new Map(lines.map((l) => [l.id, l]));
  const malformed = new Set<string>();
  for (const line of lines) {
    const before = problems.length;
    if (!Number.isSafeInteger(line.amountMinor) || line.amountMinor === 0)
      problems.push(`line ${line.id}: amount ${line.amountMinor} is not a non-zero whole number`);
    else if (isDebitKind(line.kind) && line.amountMinor < 0)
      problems.push(`line ${line.id}: ${line.kind} must be positive`);
    else if (isCreditKind(line.kind) && line.amountMinor > 0)
      problems.push(`line ${line.id}: ${line.kind} must be negative`);
    else if (!isDebitKind(line.kind) && !isCreditKind(line.kind))
      problems.push(`line ${line.id}: unknown kind ${line.kind}`);
    if (problems.length > before) malformed.add(line.id);
  }
  for (const a of allocations) {
    const credit = byId.get(a.creditId);
    const charge = byId.get(a.chargeId);
    if (!Number.isSafeInteger(a.amountMinor) || a.amountMinor <= 0)
      problems.push(`allocation ${a.creditId}->${a.chargeId}: amount ${a.amountMinor} is not positive`);
    if (!credit || !isCreditKind(credit.kind))
      problems.push(`allocation ${a.creditId}->${a.chargeId}: ${a.creditId} is not a credit of this account`);
    if (!charge || !isDebitKind(charge.kind))
      problems.push(`allocation ${a.creditId}->${a.chargeId}: ${a.chargeId} is not a charge of this account`);
  }
  const { remaining, totals } = summarize(lines, allocations, disputedChargeIds);
  for (const line of lines) {
    const rest = remaining.get(line.id)!;
    if (malformed.has(line.id)) continue;
    if (isDebitKind(line.kind)) {
      if (rest < 0) problems.push(`line ${line.id}: ${line.kind} covered beyond its amount by ${-rest}`);
      if (line.kind === 'refund' && rest !== 0)
        problems.push(`line ${line.id}: refund not covered by credit`);
    } else if (isCreditKind(line.kind)) {
      if (rest > 0) problems.push(`line ${line.id}: ${line.kind} spent beyond its amount by ${rest}`);
      if (line.kind !== 'lost_returned' && rest !== 0)
        problems.push(`line ${line.id}: ${line.kind} has ${-rest} left unallocated`);
    }
  }
  if (totals.balanceMinor !== totals.outstandingMinor - totals.creditMinor)
    problems.push(
      `balance ${totals.balanceMinor} is not outstanding ${totals.outstandingMinor} − credit ${totals.creditMinor}`,
    );
  if (totals.disputedMinor < 0 || totals.disputedMinor > totals.outstandingMinor)
    problems.push(`disputed ${totals.disputedMinor} is outside 0…${totals.outstandingMinor}`);
  return problems;
}
