import { describe, expect, it } from 'vitest';
import { describeSchedule, isDue, nextRunAt, scheduleProblem } from './schedule.ts';

const at = (iso: string) => new Date(iso);

describe('job schedules', () => {
  it.each([
    // schedule, last started, now, next run
    [{ everyMinutes: 1 }, null, '2026-12-08T10:00:30.000Z', '2026-12-08T10:00:30.000Z'],
    [{ everyMinutes: 1 }, '2026-12-08T10:00:00.000Z', '2026-12-08T10:00:30.000Z', '2026-12-08T10:01:00.000Z'],
    [
      { everyMinutes: 15 },
      '2026-12-08T09:00:00.000Z',
      '2026-12-08T10:00:00.000Z',
      '2026-12-08T09:15:00.000Z',
    ],
    [{ dailyAt: '06:00' }, null, '2026-12-08T03:00:00.000Z', '2026-12-08T03:00:00.000Z'],
    // ran today after the slot: tomorrow's slot
    [
      { dailyAt: '06:00' },
      '2026-12-08T06:00:05.000Z',
      '2026-12-08T12:00:00.000Z',
      '2026-12-09T06:00:00.000Z',
    ],
    // before today's slot, ran yesterday after the slot: today's slot
    [
      { dailyAt: '06:00' },
      '2026-12-07T06:00:05.000Z',
      '2026-12-08T05:59:00.000Z',
      '2026-12-08T06:00:00.000Z',
    ],
    // the slot passed while nothing ran (three days down): due at the latest slot, once
    [
      { dailyAt: '06:00' },
      '2026-12-05T06:00:00.000Z',
      '2026-12-08T09:00:00.000Z',
      '2026-12-08T06:00:00.000Z',
    ],
    // just after midnight, yesterday's 23:30 slot missed
    [
      { dailyAt: '23:30' },
      '2026-12-06T23:30:00.000Z',
      '2026-12-08T00:10:00.000Z',
      '2026-12-07T23:30:00.000Z',
    ],
    [
      { dailyAt: '23:30' },
      '2026-12-07T23:30:00.000Z',
      '2026-12-08T00:10:00.000Z',
      '2026-12-08T23:30:00.000Z',
    ],
  ] as const)('%o last started %s, at %s: next %s', (schedule, last, now, next) => {
    expect(nextRunAt(schedule, last === null ? null : at(last), at(now)).toISOString()).toBe(next);
    expect(isDue(schedule, last === null ? null : at(last), at(now))).toBe(next <= now);
  });

  it('is due exactly at the slot and not a millisecond before', () => {
    const last = at('2026-12-07T06:00:00.000Z');
    expect(isDue({ dailyAt: '06:00' }, last, at('2026-12-08T05:59:59.999Z'))).toBe(false);
    expect(isDue({ dailyAt: '06:00' }, last, at('2026-12-08T06:00:00.000Z'))).toBe(true);
    expect(isDue({ everyMinutes: 5 }, last, at('2026-12-07T06:04:59.999Z'))).toBe(false);
    expect(isDue({ everyMinutes: 5 }, last, at('2026-12-07T06:05:00.000Z'))).toBe(true);
  });

  it.each([
    [{ everyMinutes: 0 }, /whole number of minutes/],
    [{ everyMinutes: 1.5 }, /whole number of minutes/],
    [{ dailyAt: '6:00' }, /HH:MM/],
    [{ dailyAt: '24:00' }, /HH:MM/],
  ])('refuses %o', (schedule, problem) => {
    expect(scheduleProblem(schedule)).toMatch(problem);
  });

  it('describes schedules in words', () => {
    expect(describeSchedule({ everyMinutes: 1 })).toBe('every minute');
    expect(describeSchedule({ everyMinutes: 10 })).toBe('every 10 minutes');
    expect(describeSchedule({ dailyAt: '06:00' })).toBe('daily at 06:00 UTC');
  });
});
