import type { Executor } from '../../db/database.ts';
import * as repo from './circulation-repository.ts';
import { createCirculationService } from './circulation-service.ts';
import { type CirculationDeps, createCirculationContext } from './context.ts';
import { createHoldService } from './holds-service.ts';
import { type CirculationJobOptions, circulationJobs } from './jobs.ts';
import { createPolicyService } from './policy-service.ts';

export type {
  CheckinInput,
  CheckinResult,
  CheckoutInput,
  CheckoutResult,
  CirculationService,
  Loan,
  RenewResult,
} from './circulation-service.ts';
export type { CirculationPorts, DeskPatron } from './context.ts';
export type { PatronBlock, Refusal } from './desk.ts';
export { type BranchCalendar, computeDueDate, type DueDate } from './due-date.ts';
export type { CirculationErrorCode } from './errors.ts';
export type { Hold, HoldService, PlaceHoldInput } from './holds-service.ts';
export {
  type CirculationJob,
  type CirculationJobOptions,
  COURTESY_HOURS,
  OVERDUE_NOTICE_DAYS,
} from './jobs.ts';
export { type FineTerms, type OverdueFine, overdueFine } from './overdue.ts';
export type { PolicyService, RuleExplainerAnswer, RuleInput } from './policy-service.ts';
export type { Routing } from './routing.ts';
export {
  type CirculationRule,
  explainRules,
  type LoanUnit,
  type RuleExplanation,
  resolveRule,
} from './rules.ts';

/**
 * Circulation: loans (check out, check in, renew, lost, claims returned), holds and transits, the rules
 * matrix with its explainer, and the daily jobs. The other modules it works with come in as ports.
 */
export function createCirculation(deps: CirculationDeps, options: CirculationJobOptions) {
  const ctx = createCirculationContext(deps);
  const circulation = createCirculationService(ctx);
  const holds = createHoldService(ctx);
  const policies = createPolicyService(ctx);
  return {
    circulation,
    holds,
    policies,
    jobs: circulationJobs(ctx, circulation, holds, options),
    /** Forget cached rules and calendars (tests and admin edits in this process). */
    forgetCaches: ctx.forget,
    /** Steps for the patrons module: what a merge, a deletion and a data export mean for circulation. */
    patronHooks: {
      async onMerge(trx: Executor, _now: Date, fromId: string, toId: string): Promise<void> {
        await repo.moveLoansAndHolds(trx, fromId, toId);
      },
      async beforeDelete(trx: Executor, patronId: string): Promise<string[]> {
        const open = await repo.findOpenLoansOfPatron(trx, patronId);
        return open.length > 0
          ? [`${open.length} item${open.length === 1 ? ' is' : 's are'} still checked out`]
          : [];
      },
      async onDelete(trx: Executor, now: Date, patronId: string): Promise<void> {
        await repo.anonymiseLoansOfPatron(trx, patronId, now.toISOString());
        await repo.cancelHoldsOfPatron(trx, patronId, now.toISOString());
      },
      async exportData(trx: Executor, patronId: string): Promise<Record<string, unknown>> {
        const current = await repo.findOpenLoansOfPatron(trx, patronId);
        const history = await repo.findLoanHistoryOfPatron(trx, patronId, 100_000, 0);
        const holdRows = await repo.findHoldsView(trx, { patronId });
        const strip = (r: (typeof current)[number]) => ({
          title: r.title,
          author: r.main_author,
          itemBarcode: r.barcode,
          checkedOutAt: r.checked_out_at,
          dueAt: r.due_at,
          returnedAt: r.returned_at,
          renewals: r.renewals,
          status: r.status,
        });
        return {
          loans: current.map(strip),
          loanHistory: history.map(strip),
          holds: holdRows.map((h) => ({
            title: h.title,
            status: h.status,
            placedAt: h.created_at,
            pickupBranchId: h.pickup_branch_id,
            endedAt: h.ended_at,
          })),
        };
      },
    },
  };
}

export type Circulation = ReturnType<typeof createCirculation>;
