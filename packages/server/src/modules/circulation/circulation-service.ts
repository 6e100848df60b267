import type { Executor } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { LoanRow } from '../../db/schema.ts';
import { type Actor, actorLabel, can } from '../../kernel/actor.ts';
import { newId } from '../../kernel/ids.ts';
import { formatMinor } from '../../kernel/money.ts';
import { localDateOf } from '../../kernel/time-zone.ts';
import { recordAudit } from '../audit/index.ts';
import {
  type CirculationItem,
  changeItemStatus,
  circulationItemByBarcode,
  circulationItemById,
} from '../catalog/index.ts';
import * as repo from './circulation-repository.ts';
import { type BranchInfo, branchIn, type CirculationContext, type DeskPatron, fail } from './context.ts';
import { holdsNeedingItem, type PatronBlock, patronBlocks, type Refusal } from './desk.ts';
import { computeDueDate } from './due-date.ts';
import { type OverdueFine, overdueFine } from './overdue.ts';
import { type Routing, routeItem, trapOnShelf } from './routing.ts';
import { type CirculationRule, resolveRule } from './rules.ts';

/** A loan as the desk and the patron see it. */
export interface Loan {
  id: string;
  itemId: string;
  itemBarcode: string;
  recordId: string;
  title: string;
  author: string | null;
  callNumber: string | null;
  patronId: string | null;
  branchId: string;
  checkedOutAt: string;
  dueAt: string;
  renewals: number;
  status: 'active' | 'returned' | 'lost' | 'claimed_returned';
  returnedAt: string | null;
  overdue: boolean;
  fineChargedMinor: number;
}

export interface CheckoutInput {
  patronBarcode: string;
  itemBarcode: string;
  /** Where the desk is; default: the item's home branch. */
  branchId?: string;
  /** Check out despite the overridable refusals, for this reason (needs `circulation.override`). */
  override?: { reason: string };
}

export interface CheckoutResult {
  loan: Loan;
  patron: { id: string; name: string; cardBarcode: string };
  /** Set when the calendar moved the due date (closed day, closing time). */
  dueDateNote: string | null;
  /** What was overridden, if anything. */
  overridden: Refusal[];
  /** A hold of this patron the checkout filled. */
  filledHoldId: string | null;
}

export interface CheckinInput {
  itemBarcode: string;
  /** Where the item came back; default: the item's home branch. */
  branchId?: string;
  /** When it really came back (book drop emptied the next morning); default now. */
  returnedAt?: string;
}

export interface CheckinResult {
  item: {
    id: string;
    barcode: string;
    title: string;
    author: string | null;
    callNumber: string | null;
    status: string;
  };
  /** The loan this check-in ended; null when the item was not on loan. */
  loan: (Loan & { patronName: string | null; patronBarcode: string | null }) | null;
  overdueFineMinor: number;
  lostFeeRefundedMinor: number;
  routing: Routing & { patronName?: string; patronBarcode?: string };
  /** True when the item had been checked in already (a retry): nothing was charged or moved twice. */
  alreadyCheckedIn: boolean;
  messages: string[];
}

export interface RenewResult {
  loan: Loan;
  dueDateNote: string | null;
  overridden: Refusal[];
}

type LoanJoin = LoanRow & {
  barcode: string;
  record_id: string;
  call_number: string | null;
  title: string;
  main_author: string | null;
};

export function toLoan(row: LoanJoin, now: Date): Loan {
  const item = {
    barcode: row.barcode,
    recordId: row.record_id,
    callNumber: row.call_number,
    title: row.title,
    author: row.main_author,
  };
  return loanFrom(row, item, now);
}

/**
 * A loan as the API shows it, from its row and the item. Built field by field: with an object spread of
 * the row here (`{ ...row, barcode, … }`) V8 allocated about 3 KiB a checkout that outlived the
 * young-generation collections, two thirds to three quarters of all a busy server promoted to the old
 * generation (a sampling heap profile of what survived them).
 */
function loanFrom(
  row: LoanRow,
  item: Pick<CirculationItem, 'barcode' | 'recordId' | 'callNumber' | 'title' | 'author'>,
  now: Date,
): Loan {
  return {
    id: row.id,
    itemId: row.item_id,
    itemBarcode: item.barcode,
    recordId: item.recordId,
    title: item.title,
    author: item.author,
    callNumber: item.callNumber,
    patronId: row.patron_id,
    branchId: row.branch_id,
    checkedOutAt: row.checked_out_at,
    dueAt: row.due_at,
    renewals: row.renewals,
    status: row.status as Loan['status'],
    returnedAt: row.returned_at,
    overdue: row.returned_at === null && row.status === 'active' && row.due_at < now.toISOString(),
    fineChargedMinor: Number(row.fine_charged_minor),
  };
}

