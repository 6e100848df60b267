import { accrue, MAX_AMOUNT_MINOR } from '../../kernel/money.ts';
import { addDays, daysBetween, localDateOf } from '../../kernel/time-zone.ts';
import { calendarDay } from '../branches/index.ts';
import type { BranchCalendar } from './due-date.ts';
import type { LoanUnit } from './rules.ts';

/** The fine terms a loan carries (copied from its rule at checkout). */
export interface FineTerms {
  loanUnit: LoanUnit;
  finePerUnitMinor: number;
  graceUnits: number;
  maxFineMinor: number | null;
  chargeClosedDays: boolean;
}

/** How late a loan is at `at`, and what that costs. */
export interface OverdueFine {
  /** Days (day loans) or started hours (hourly loans) late; closed days left out unless the rule charges them. */
  unitsLate: number;
  amountMinor: number;
  /** True when the cap stopped the fine growing. */
  capped: boolean;
}

/**
 * The overdue fine of a loan due at `dueAt` if it comes back (or is still out) at `at`.
 * Day loans count calendar days after the due date in the branch's time zone (an item returned on its due
 * date after closing time, e.g. through the book drop, is not late); hourly loans count started hours.
 * Within the grace period nothing is charged; past it every late unit is. The cap limits the total, and
 * no loan's fine is ever more than MAX_AMOUNT_MINOR (a rule without a cap included).
 */
export function overdueFine(dueAt: Date, at: Date, terms: FineTerms, calendar: BranchCalendar): OverdueFine {
  if (at <= dueAt) return { unitsLate: 0, amountMinor: 0, capped: false };
  let units: number;
  if (terms.loanUnit === 'hours') {
    units = Math.ceil((at.getTime() - dueAt.getTime()) / 3_600_000);
  } else {
    const due = localDateOf(dueAt, calendar.timeZone);
    const back = localDateOf(at, calendar.timeZone);
    units = Math.max(0, daysBetween(due, back));
    if (!terms.chargeClosedDays && units > 0) units -= closedDaysIn(due, back, calendar);
  }
  if (units <= terms.graceUnits) return { unitsLate: units, amountMinor: 0, capped: false };
  const uncapped = accrue(terms.finePerUnitMinor, units);
  const amountMinor = accrue(
    terms.finePerUnitMinor,
    units,
    Math.min(terms.maxFineMinor ?? MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR),
  );
  return { unitsLate: units, amountMinor, capped: amountMinor < uncapped };
}

/**
 * Closed-day counts already worked out, per calendar (a calendar object is replaced when the branch's
 * hours or closed days change): the daily accrual asks the same question for every loan due on the same day.
 */
const closedDayCounts = new WeakMap<BranchCalendar, Map<string, number>>();

/** Closed days after `from` up to and including `to`. */
function closedDaysIn(from: string, to: string, calendar: BranchCalendar): number {
  if (calendar.hours.length === 0 && calendar.closedDays.length === 0) return 0;
  let counts = closedDayCounts.get(calendar);
  if (!counts) {
    counts = new Map();
    closedDayCounts.set(calendar, counts);
  }
  const key = `${from} ${to}`;
  const known = counts.get(key);
  if (known !== undefined) return known;
  let closed = 0;
  const span = daysBetween(from, to);
  // A very long overdue is counted in full past a year: the calendar is not kept that far.
  for (let i = 1; i <= Math.min(span, 400); i++) {
    if (!calendarDay(addDays(from, i), calendar.hours, calendar.closedDays).isOpen) closed++;
  }
  if (counts.size >= 100_000) counts.clear();
  counts.set(key, closed);
  return closed;
}
