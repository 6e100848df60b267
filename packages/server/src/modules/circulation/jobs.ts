import type { SystemActor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import { formatMinor } from '../../kernel/money.ts';
import { localDateOf } from '../../kernel/time-zone.ts';
import { circulationItemById } from '../catalog/index.ts';
import * as repo from './circulation-repository.ts';
import type { CirculationService } from './circulation-service.ts';
import { loanFine, overdueDescription } from './circulation-service.ts';
import { type CirculationContext, fail } from './context.ts';
import type { HoldService } from './holds-service.ts';
import type { OverdueFine } from './overdue.ts';

/** A daily job of circulation, for the job runner (leased in the database, one process at a time). */
export interface CirculationJob {
  name: string;
  description: string;
  schedule: { everyMinutes: number } | { dailyAt: string };
  run(ctx: { now: Date; actor: SystemActor }): Promise<Record<string, number | string>>;
}

export interface CirculationJobOptions {
  /** Days after return when a loan's patron link is removed (unless the patron keeps their history). */
  anonymiseAfterDays: number;
  /** Whether the auto-renew job renews loans about to fall due. */
  autoRenew: boolean;
}

const BATCH = 500;
/** Below every UUID: where a walk in id order starts (PostgreSQL compares ids as uuid, so not ''). */
const MIN_ID = '00000000-0000-0000-0000-000000000000';
const DAY = 86_400_000;

/** When overdue notices go out: days after the due date. */
export const OVERDUE_NOTICE_DAYS = { overdue1: 1, overdue2: 8, overdue3: 15 } as const;
/** Courtesy notices go out this long before the due date. */
export const COURTESY_HOURS = 48;

/** The jobs circulation needs run every day: fines, notices, lost items, holds, renewals, privacy. */
export function circulationJobs(
  ctx: CirculationContext,
  circulation: CirculationService,
  holds: HoldService,
  options: CirculationJobOptions,
): CirculationJob[] {
  const { db } = ctx;

  return [
    {
      name: 'fines-accrual',
      description:
        'Posts the overdue fines of every overdue loan up to today (idempotent: never charges a day twice)',
      schedule: { dailyAt: '06:00' },
      async run({ now, actor }) {
        const calendars = await ctx.calendars();
        let after = repo.LOAN_CURSOR_START;
        let loans = 0;
        let charged = 0;
        let totalMinor = 0;
        for (;;) {
          const batch = await repo.findOverdueLoans(db, now.toISOString(), after, BATCH);
          if (batch.length === 0) break;
          after = repo.cursorAfter(batch);
          // The batch's fines in four statements: which loans owe more than was posted, their posted
          // amounts moved up (only where nobody else moved them first), the charges and their audit rows.
          const owing: { loan: (typeof batch)[number]; fine: OverdueFine }[] = [];
          for (const loan of batch) {
            loans++;
            const branch = calendars.get(loan.branch_id);
            if (!branch || loan.patron_id === null) continue;
            const fine = loanFine(loan, now, branch);
            if (fine.amountMinor > Number(loan.fine_charged_minor)) owing.push({ loan, fine });
          }
          await db.transaction().execute(async (trx) => {
            const moved = await repo.setFinesCharged(
              trx,
              owing.map(({ loan, fine }) => ({
                id: loan.id,
                from: Number(loan.fine_charged_minor),
                to: fine.amountMinor,
              })),
            );
            const charges = owing
              .filter(({ loan }) => moved.has(loan.id))
              .map(({ loan, fine }) => ({
                patronId: loan.patron_id!,
                kind: 'overdue' as const,
                amountMinor: fine.amountMinor - Number(loan.fine_charged_minor),
                loanId: loan.id,
                itemId: loan.item_id,
                description: overdueDescription(loan, fine, loan.title),
              }));
            await ctx.ports.fines.postCharges(trx, now, actor, charges);
            charged += charges.length;
            for (const c of charges) totalMinor += c.amountMinor;
          });
        }
        return { overdueLoans: loans, loansCharged: charged, charged: formatMinor(totalMinor, ctx.currency) };
      },
    },
    {
      name: 'overdue-notices',
      description: 'Queues courtesy (due soon) and first, second and third overdue notices',
      schedule: { dailyAt: '07:00' },
      async run({ now }) {
        const calendars = await ctx.calendars();
        const counts: Record<string, number> = { courtesy: 0, overdue1: 0, overdue2: 0, overdue3: 0 };
        const send = async (
          loan: Awaited<ReturnType<typeof repo.findOverdueLoans>>[number],
          kind: 'courtesy' | 'overdue1' | 'overdue2' | 'overdue3',
        ) => {
          if (!loan.patron_id) return;
          const branch = calendars.get(loan.branch_id);
          await db.transaction().execute(async (trx) => {
            const patron = await ctx.ports.patrons.byId(trx, loan.patron_id!);
            if (patron.status !== 'active') return;
            const { queued } = await ctx.ports.notices.enqueue(trx, now, {
              patron,
              kind,
              dedupeKey: `${kind}:${loan.id}:${loan.due_at}`,
              data: {
                items: [
                  {
                    title: loan.title,
                    author: loan.main_author ?? '',
                    barcode: loan.barcode,
                    callNumber: loan.call_number ?? '',
                    dueDate: branch
                      ? localDateOf(new Date(loan.due_at), branch.timeZone)
                      : loan.due_at.slice(0, 10),
                    daysOverdue: Math.max(0, Math.floor((now.getTime() - Date.parse(loan.due_at)) / DAY)),
                  },
                ],
              },
              branch: branch ? { name: branch.name, email: branch.email, phone: branch.phone } : null,
            });
            if (queued) counts[kind] = (counts[kind] ?? 0) + 1;
          });
        };
        let after = repo.LOAN_CURSOR_START;
        for (;;) {
          const batch = await repo.findLoansDueBetween(
            db,
            now.toISOString(),
            new Date(now.getTime() + COURTESY_HOURS * 3_600_000).toISOString(),
            after,
            BATCH,
          );
          if (batch.length === 0) break;
          after = repo.cursorAfter(batch);
          for (const loan of batch) await send(loan, 'courtesy');
        }
        after = repo.LOAN_CURSOR_START;
        for (;;) {
          const batch = await repo.findOverdueLoans(
            db,
            new Date(now.getTime() - DAY).toISOString(),
            after,
            BATCH,
          );
          if (batch.length === 0) break;
          after = repo.cursorAfter(batch);
          for (const loan of batch) {
            const days = Math.floor((now.getTime() - Date.parse(loan.due_at)) / DAY);
            const kind =
              days >= OVERDUE_NOTICE_DAYS.overdue3
                ? 'overdue3'
                : days >= OVERDUE_NOTICE_DAYS.overdue2
                  ? 'overdue2'
                  : 'overdue1';
            await send(loan, kind);
          }
        }
        return counts;
      },
    },
    {
      name: 'fines-bills',
      description: 'Sends each patron who owes money a bill of what is outstanding, once a month',
      schedule: { dailyAt: '08:00' },
      async run({ now, actor }) {
        const month = now.toISOString().slice(0, 7);
        let after = MIN_ID;
        let billed = 0;
        for (;;) {
          const page = await ctx.ports.fines.patronsOwing(0, after, BATCH);
          if (page.length === 0) break;
          after = page[page.length - 1]!.patronId;
          for (const { patronId, balanceMinor } of page) {
            const { lines } = await ctx.ports.fines.account(actor, patronId);
            const charges = lines
              .filter((l) => l.amountMinor > 0 && l.outstandingMinor > 0)
              .map((l) => ({
                date: l.createdAt.slice(0, 10),
                description: l.description,
                title: '',
                amount: formatMinor(l.outstandingMinor, ctx.currency),
              }));
            await db.transaction().execute(async (trx) => {
              const patron = await ctx.ports.patrons.byId(trx, patronId);
              if (patron.status !== 'active') return;
              const { queued } = await ctx.ports.notices.enqueue(trx, now, {
                patron,
                kind: 'fines_bill',
                dedupeKey: `fines-bill:${patronId}:${month}`,
                data: { total: formatMinor(balanceMinor, ctx.currency), charges },
              });
              if (queued) billed++;
            });
          }
        }
        return { billed };
      },
    },
    {
      name: 'lost-items',
      description: 'Declares loans overdue longer than their rule allows lost and bills the replacement cost',
      schedule: { dailyAt: '06:30' },
      async run({ now, actor }) {
        const calendars = await ctx.calendars();
        const rules = new Map((await ctx.rules(db)).map((r) => [r.id, r]));
        let after = repo.LOAN_CURSOR_START;
        let lost = 0;
        let billedMinor = 0;
        for (;;) {
          const batch = await repo.findOverdueLoans(db, now.toISOString(), after, BATCH);
          if (batch.length === 0) break;
          after = repo.cursorAfter(batch);
          for (const loan of batch) {
            const days = rules.get(loan.rule_id ?? '')?.lostAfterDays ?? null;
            if (days === null || Date.parse(loan.due_at) + days * DAY > now.getTime()) continue;
            await db.transaction().execute(async (trx) => {
              const item = await circulationItemById(trx, loan.item_id);
              const fresh = await repo.findLoan(trx, loan.id);
              if (!item || !fresh || fresh.returned_at !== null || fresh.status !== 'active') return;
              billedMinor += await circulation.billLost(trx, actor, now, fresh, item, calendars);
              lost++;
            });
          }
        }
        return { declaredLost: lost, billed: formatMinor(billedMinor, ctx.currency) };
      },
    },
    {
      name: 'holds-expiry',
      description:
        'Expires holds not collected in time (passing the item to the next patron) or no longer needed',
      schedule: { dailyAt: '05:30' },
      async run({ actor }) {
        return holds.expireHolds(actor);
      },
    },
    {
      name: 'auto-renew',
      description: 'Renews loans falling due in the next day where no hold, limit or block stands in the way',
      schedule: { dailyAt: '05:00' },
      async run({ now, actor }): Promise<Record<string, number | string>> {
        if (!options.autoRenew) return { skipped: 'auto-renewal is off (STACKS_AUTO_RENEW)' };
        let after = repo.LOAN_CURSOR_START;
        let renewed = 0;
        const refused: Record<string, number> = {};
        for (;;) {
          const batch = await repo.findLoansDueBetween(
            db,
            now.toISOString(),
            new Date(now.getTime() + DAY).toISOString(),
            after,
            BATCH,
          );
          if (batch.length === 0) break;
          after = repo.cursorAfter(batch);
          for (const loan of batch) {
            try {
              await circulation.renew(actor, { loanId: loan.id });
              renewed++;
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              refused[error.code] = (refused[error.code] ?? 0) + 1;
            }
          }
        }
        return {
          renewed,
          ...Object.fromEntries(Object.entries(refused).map(([k, v]) => [`refused ${k}`, v])),
        };
      },
    },
    {
      name: 'anonymise-history',
      description:
        'Removes the patron from loans returned longer ago than the privacy period, unless the patron keeps their history',
      schedule: { dailyAt: '03:00' },
      async run({ now }) {
        if (options.anonymiseAfterDays < 0) fail('INVALID_DATE', 'The anonymising period cannot be negative');
        const before = new Date(now.getTime() - options.anonymiseAfterDays * DAY).toISOString();
        let total = 0;
        for (;;) {
          const n = await db
            .transaction()
            .execute((trx) => repo.anonymiseReturnedLoans(trx, before, now.toISOString(), 1000));
          total += n;
          if (n < 1000) break;
        }
        return { anonymised: total };
      },
    },
  ];
}
