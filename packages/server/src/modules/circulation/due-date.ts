import { addDays, localDateOf, zonedTimeToInstant } from '../../kernel/time-zone.ts';
import { type ClosedDay, calendarDay, nextOpenDay, type OpeningPeriod } from '../branches/index.ts';
import type { LoanUnit } from './rules.ts';

/** What due dates are computed from: the branch's time zone, weekly hours and closed days. */
export interface BranchCalendar {
  timeZone: string;
  hours: readonly OpeningPeriod[];
  closedDays: readonly ClosedDay[];
}

/** A due date and how it came about, for the desk and the rule explainer. */
export interface DueDate {
  dueAt: Date;
  /** Set when the calendar moved the date: e.g. `2026-12-25 is closed (Christmas Day); due the next open day`. */
  adjustment: string | null;
}

/** Time a day loan is due when the branch has no opening hours at all. */
const END_OF_DAY = '23:59';

/**
 * When a loan starting at `from` falls due.
 * - Day loans: `period` days after the local date of `from`, at the branch's closing time that day, in
 *   its time zone; a closed day (a closed date, or a weekday without hours) moves it to the next open
 *   day. A branch with no hours at all: 23:59 that day.
 * - Hourly loans: `period` hours after `from`, but inside opening hours: a time after the branch closes
 *   is brought forward to the closing time ("due before we close"); when the loan starts outside opening
 *   hours and no closing comes before the time, it is due when the next opening period ends.
 */
export function computeDueDate(
  from: Date,
  period: number,
  unit: LoanUnit,
  calendar: BranchCalendar,
): DueDate {
  return unit === 'days' ? dayLoanDue(from, period, calendar) : hourLoanDue(from, period, calendar);
}

function dayLoanDue(from: Date, days: number, cal: BranchCalendar): DueDate {
  const target = addDays(localDateOf(from, cal.timeZone), days);
  if (cal.hours.length === 0) {
    return { dueAt: zonedTimeToInstant(target, END_OF_DAY, cal.timeZone), adjustment: null };
  }
  const day = nextOpenDay(target, cal.hours, cal.closedDays);
  if (!day) {
    return {
      dueAt: zonedTimeToInstant(target, END_OF_DAY, cal.timeZone),
      adjustment: 'the branch has no open day within a year; due at the end of the loan period',
    };
  }
  const closes = day.periods[day.periods.length - 1]!.closes;
  const dueAt = zonedTimeToInstant(day.date, closes, cal.timeZone);
  if (day.date === target) return { dueAt, adjustment: null };
  const why = calendarDay(target, cal.hours, cal.closedDays).closedReason ?? 'closed';
  return { dueAt, adjustment: `${target} is closed (${why}); due the next open day, ${day.date}` };
}

/** The opening periods from the local date of `from` for `days` days, as instants. */
function periodsFrom(from: Date, days: number, cal: BranchCalendar): { opens: Date; closes: Date }[] {
  const start = localDateOf(from, cal.timeZone);
  const out: { opens: Date; closes: Date }[] = [];
  for (let i = -1; i <= days; i++) {
    const day = calendarDay(addDays(start, i), cal.hours, cal.closedDays);
    for (const p of day.periods) {
      out.push({
        opens: zonedTimeToInstant(day.date, p.opens, cal.timeZone),
        closes: zonedTimeToInstant(day.date, p.closes, cal.timeZone),
      });
    }
  }
  return out;
}

function hourLoanDue(from: Date, hours: number, cal: BranchCalendar): DueDate {
  const due = new Date(from.getTime() + hours * 3_600_000);
  if (cal.hours.length === 0) return { dueAt: due, adjustment: null };
  const span = Math.ceil(hours / 24) + 1;
  const periods = periodsFrom(from, span + 14, cal);
  if (periods.some((p) => p.opens <= due && due <= p.closes)) return { dueAt: due, adjustment: null };
  const closedBefore = periods.filter((p) => p.closes > from && p.closes < due);
  const last = closedBefore[closedBefore.length - 1];
  if (last) return { dueAt: last.closes, adjustment: 'brought forward to closing time' };
  const next = periods.find((p) => p.opens > due);
  if (next) return { dueAt: next.closes, adjustment: 'the branch is closed then; due when it next closes' };
  return { dueAt: due, adjustment: null };
}
