import { describe, expect, it } from 'vitest';
import type { OpeningPeriod } from '../branches/index.ts';
import { type BranchCalendar, computeDueDate } from './due-date.ts';
import { overdueFine } from './overdue.ts';

const weekdays = (opens: string, closes: string, days: number[]): OpeningPeriod[] =>
  days.map((weekday) => ({ weekday, opens, closes }));

/** Central: Mon–Fri 09:00–20:00, Sat 10:00–17:00, closed Sundays and on Christmas Day. */
const CENTRAL: BranchCalendar = {
  timeZone: 'America/New_York',
  hours: [...weekdays('09:00', '20:00', [1, 2, 3, 4, 5]), ...weekdays('10:00', '17:00', [6])],
  closedDays: [{ id: 'x', branchId: null, date: '2026-12-25', reason: 'Christmas Day' }],
};

describe('due dates', () => {
  it('a day loan is due at closing time in the branch time zone', () => {
    // Tuesday 2026-12-01 15:00 New York; 21 days -> Tuesday 2026-12-22 20:00 EST = 2026-12-23T01:00Z.
    const due = computeDueDate(new Date('2026-12-01T20:00:00Z'), 21, 'days', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2026-12-23T01:00:00.000Z');
    expect(due.adjustment).toBeNull();
  });

  it('a day loan due on a closed day moves to the next open day', () => {
    // 2026-12-04 + 21 = Friday 2026-12-25, Christmas: next open day Saturday 26th, closing 17:00.
    const due = computeDueDate(new Date('2026-12-04T15:00:00Z'), 21, 'days', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2026-12-26T22:00:00.000Z');
    expect(due.adjustment).toBe('2026-12-25 is closed (Christmas Day); due the next open day, 2026-12-26');
    // Due on a Sunday (no hours) -> Monday at 20:00.
    const sunday = computeDueDate(new Date('2026-12-06T15:00:00Z'), 7, 'days', CENTRAL);
    expect(sunday.dueAt.toISOString()).toBe('2026-12-15T01:00:00.000Z');
    expect(sunday.adjustment).toMatch(/closed on Sundays/);
  });

  it('uses the local date of the checkout, not the UTC one', () => {
    // 23:30 in New York on Dec 1 is already Dec 2 in UTC; the loan counts from Dec 1.
    const due = computeDueDate(new Date('2026-12-02T04:30:00Z'), 1, 'days', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2026-12-03T01:00:00.000Z');
  });

  it('keeps closing time across a daylight-saving change', () => {
    // 2027-03-05 (EST) + 14 days = Friday 2027-03-19 (EDT): 20:00 EDT = 00:00Z.
    const due = computeDueDate(new Date('2027-03-05T15:00:00Z'), 14, 'days', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2027-03-20T00:00:00.000Z');
  });

  it('an hourly loan inside opening hours stays as it is', () => {
    const due = computeDueDate(new Date('2026-12-01T15:00:00Z'), 3, 'hours', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2026-12-01T18:00:00.000Z');
  });

  it('an hourly loan running past closing time is due at closing', () => {
    // 18:00 EST + 4 h = 22:00, after the 20:00 close -> 20:00 EST = 01:00Z.
    const due = computeDueDate(new Date('2026-12-01T23:00:00Z'), 4, 'hours', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2026-12-02T01:00:00.000Z');
    expect(due.adjustment).toBe('brought forward to closing time');
  });

  it('an hourly loan started outside opening hours is due when the next period closes', () => {
    // Sunday 12:00 EST (closed) + 2 h -> Monday closes 20:00 EST.
    const due = computeDueDate(new Date('2026-12-06T17:00:00Z'), 2, 'hours', CENTRAL);
    expect(due.dueAt.toISOString()).toBe('2026-12-08T01:00:00.000Z');
  });

  it('a branch without hours: day loans at 23:59, hourly loans unchanged', () => {
    const none: BranchCalendar = { timeZone: 'UTC', hours: [], closedDays: [] };
    expect(computeDueDate(new Date('2026-12-01T10:00:00Z'), 2, 'days', none).dueAt.toISOString()).toBe(
      '2026-12-03T23:59:00.000Z',
    );
    expect(computeDueDate(new Date('2026-12-01T10:00:00Z'), 2, 'hours', none).dueAt.toISOString()).toBe(
      '2026-12-01T12:00:00.000Z',
    );
  });
});

describe('overdue fines', () => {
  const terms = {
    loanUnit: 'days' as const,
    finePerUnitMinor: 25,
    graceUnits: 2,
    maxFineMinor: 300,
    chargeClosedDays: true,
  };
  const due = new Date('2026-12-08T01:00:00Z'); // Monday 2026-12-07 20:00 EST

  it('nothing on time, nothing within grace, every day past grace, capped', () => {
    expect(overdueFine(due, new Date('2026-12-07T23:00:00Z'), terms, CENTRAL).amountMinor).toBe(0);
    // Returned the same evening after closing (book drop): not late.
    expect(overdueFine(due, new Date('2026-12-08T03:00:00Z'), terms, CENTRAL).unitsLate).toBe(0);
    // Two days late: within grace.
    expect(overdueFine(due, new Date('2026-12-09T15:00:00Z'), terms, CENTRAL)).toEqual({
      unitsLate: 2,
      amountMinor: 0,
      capped: false,
    });
    // Three days late: all three charged.
    expect(overdueFine(due, new Date('2026-12-10T15:00:00Z'), terms, CENTRAL).amountMinor).toBe(75);
    // Thirty days late: capped at 300.
    expect(overdueFine(due, new Date('2027-01-06T15:00:00Z'), terms, CENTRAL)).toEqual({
      unitsLate: 30,
      amountMinor: 300,
      capped: true,
    });
  });

  it('leaves closed days out when the rule says so', () => {
    const open = { ...terms, graceUnits: 0, maxFineMinor: null, chargeClosedDays: false };
    // Due Mon Dec 7; back Mon Dec 14: 7 days, one Sunday closed -> 6 charged.
    expect(overdueFine(due, new Date('2026-12-14T15:00:00Z'), open, CENTRAL)).toEqual({
      unitsLate: 6,
      amountMinor: 150,
      capped: false,
    });
  });

  it('hourly loans count started hours', () => {
    const hourly = {
      ...terms,
      loanUnit: 'hours' as const,
      finePerUnitMinor: 100,
      graceUnits: 0,
      maxFineMinor: null,
    };
    const dueAt = new Date('2026-12-01T18:00:00Z');
    expect(overdueFine(dueAt, new Date('2026-12-01T18:01:00Z'), hourly, CENTRAL).amountMinor).toBe(100);
    expect(overdueFine(dueAt, new Date('2026-12-01T20:30:00Z'), hourly, CENTRAL).amountMinor).toBe(300);
  });
});
