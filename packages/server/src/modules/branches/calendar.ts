import { addDays, isLocalTime, isoWeekday } from '../../kernel/time-zone.ts';

/** One opening period on a weekday: `opens`–`closes` in the branch's wall-clock time (`HH:MM`). */
export interface OpeningPeriod {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  opens: string;
  closes: string;
}

/** A day on which a branch (or, with `branchId` null, every branch) is closed. */
export interface ClosedDay {
  id: string;
  branchId: string | null;
  date: string;
  reason: string;
}

/** Whether a branch is open on a date, and when. */
export interface CalendarDay {
  date: string;
  weekday: number;
  isOpen: boolean;
  periods: { opens: string; closes: string }[];
  /** Why the branch is closed: the closed day's reason, or that it has no hours that weekday. */
  closedReason: string | null;
}

/**
 * Problems with a week of opening hours, in words a librarian can act on; empty when the week is valid.
 * A weekday may have several periods (e.g. closed for lunch) that must not overlap.
 */
export function openingHoursProblems(periods: readonly OpeningPeriod[]): string[] {
  const problems: string[] = [];
  for (const p of periods) {
    const day = WEEKDAY_NAMES[p.weekday - 1];
    if (!Number.isInteger(p.weekday) || day === undefined) {
      problems.push(`weekday ${p.weekday} is not 1 (Monday) to 7 (Sunday)`);
      continue;
    }
    if (!isLocalTime(p.opens) || !isLocalTime(p.closes)) {
      problems.push(`${day}: times must be written HH:MM (got ${p.opens}–${p.closes})`);
    } else if (p.opens >= p.closes) {
      problems.push(
        `${day}: opens at ${p.opens} but closes at ${p.closes}; closing must be later than opening`,
      );
    }
  }
  for (let weekday = 1; weekday <= 7; weekday++) {
    const day = periodsOn(periods, weekday);
    for (let i = 1; i < day.length; i++) {
      if (day[i]!.opens < day[i - 1]!.closes) {
        problems.push(
          `${WEEKDAY_NAMES[weekday - 1]}: ${day[i - 1]!.opens}–${day[i - 1]!.closes} overlaps ${day[i]!.opens}–${day[i]!.closes}`,
        );
      }
    }
  }
  return problems;
}

/** The branch's day: open or closed, with its periods in order. */
export function calendarDay(
  date: string,
  hours: readonly OpeningPeriod[],
  closedDays: readonly ClosedDay[],
): CalendarDay {
  const weekday = isoWeekday(date);
  const closed = closedDays.find((c) => c.date === date);
  if (closed) return { date, weekday, isOpen: false, periods: [], closedReason: closed.reason };
  const periods = periodsOn(hours, weekday).map(({ opens, closes }) => ({ opens, closes }));
  return {
    date,
    weekday,
    isOpen: periods.length > 0,
    periods,
    closedReason: periods.length > 0 ? null : `closed on ${WEEKDAY_NAMES[weekday - 1]}s`,
  };
}

/** The days from `from` to `to` inclusive. */
export function calendarDays(
  from: string,
  to: string,
  hours: readonly OpeningPeriod[],
  closedDays: readonly ClosedDay[],
): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) days.push(calendarDay(date, hours, closedDays));
  return days;
}

/**
 * The first open day on or after `date`, looking at most `limit` days ahead; null when the branch
 * never opens in that time (no hours at all, or closed for the whole span).
 */
export function nextOpenDay(
  date: string,
  hours: readonly OpeningPeriod[],
  closedDays: readonly ClosedDay[],
  limit = 366,
): CalendarDay | null {
  let current = date;
  for (let i = 0; i < limit; i++) {
    const day = calendarDay(current, hours, closedDays);
    if (day.isOpen) return day;
    current = addDays(current, 1);
  }
  return null;
}

function periodsOn(periods: readonly OpeningPeriod[], weekday: number): OpeningPeriod[] {
  return periods
    .filter((p) => p.weekday === weekday)
    .sort((a, b) => (a.opens < b.opens ? -1 : a.opens > b.opens ? 1 : 0));
}

/** English weekday names, Monday first (ISO order). */
export const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
