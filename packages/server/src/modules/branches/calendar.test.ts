import { describe, expect, it } from 'vitest';
import {
  type ClosedDay,
  calendarDay,
  calendarDays,
  nextOpenDay,
  type OpeningPeriod,
  openingHoursProblems,
} from './calendar.ts';

const weekdaysNineToFive: OpeningPeriod[] = [1, 2, 3, 4, 5].map((weekday) => ({
  weekday,
  opens: '09:00',
  closes: '17:00',
}));
const christmas: ClosedDay = { id: 'c1', branchId: null, date: '2026-12-25', reason: 'Christmas Day' };

describe('openingHoursProblems', () => {
  it('accepts a week with a lunch break', () => {
    expect(
      openingHoursProblems([
        { weekday: 1, opens: '09:00', closes: '12:00' },
        { weekday: 1, opens: '13:00', closes: '18:00' },
      ]),
    ).toEqual([]);
  });

  it.each([
    [{ weekday: 8, opens: '09:00', closes: '17:00' }, 'weekday 8 is not 1 (Monday) to 7 (Sunday)'],
    [{ weekday: 1, opens: '9am', closes: '17:00' }, 'Monday: times must be written HH:MM (got 9am–17:00)'],
    [
      { weekday: 2, opens: '17:00', closes: '09:00' },
      'Tuesday: opens at 17:00 but closes at 09:00; closing must be later than opening',
    ],
  ])('explains %o', (period, message) => {
    expect(openingHoursProblems([period])).toEqual([message]);
  });

  it('refuses overlapping periods on one day', () => {
    expect(
      openingHoursProblems([
        { weekday: 3, opens: '09:00', closes: '13:00' },
        { weekday: 3, opens: '12:00', closes: '18:00' },
      ]),
    ).toEqual(['Wednesday: 09:00–13:00 overlaps 12:00–18:00']);
  });
});

describe('calendarDay', () => {
  it('is open on a weekday with hours', () => {
    expect(calendarDay('2026-12-01', weekdaysNineToFive, [])).toEqual({
      date: '2026-12-01',
      weekday: 2,
      isOpen: true,
      periods: [{ opens: '09:00', closes: '17:00' }],
      closedReason: null,
    });
  });

  it('is closed on a weekday without hours', () => {
    expect(calendarDay('2026-12-06', weekdaysNineToFive, []).closedReason).toBe('closed on Sundays');
  });

  it('is closed on a closed day even when the weekday has hours', () => {
    const day = calendarDay('2026-12-25', weekdaysNineToFive, [christmas]);
    expect(day.isOpen).toBe(false);
    expect(day.closedReason).toBe('Christmas Day');
  });
});

describe('nextOpenDay', () => {
  it('moves from a closed Friday holiday past the weekend to Monday', () => {
    expect(nextOpenDay('2026-12-25', weekdaysNineToFive, [christmas])?.date).toBe('2026-12-28');
  });

  it('keeps an open day as it is', () => {
    expect(nextOpenDay('2026-12-24', weekdaysNineToFive, [christmas])?.date).toBe('2026-12-24');
  });

  it('answers null for a branch with no hours at all', () => {
    expect(nextOpenDay('2026-12-24', [], [], 30)).toBeNull();
  });

  it('lists a span of days', () => {
    expect(
      calendarDays('2026-12-24', '2026-12-28', weekdaysNineToFive, [christmas]).map((d) => d.isOpen),
    ).toEqual([true, false, false, false, true]);
  });
});