const patronName = (p: Pick<DeskPatron, 'firstName' | 'lastName'>) => `${p.firstName} ${p.lastName}`;

/**
 * A check-in that finds no open loan (a retry, a second scan, the loser of two desks scanning at once)
 * reports the item's last loan when that loan ended within this long of the return time the check-in
 * gives (its `returnedAt`, or now). A retry carries the first request's time, so it always qualifies; a
 * scan of an item that came back days ago names no earlier borrower.
 */
const REPEAT_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Posts the overdue fine a loan has run up to `at`, less what was posted before (so the accrual job and a
 * check-in never charge the same day twice). Returns the loan's total overdue fine. With `correctDown`
 * (a check-in backdated to before the accrual job last ran) a fine that came out lower than what was
 * posted is corrected: the difference still owed is waived. Loans renewed while overdue keep what was
 * posted before the renewal.
 */
export async function postOverdueFine(
  ctx: CirculationContext,
  trx: Executor,
  actor: Actor,
  now: Date,
  loan: LoanRow,
  at: Date,
  branch: BranchInfo,
  title: string,
  correctDown = false,
): Promise<number> {
  if (loan.patron_id === null) return Number(loan.fine_charged_minor);
  const fine = loanFine(loan, at, branch);
  const charged = Number(loan.fine_charged_minor);
  if (fine.amountMinor < charged && correctDown && loan.renewals === 0) {
    if (!(await repo.setFineCharged(trx, loan.id, charged, fine.amountMinor))) return charged;
    loan.fine_charged_minor = fine.amountMinor;
    await ctx.ports.fines.creditLoanFine(trx, now, actor, {
      patronId: loan.patron_id,
      loanId: loan.id,
      amountMinor: charged - fine.amountMinor,
      description: `Overdue fine recalculated: ${title} came back ${at.toISOString().slice(0, 10)}`,
    });
    return fine.amountMinor;
  }
  if (fine.amountMinor <= charged) return charged;
  if (!(await repo.setFineCharged(trx, loan.id, charged, fine.amountMinor))) return charged;
  loan.fine_charged_minor = fine.amountMinor;
  await ctx.ports.fines.postCharge(trx, now, actor, {
    patronId: loan.patron_id,
    kind: 'overdue',
    amountMinor: fine.amountMinor - charged,
    loanId: loan.id,
    itemId: loan.item_id,
    description: overdueDescription(loan, fine, title),
  });
  return fine.amountMinor;
}

/** The overdue fine a loan has run up to `at`, on the terms it was lent under. */
export function loanFine(loan: LoanRow, at: Date, branch: BranchInfo): OverdueFine {
  return overdueFine(
    new Date(loan.due_at),
    at,
    {
      loanUnit: loan.loan_unit as 'days' | 'hours',
      finePerUnitMinor: Number(loan.fine_per_unit_minor),
      graceUnits: loan.grace_units,
      maxFineMinor: loan.max_fine_minor === null ? null : Number(loan.max_fine_minor),
      chargeClosedDays: Boolean(loan.charge_closed_days),
    },
    branch,
  );
}

/** What an overdue charge says on the patron's account. */
export function overdueDescription(loan: LoanRow, fine: OverdueFine, title: string): string {
  const unit = loan.loan_unit === 'hours' ? 'hour' : 'day';
  return `Overdue: ${title} (${fine.unitsLate} ${unit}${fine.unitsLate === 1 ? '' : 's'} late${fine.capped ? ', capped' : ''})`;
}

function checkOverride(
  actor: Actor,
  refusals: Refusal[],
  override: { reason: string } | undefined,
): Refusal[] {
  if (refusals.length === 0) return [];
  const first = refusals[0]!;
  const details = { refusals };
  if (!override) fail(first.code, refusals.map((r) => r.message).join('; '), details);
  if (!override.reason || override.reason.trim().length < 3)
    fail('INVALID_OVERRIDE', 'Say why you override (a reason of at least 3 characters)', details);
  const hard = refusals.filter((r) => !r.overridable);
  if (hard.length > 0) fail(hard[0]!.code, hard.map((r) => r.message).join('; '), details);
  if (!can(actor, 'circulation.override'))
    fail(
      'OVERRIDE_NOT_ALLOWED',
      `You need the permission circulation.override to override: ${first.message}`,
      details,
    );
  return refusals;
}

