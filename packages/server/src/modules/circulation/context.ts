import type { Database, Executor } from '../../db/database.ts';
import type { CirculationRuleRow } from '../../db/schema.ts';
import type { Actor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { BranchService } from '../branches/index.ts';
import * as repo from './circulation-repository.ts';
import type { BranchCalendar } from './due-date.ts';
import type { CirculationErrorCode } from './errors.ts';
import type { CirculationRule, LoanUnit } from './rules.ts';

/** What circulation needs to know about a patron (the patrons module provides it). */
export interface DeskPatron {
  id: string;
  cardBarcode: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  email: string | null;
  language: string;
  noticeChannel: 'email' | 'print';
  categoryCode: string;
  homeBranchId: string;
  expiresOn: string;
  keepHistory: boolean;
  status: 'active' | 'merged' | 'deleted';
  category: { code: string; name: string; loanLimit: number; fineLimitMinor: number | null };
  manualBlocks: { id: string; reason: string; createdAt: string }[];
}

/** The other modules circulation works with, each inside circulation's transaction. */
export interface CirculationPorts {
  patrons: {
    byCard(trx: Executor, cardBarcode: string): Promise<DeskPatron>;
    byId(trx: Executor, id: string): Promise<DeskPatron>;
  };
  fines: {
    postCharge(
      trx: Executor,
      now: Date,
      actor: Actor,
      c: {
        patronId: string;
        kind: 'overdue' | 'lost' | 'lost_processing';
        amountMinor: number;
        loanId?: string | null;
        itemId?: string | null;
        description: string;
      },
    ): Promise<unknown>;
    /** Many charges in a few statements (the daily accrual); the patrons exist. */
    postCharges(
      trx: Executor,
      now: Date,
      actor: Actor,
      charges: readonly {
        patronId: string;
        kind: 'overdue';
        amountMinor: number;
        loanId: string;
        itemId: string;
        description: string;
      }[],
    ): Promise<void>;
    reverseLoanCharges(
      trx: Executor,
      now: Date,
      actor: Actor,
      r: {
        patronId: string;
        loanId: string;
        kinds: ('lost' | 'lost_processing' | 'overdue')[];
        description: string;
      },
    ): Promise<{ creditedMinor: number }>;
    creditLoanFine(
      trx: Executor,
      now: Date,
      actor: Actor,
      r: { patronId: string; loanId: string; amountMinor: number; description: string },
    ): Promise<{ creditedMinor: number }>;
    patronsOwing(
      minMinor: number,
      afterId: string,
      limit: number,
    ): Promise<{ patronId: string; balanceMinor: number }[]>;
    account(
      actor: Actor,
      patronId: string,
    ): Promise<{
      lines: { amountMinor: number; outstandingMinor: number; description: string; createdAt: string }[];
    }>;
    balanceOf(
      trx: Executor,
      patronId: string,
    ): Promise<{ balanceMinor: number; disputedMinor: number; creditMinor: number }>;
  };
  notices: {
    enqueue(
      trx: Executor,
      now: Date,
      n: {
        patron: Pick<DeskPatron, 'id' | 'firstName' | 'lastName' | 'email' | 'language' | 'noticeChannel'>;
        kind:
          | 'courtesy'
          | 'overdue1'
          | 'overdue2'
          | 'overdue3'
          | 'hold_available'
          | 'hold_expiring'
          | 'fines_bill'
          | 'lost';
        dedupeKey: string;
        data: Record<string, unknown>;
        branch?: { name: string; email?: string | null; phone?: string | null } | null;
      },
    ): Promise<{ queued: boolean; noticeId: string | null }>;
  };
}

export interface CirculationDeps {
  database: Database;
  clock: Clock;
  branches: BranchService;
  ports: CirculationPorts;
  currency: string;
}

export interface BranchInfo extends BranchCalendar {
  id: string;
  code: string;
  name: string;
  email: string | null;
  phone: string | null;
}

export function fail(code: CirculationErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

export function toRule(row: CirculationRuleRow): CirculationRule {
  return {
    id: row.id,
    branchId: row.branch_id,
    patronCategory: row.patron_category,
    itemType: row.item_type,
    loanPeriod: row.loan_period,
    loanUnit: row.loan_unit as LoanUnit,
    renewalsAllowed: row.renewals_allowed,
    renewalPeriod: row.renewal_period,
    maxLoans: row.max_loans,
    finePerUnitMinor: Number(row.fine_per_unit_minor),
    graceUnits: row.grace_units,
    maxFineMinor: row.max_fine_minor === null ? null : Number(row.max_fine_minor),
    holdsAllowed: row.holds_allowed,
    holdShelfDays: row.hold_shelf_days,
    lostAfterDays: row.lost_after_days,
    lostProcessingFeeMinor: Number(row.lost_processing_fee_minor),
    refundLostOnReturn: Boolean(row.refund_lost_on_return),
    chargeClosedDays: Boolean(row.charge_closed_days),
  };
}

/** How long branch calendars are trusted before they are read again (edits by other processes show within this). */
const CALENDAR_TTL_MS = 30_000;

/**
 * Shared state of the circulation services: the rules matrix (re-read when its change marker moves) and
 * branch calendars (re-read every 30 s), so a checkout reads neither table on the hot path. Calendars
 * are read outside transactions (call `calendars()` before opening one): the branch service uses its
 * own connection, which on SQLite is the one a transaction holds.
 */
export function createCirculationContext(deps: CirculationDeps) {
  const { clock, branches } = deps;
  let rulesCache: { version: string; rules: CirculationRule[] } | null = null;
  let calendarCache: { loadedAt: number; byId: Map<string, BranchInfo> } | null = null;

  async function rules(trx: Executor): Promise<CirculationRule[]> {
    const version = await repo.rulesVersion(trx);
    if (rulesCache?.version !== version)
      rulesCache = { version, rules: (await repo.findRules(trx)).map(toRule) };
    return rulesCache.rules;
  }

  async function calendars(): Promise<Map<string, BranchInfo>> {
    const now = clock.now().getTime();
    if (calendarCache && now - calendarCache.loadedAt < CALENDAR_TTL_MS && now >= calendarCache.loadedAt)
      return calendarCache.byId;
    const [all, closed] = await Promise.all([branches.listBranches(), branches.listClosedDays({})]);
    const byId = new Map<string, BranchInfo>();
    for (const b of all) {
      byId.set(b.id, {
        id: b.id,
        code: b.code,
        name: b.name,
        email: b.email,
        phone: b.phone,
        timeZone: b.timeZone,
        hours: b.openingHours,
        closedDays: closed.filter((c) => c.branchId === null || c.branchId === b.id),
      });
    }
    calendarCache = { loadedAt: now, byId };
    return byId;
  }

  /** The branch's calendar, read before a transaction; BRANCH_NOT_FOUND for an unknown id. */
  async function branch(id: string): Promise<BranchInfo> {
    let info = (await calendars()).get(id);
    if (!info) {
      calendarCache = null;
      info = (await calendars()).get(id);
    }
    return info ?? branchIn(new Map(), id);
  }

  return {
    ...deps,
    db: deps.database.db,
    rules,
    calendars,
    branch,
    /** Forget cached calendars and rules (after changes made in this process). */
    forget: () => {
      calendarCache = null;
      rulesCache = null;
    },
  };
}

/** A branch from calendars already loaded (inside a transaction, where reading them again is not possible). */
export function branchIn(calendars: ReadonlyMap<string, BranchInfo>, id: string): BranchInfo {
  const info = calendars.get(id);
  if (!info) throw new AppError('BRANCH_NOT_FOUND', `No branch has the id ${id}`, { branchId: id });
  return info;
}

export type CirculationContext = ReturnType<typeof createCirculationContext>;