/** Check out, check in, renew, lost and claims-returned: the desk's loan work. */
export function createCirculationService(ctx: CirculationContext) {
  const { db, clock } = ctx;

  function ruleFor(rules: CirculationRule[], branch: BranchInfo, patron: DeskPatron, item: CirculationItem) {
    const rule = resolveRule(rules, {
      branchId: branch.id,
      patronCategory: patron.categoryCode,
      itemType: item.itemType,
    });
    if (!rule)
      fail(
        'NO_CIRCULATION_RULE',
        `No circulation rule covers ${branch.code} / ${patron.categoryCode} / ${item.itemType}; add one (a rule with every field "any" covers everything)`,
        { branchId: branch.id, patronCategory: patron.categoryCode, itemType: item.itemType },
      );
    return rule;
  }

  async function checkout(actor: Actor, input: CheckoutInput): Promise<CheckoutResult> {
    const calendars = await ctx.calendars();
    if (input.branchId) await ctx.branch(input.branchId);
    const now = clock.now();
    const nowIso = now.toISOString();
    try {
      return await db.transaction().execute(async (trx) => {
        const patron = await ctx.ports.patrons.byCard(trx, input.patronBarcode);
        const item = await circulationItemByBarcode(trx, input.itemBarcode);
        if (!item)
          fail('ITEM_NOT_FOUND', `No item has the barcode ${input.itemBarcode}`, {
            itemBarcode: input.itemBarcode,
          });
        const branch = branchIn(calendars, input.branchId ?? item.branchId);
        const rule = ruleFor(await ctx.rules(trx), branch, patron, item);
        const today = localDateOf(now, branch.timeZone);
        const refusals: Refusal[] = [];
        const refuse = (code: Refusal['code'], message: string, overridable = true) =>
          refusals.push({ code, message, overridable });

        // The item.
        let trappedForPatron: string | null = null;
        if (item.status === 'checked_out') {
          const open = await repo.findOpenLoanOfItem(trx, item.id);
          if (open?.patron_id === patron.id)
            fail(
              'ITEM_CHECKED_OUT_TO_PATRON',
              `${item.title} is already checked out to this patron; renew it instead`,
              {
                itemBarcode: item.barcode,
                loanId: open.id,
              },
            );
          fail(
            'ITEM_ALREADY_CHECKED_OUT',
            `${item.title} (${item.barcode}) is checked out to someone else; check it in first`,
            {
              itemBarcode: item.barcode,
            },
          );
        }
        if (!item.isCirculating || rule.loanPeriod === 0)
          refuse('ITEM_NOT_LOANABLE', `${item.title} is for use in the library only (${item.itemType})`);
        const trapped = await repo.findTrappedHoldOfItem(trx, item.id);
        if (item.status === 'on_hold_shelf' || item.status === 'in_transit') {
          if (trapped && trapped.patron_id === patron.id && item.status === 'on_hold_shelf') {
            trappedForPatron = trapped.id;
          } else if (trapped) {
            refuse(
              'ITEM_ON_HOLD_FOR_ANOTHER_PATRON',
              `${item.title} is ${item.status === 'in_transit' ? 'in transit' : 'on the hold shelf'} for another patron`,
            );
          } else if (item.status === 'in_transit') {
            refuse('ITEM_IN_TRANSIT', `${item.title} is in transit; receive it (check it in) first`);
          }
        } else if (['lost', 'withdrawn', 'in_processing', 'damaged'].includes(item.status)) {
          refuse('ITEM_NOT_AVAILABLE', `${item.title} is marked ${item.status.replace('_', ' ')}`);
        }
        if (!trappedForPatron && (await holdsNeedingItem(trx, item, patron.id, today)) > 0)
          refuse('ITEM_ON_HOLD', `Another patron is waiting for ${item.title}`);

        // The patron.
        const counts = await repo.countOpenLoans(
          trx,
          patron.id,
          nowIso,
          rule.maxLoans === null ? null : item.itemType,
        );
        for (const block of await patronBlocks(ctx, trx, patron, now, branch.timeZone, counts))
          refuse(block.code, block.message);
        if (counts.total >= patron.category.loanLimit)
          refuse(
            'LOAN_LIMIT_REACHED',
            `Has ${counts.total} items out; the limit for ${patron.category.name} is ${patron.category.loanLimit}`,
          );
        if (rule.maxLoans !== null && counts.ofType >= rule.maxLoans)
          refuse(
            'LOAN_LIMIT_REACHED',
            `Has ${counts.ofType} ${item.itemType} items out; the limit is ${rule.maxLoans}`,
          );

        const overridden = checkOverride(actor, refusals, input.override);

        // Clear what the override pushed aside.
        if (trapped && trapped.id !== trappedForPatron) {
          await repo.updateHold(trx, trapped.id, {
            status: 'waiting',
            item_id: trapped.level === 'item' ? trapped.item_id : null,
            trapped_at: null,
            shelf_expires_on: null,
            updated_at: nowIso,
          });
        }
        if (item.status === 'in_transit') {
          const transit = await repo.findOpenTransitOfItem(trx, item.id);
          if (transit) await repo.closeTransit(trx, transit.id, { status: 'cancelled', received_at: nowIso });
        }

        const due = computeDueDate(now, rule.loanPeriod, rule.loanUnit, branch);
        const moved = await changeItemStatus(
          trx,
          now,
          item,
          [
            'available',
            'missing',
            'on_hold_shelf',
            'in_transit',
            'lost',
            'withdrawn',
            'in_processing',
            'damaged',
          ],
          'checked_out',
        );
        if (!moved)
          fail('ITEM_CHECKOUT_CONFLICT', `${item.title} was checked out at another desk at the same moment`, {
            itemBarcode: item.barcode,
          });
        const row: LoanRow = {
          id: newId(now.getTime()),
          item_id: item.id,
          patron_id: patron.id,
          branch_id: branch.id,
          rule_id: rule.id,
          checked_out_at: nowIso,
          due_at: due.dueAt.toISOString(),
          loan_unit: rule.loanUnit,
          renewals: 0,
          fine_per_unit_minor: rule.finePerUnitMinor,
          grace_units: rule.graceUnits,
          max_fine_minor: rule.maxFineMinor,
          charge_closed_days: rule.chargeClosedDays,
          fine_charged_minor: 0,
          status: 'active',
          lost_at: null,
          returned_at: null,
          returned_branch_id: null,
          checked_out_by: actorLabel(actor),
          override_reason: overridden.length > 0 ? input.override!.reason.trim() : null,
          anonymised_at: null,
        };
        await repo.insertLoan(trx, row);

        // A hold of this patron on the record is filled by the checkout.
        const own = await repo.findActiveHoldOfPatronOnRecord(trx, patron.id, item.recordId);
        if (own)
          await repo.updateHold(trx, own.id, {
            status: 'fulfilled',
            item_id: item.id,
            ended_at: nowIso,
            end_reason: 'checked out',
            updated_at: nowIso,
          });
        if (overridden.length > 0)
          await recordAudit(trx, now, actor, {
            action: 'loan.checkout_overridden',
            entityType: 'loan',
            entityId: row.id,
            changes: {
              itemBarcode: item.barcode,
              reason: row.override_reason,
              refusals: overridden.map((r) => r.code),
            },
          });
        return {
          loan: loanFrom(row, item, now),
          patron: { id: patron.id, name: patronName(patron), cardBarcode: patron.cardBarcode },
          dueDateNote: due.adjustment,
          overridden,
          filledHoldId: own?.id ?? null,
        };
      });
    } catch (error) {
      if (isUniqueViolation(error))
        fail('ITEM_CHECKOUT_CONFLICT', 'The item was checked out at another desk at the same moment', {
          itemBarcode: input.itemBarcode,
        });
      throw error;
    }
  }

  async function checkin(actor: Actor, input: CheckinInput): Promise<CheckinResult> {
    const calendars = await ctx.calendars();
    if (input.branchId) await ctx.branch(input.branchId);
    const now = clock.now();
    let returnedAt = now;
    if (input.returnedAt !== undefined) {
      returnedAt = new Date(input.returnedAt);
      if (Number.isNaN(returnedAt.getTime()))
        fail('INVALID_RETURN_DATE', `${input.returnedAt} is not a date and time (ISO 8601)`);
      if (returnedAt > now) fail('INVALID_RETURN_DATE', 'An item cannot be returned in the future');
    }
    return db.transaction().execute(async (trx) => {
      let item = await circulationItemByBarcode(trx, input.itemBarcode);
      if (!item)
        fail('ITEM_NOT_FOUND', `No item has the barcode ${input.itemBarcode}`, {
          itemBarcode: input.itemBarcode,
        });
      const atBranchId = input.branchId ?? item.branchId;
      const at = branchIn(calendars, atBranchId);
      const messages: string[] = [];
      const nowIso = now.toISOString();
      let loan = await repo.findOpenLoanOfItem(trx, item.id);
      let overdueFineMinor = 0;
      let lostFeeRefundedMinor = 0;
      let patron: DeskPatron | null = null;
      let alreadyCheckedIn = false;
      let routing: Routing;

      if (loan) {
        if (returnedAt < new Date(loan.checked_out_at))
          fail(
            'INVALID_RETURN_DATE',
            `The item went out at ${loan.checked_out_at}; it cannot have come back before that`,
          );
        // The loan ends first, by a conditional update, before anything is charged, refunded or routed:
        // of two check-ins at the same moment only one ends it (on PostgreSQL the other waits here for
        // it to commit); the other answers as a repeat, below.
        const ended = await repo.endLoan(trx, loan.id, {
          returned_at: returnedAt.toISOString(),
          returned_branch_id: atBranchId,
          status: 'returned',
        });
        if (!ended) loan = undefined;
      }
      // With no open loan the item is read again: on PostgreSQL a check-in that committed after the first
      // read may have ended the loan and moved the item, and this answer follows where it left the item.
      if (!loan) item = (await circulationItemByBarcode(trx, input.itemBarcode)) ?? item;

      if (loan) {
        patron = loan.patron_id ? await ctx.ports.patrons.byId(trx, loan.patron_id) : null;
        const loanBranch = calendars.get(loan.branch_id) ?? at;
        if (loan.status === 'active')
          overdueFineMinor = await postOverdueFine(
            ctx,
            trx,
            actor,
            now,
            loan,
            returnedAt,
            loanBranch,
            item.title,
            returnedAt < now,
          );
        if (loan.status === 'lost' && loan.patron_id) {
          const rule = loan.rule_id ? await repo.findRule(trx, loan.rule_id) : undefined;
          if (rule?.refund_lost_on_return) {
            lostFeeRefundedMinor = (
              await ctx.ports.fines.reverseLoanCharges(trx, now, actor, {
                patronId: loan.patron_id,
                loanId: loan.id,
                kinds: ['lost'],
                description: `Lost item returned: ${item.title}`,
              })
            ).creditedMinor;
            if (lostFeeRefundedMinor > 0)
              messages.push(
                `Lost fee of ${formatMinor(lostFeeRefundedMinor, ctx.currency)} refunded to the account`,
              );
          }
        }
        loan.returned_at = returnedAt.toISOString();
        loan.returned_branch_id = atBranchId;
        if (loan.status === 'claimed_returned') messages.push('The patron had claimed this item returned');
        loan.status = 'returned';
        if (overdueFineMinor > 0)
          messages.push(`Overdue: ${formatMinor(overdueFineMinor, ctx.currency)} in fines on this loan`);
        routing = await routeItem(ctx, trx, calendars, actor, now, item, atBranchId, [
          'checked_out',
          'lost',
          'missing',
        ]);
      } else if (item.status === 'in_transit') {
        const transit = await repo.findOpenTransitOfItem(trx, item.id);
        if (transit && transit.to_branch_id !== atBranchId) {
          // Scanned again where it was sent from (a retry), or somewhere on the way: it keeps going.
          alreadyCheckedIn = true;
          const to = branchIn(calendars, transit.to_branch_id);
          routing = {
            action: 'transit',
            transitId: transit.id,
            toBranchId: to.id,
            toBranchName: to.name,
            reason: transit.reason as 'hold' | 'home',
            holdId: transit.hold_id,
          };
          messages.push(`Already in transit to ${to.name}`);
        } else {
          if (transit) await repo.closeTransit(trx, transit.id, { status: 'received', received_at: nowIso });
          const hold = transit?.hold_id ? await repo.findHold(trx, transit.hold_id) : undefined;
          if (hold && hold.status === 'in_transit' && hold.pickup_branch_id === atBranchId) {
            routing = await trapOnShelf(ctx, trx, calendars, actor, now, item, hold, ['in_transit']);
          } else {
            if (hold && hold.status === 'in_transit')
              await repo.updateHold(trx, hold.id, {
                status: 'waiting',
                item_id: hold.level === 'item' ? hold.item_id : null,
                trapped_at: null,
                updated_at: nowIso,
              });
            routing = await routeItem(ctx, trx, calendars, actor, now, item, atBranchId, ['in_transit']);
          }
          messages.push('Transit received');
        }
      } else if (item.status === 'on_hold_shelf') {
        const trapped = await repo.findTrappedHoldOfItem(trx, item.id);
        if (trapped && trapped.status === 'ready' && trapped.pickup_branch_id === atBranchId) {
          alreadyCheckedIn = true;
          routing = {
            action: 'hold_shelf',
            holdId: trapped.id,
            patronId: trapped.patron_id,
            shelfExpiresOn: trapped.shelf_expires_on ?? '',
            branchId: atBranchId,
          };
          messages.push('Already on the hold shelf');
        } else {
          // Its hold was cancelled or expired: it goes to the next patron or back to the shelf.
          routing = await routeItem(ctx, trx, calendars, actor, now, item, atBranchId, ['on_hold_shelf']);
          messages.push('Taken off the hold shelf');
        }
      } else if (item.status === 'available' || item.status === 'missing' || item.status === 'lost') {
        if (item.status !== 'available') messages.push(`Was marked ${item.status}; now found`);
        else alreadyCheckedIn = true;
        routing = await routeItem(ctx, trx, calendars, actor, now, item, atBranchId, [
          'available',
          'missing',
          'lost',
        ]);
      } else {
        routing = {
          action: 'keep',
          status: item.status,
          message: `${item.title} is marked ${item.status.replace('_', ' ')}; it stays so (change it in the catalog)`,
        };
        messages.push(routing.message);
      }

      if (alreadyCheckedIn) {
        // A repeat reports the loan the check-in before it ended, as that one did.
        const last = await repo.findLastReturnedLoanOfItem(trx, item.id);
        if (
          last?.returned_at &&
          Math.abs(Date.parse(last.returned_at) - returnedAt.getTime()) <= REPEAT_WINDOW_MS
        ) {
          loan = last;
          patron = last.patron_id ? await ctx.ports.patrons.byId(trx, last.patron_id) : null;
        }
      }

      let routed: CheckinResult['routing'] = routing;
      if (routing.action === 'hold_shelf' || (routing.action === 'transit' && routing.holdId)) {
        const holdId = routing.holdId!;
        const hold = await repo.findHold(trx, holdId);
        if (hold) {
          const holder = await ctx.ports.patrons.byId(trx, hold.patron_id);
          routed = { ...routing, patronName: patronName(holder), patronBarcode: holder.cardBarcode };
        }
      }
      return {
        item: {
          id: item.id,
          barcode: item.barcode,
          title: item.title,
          author: item.author,
          callNumber: item.callNumber,
          status: item.status,
        },
        loan: loan
          ? Object.assign(loanFrom(loan, item, now), {
              patronName: patron ? patronName(patron) : null,
              patronBarcode: patron?.cardBarcode ?? null,
            })
          : null,
        overdueFineMinor,
        lostFeeRefundedMinor,
        routing: routed,
        alreadyCheckedIn,
        messages,
      };
    });
  }

  async function renew(
    actor: Actor,
    input: { itemBarcode?: string; loanId?: string; override?: { reason: string } },
  ): Promise<RenewResult> {
    const calendars = await ctx.calendars();
    const now = clock.now();
    const nowIso = now.toISOString();
    return db.transaction().execute(async (trx) => {
      let loan: LoanRow | undefined;
      let item: CirculationItem | undefined;
      if (input.itemBarcode !== undefined) {
        item = await circulationItemByBarcode(trx, input.itemBarcode);
        if (!item)
          fail('ITEM_NOT_FOUND', `No item has the barcode ${input.itemBarcode}`, {
            itemBarcode: input.itemBarcode,
          });
        loan = await repo.findOpenLoanOfItem(trx, item.id);
        if (!loan)
          fail('ITEM_NOT_CHECKED_OUT', `${item.title} is not checked out`, { itemBarcode: item.barcode });
      } else if (input.loanId !== undefined) {
        loan = await repo.findLoan(trx, input.loanId);
        if (!loan || loan.returned_at !== null)
          fail('LOAN_NOT_FOUND', 'No such current loan', { loanId: input.loanId });
        item = await circulationItemById(trx, loan.item_id);
      } else {
        fail('ITEM_NOT_FOUND', 'Say which loan to renew: itemBarcode or loanId');
      }
      if (!item) fail('ITEM_NOT_FOUND', 'The loan’s item no longer exists');
      if (actor.type === 'patron' && loan.patron_id !== actor.patronId)
        fail('LOAN_NOT_FOUND', 'No such current loan', { loanId: loan.id });
      if (loan.status !== 'active' || loan.patron_id === null)
        fail('LOAN_NOT_RENEWABLE', `This loan is ${loan.status.replace('_', ' ')}; it cannot be renewed`);
      const patron = await ctx.ports.patrons.byId(trx, loan.patron_id);
      const branch = branchIn(calendars, loan.branch_id);
      const rule = ruleFor(await ctx.rules(trx), branch, patron, item);
      const today = localDateOf(now, branch.timeZone);
      const refusals: Refusal[] = [];
      if (loan.renewals >= rule.renewalsAllowed)
        refusals.push({
          code: 'RENEWAL_LIMIT_REACHED',
          message: `Renewed ${loan.renewals} time${loan.renewals === 1 ? '' : 's'} already; ${rule.renewalsAllowed} allowed`,
          overridable: true,
        });
      if ((await holdsNeedingItem(trx, item, patron.id, today)) > 0)
        refusals.push({
          code: 'RENEWAL_BLOCKED_BY_HOLD',
          message: `Another patron is waiting for ${item.title}`,
          overridable: true,
        });
      for (const block of await patronBlocks(ctx, trx, patron, now, branch.timeZone, { overdue: 0 }))
        refusals.push({ code: block.code, message: block.message, overridable: true });
      // Patrons cannot override; staff can, with the permission and a reason.
      const overridden = checkOverride(actor, refusals, actor.type === 'patron' ? undefined : input.override);

      // Fines run up so far are posted before the due date moves.
      if (loan.due_at < nowIso) await postOverdueFine(ctx, trx, actor, now, loan, now, branch, item.title);
      const base = loan.due_at > nowIso ? new Date(loan.due_at) : now;
      const due = computeDueDate(base, rule.renewalPeriod ?? rule.loanPeriod, rule.loanUnit, branch);
      const changes = { due_at: due.dueAt.toISOString(), renewals: loan.renewals + 1 };
      await repo.renewLoan(trx, loan.id, changes);
      Object.assign(loan, changes);
      await recordAudit(trx, now, actor, {
        action: overridden.length > 0 ? 'loan.renewal_overridden' : 'loan.renewed',
        entityType: 'loan',
        entityId: loan.id,
        changes: {
          dueAt: changes.due_at,
          renewals: changes.renewals,
          ...(overridden.length > 0
            ? { reason: input.override?.reason, refusals: overridden.map((r) => r.code) }
            : {}),
        },
      });
      return { loan: loanFrom(loan, item, now), dueDateNote: due.adjustment, overridden };
    });
  }

  /** Declares a checked-out item lost and bills the patron (replacement price plus processing fee). */
  async function declareLost(
    actor: Actor,
    itemBarcode: string,
  ): Promise<{ loan: Loan; billedMinor: number }> {
    const calendars = await ctx.calendars();
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const item = await circulationItemByBarcode(trx, itemBarcode);
      if (!item) fail('ITEM_NOT_FOUND', `No item has the barcode ${itemBarcode}`, { itemBarcode });
      const loan = await repo.findOpenLoanOfItem(trx, item.id);
      if (!loan || loan.status === 'lost')
        fail('ITEM_NOT_CHECKED_OUT', `${item.title} is not on a current loan that could be lost`, {
          itemBarcode,
        });
      const billed = await billLost(trx, actor, now, loan, item, calendars);
      return { loan: loanFrom(loan, item, now), billedMinor: billed };
    });
  }

  async function billLost(
    trx: Executor,
    actor: Actor,
    now: Date,
    loan: LoanRow,
    item: CirculationItem,
    calendars: ReadonlyMap<string, BranchInfo>,
  ): Promise<number> {
    const branch = calendars.get(loan.branch_id);
    if (branch && loan.status === 'active')
      await postOverdueFine(ctx, trx, actor, now, loan, now, branch, item.title);
    const rule = loan.rule_id ? await repo.findRule(trx, loan.rule_id) : undefined;
    const price = item.priceMinor ?? 0;
    const processing = rule ? Number(rule.lost_processing_fee_minor) : 0;
    await repo.updateLoan(trx, loan.id, { status: 'lost', lost_at: now.toISOString() });
    loan.status = 'lost';
    await changeItemStatus(trx, now, item, ['checked_out', 'missing'], 'lost');
    if (loan.patron_id) {
      if (price > 0)
        await ctx.ports.fines.postCharge(trx, now, actor, {
          patronId: loan.patron_id,
          kind: 'lost',
          amountMinor: price,
          loanId: loan.id,
          itemId: item.id,
          description: `Lost: ${item.title} (${item.barcode})`,
        });
      if (processing > 0)
        await ctx.ports.fines.postCharge(trx, now, actor, {
          patronId: loan.patron_id,
          kind: 'lost_processing',
          amountMinor: processing,
          loanId: loan.id,
          itemId: item.id,
          description: `Processing fee for lost item ${item.barcode}`,
        });
      const patron = await ctx.ports.patrons.byId(trx, loan.patron_id);
      await ctx.ports.notices.enqueue(trx, now, {
        patron,
        kind: 'lost',
        dedupeKey: `lost:${loan.id}`,
        data: {
          total: formatMinor(price + processing, ctx.currency),
          items: [
            {
              title: item.title,
              barcode: item.barcode,
              amount: formatMinor(price + processing, ctx.currency),
            },
          ],
        },
        branch: branch ? { name: branch.name, email: branch.email, phone: branch.phone } : null,
      });
    }
    await recordAudit(trx, now, actor, {
      action: 'loan.lost',
      entityType: 'loan',
      entityId: loan.id,
      changes: { itemBarcode: item.barcode, billedMinor: price + processing },
    });
    return price + processing;
  }

  /** The patron says they returned it: fines stop, the item is marked missing, the loan stays open until found. */
  async function claimReturned(actor: Actor, itemBarcode: string, note?: string): Promise<Loan> {
    const calendars = await ctx.calendars();
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const item = await circulationItemByBarcode(trx, itemBarcode);
      if (!item) fail('ITEM_NOT_FOUND', `No item has the barcode ${itemBarcode}`, { itemBarcode });
      const loan = await repo.findOpenLoanOfItem(trx, item.id);
      if (loan?.status !== 'active')
        fail('ITEM_NOT_CHECKED_OUT', `${item.title} is not on a current loan`, { itemBarcode });
      const branch = calendars.get(loan.branch_id);
      if (branch) await postOverdueFine(ctx, trx, actor, now, loan, now, branch, item.title);
      await repo.updateLoan(trx, loan.id, { status: 'claimed_returned' });
      loan.status = 'claimed_returned';
      await changeItemStatus(trx, now, item, ['checked_out'], 'missing');
      await recordAudit(trx, now, actor, {
        action: 'loan.claimed_returned',
        entityType: 'loan',
        entityId: loan.id,
        changes: { itemBarcode, note: note ?? null },
      });
      return loanFrom(loan, item, now);
    });
  }

  /** The desk's view of a patron: blocks (manual and automatic), balance, loans, holds ready. */
  async function patronAtDesk(patronId: string, branchId?: string) {
    const calendars = await ctx.calendars();
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const patron = await ctx.ports.patrons.byId(trx, patronId);
      const branch = branchIn(calendars, branchId ?? patron.homeBranchId);
      const loans = (await repo.findOpenLoansOfPatron(trx, patron.id)).map((r) => toLoan(r, now));
      const overdue = loans.filter((l) => l.overdue).length;
      const blocks: PatronBlock[] = await patronBlocks(ctx, trx, patron, now, branch.timeZone, { overdue });
      const balance = await ctx.ports.fines.balanceOf(trx, patron.id);
      const holds = await repo.findHoldsView(trx, {
        patronId: patron.id,
        statuses: ['waiting', 'in_transit', 'ready'],
      });
      return {
        patron,
        blocks,
        balance,
        loans,
        holds: holds.map((h) => ({
          id: h.id,
          recordId: h.record_id,
          title: h.title,
          status: h.status,
          pickupBranchId: h.pickup_branch_id,
          shelfExpiresOn: h.shelf_expires_on,
          itemBarcode: h.item_barcode,
        })),
      };
    });
  }

  async function loansOf(
    patronId: string,
    which: 'current' | 'history',
    page = 1,
    pageSize = 50,
  ): Promise<Loan[]> {
    const now = clock.now();
    const rows =
      which === 'current'
        ? await repo.findOpenLoansOfPatron(db, patronId)
        : await repo.findLoanHistoryOfPatron(db, patronId, pageSize, (page - 1) * pageSize);
    return rows.map((r) => toLoan(r, now));
  }

  return { checkout, checkin, renew, declareLost, billLost, claimReturned, patronAtDesk, loansOf };
}

export type CirculationService = ReturnType<typeof createCirculationService>;
