import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  isLocalDate,
  isLocalTime,
  isoWeekday,
  isValidTimeZone,
  localDateOf,
  localTimeOf,
  zonedTimeToInstant,
} from './time-zone.ts';

describe('zonedTimeToInstant', () => {
  it.each([
    ['2026-11-30', '20:00', 'America/New_York', '2026-12-01T01:00:00.000Z'],
    ['2026-07-01', '20:00', 'America/New_York', '2026-07-02T00:00:00.000Z'],
    ['2026-07-01', '17:00', 'Europe/Berlin', '2026-07-01T15:00:00.000Z'],
    ['2026-07-01', '09:00', 'Asia/Kolkata', '2026-07-01T03:30:00.000Z'],
    ['2026-07-01', '09:00', 'UTC', '2026-07-01T09:00:00.000Z'],
    // Clocks go back on 2026-11-01 in New York: 01:30 happens twice, the first (EDT) is taken.
    ['2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['2026-11-01', '03:00', 'America/New_York', '2026-11-01T08:00:00.000Z'],
    // Clocks go forward on 2026-03-08: 02:30 does not exist and comes out as 03:30 EDT.
    ['2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    ['2026-03-08', '12:00', 'America/New_York', '2026-03-08T16:00:00.000Z'],
  ])('puts %s %s in %s at %s', (date, time, zone, expected) => {
    expect(zonedTimeToInstant(date, time, zone).toISOString()).toBe(expected);
  });

  it('round-trips through localDateOf and localTimeOf', () => {
    const instant = zonedTimeToInstant('2026-12-24', '17:45', 'Pacific/Auckland');
    expect(localDateOf(instant, 'Pacific/Auckland')).toBe('2026-12-24');
    expect(localTimeOf(instant, 'Pacific/Auckland')).toBe('17:45');
  });
});

describe('calendar helpers', () => {
  it.each([
    ['2026-11-30', 1],
    ['2026-12-05', 6],
    ['2026-12-06', 7],
  ])('knows %s is ISO weekday %i', (date, weekday) => {
    expect(isoWeekday(date)).toBe(weekday);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
  });

  it.each([
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2026-13-01', false],
    ['26-01-01', false],
  ])('validates the date %s as %s', (text, valid) => {
    expect(isLocalDate(text)).toBe(valid);
  });

  it('validates times and zones', () => {
    expect(isLocalTime('09:00')).toBe(true);
    expect(isLocalTime('24:00')).toBe(false);
    expect(isLocalTime('9:00')).toBe(false);
    expect(isValidTimeZone('America/Chicago')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('local dates and times', () => {
  // Zones whose clocks sit off the hour or change off the hour (UTC), and ordinary ones.
  const zones = [
    'America/New_York',
    'America/St_Johns',
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'UTC',
  ];
  const formats = new Map(
    zones.map((zone) => [
      zone,
      new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      }),
    ]),
  );
  const reference = (instant: Date, zone: string) => {
    const parts = Object.fromEntries(
      formats
        .get(zone)!
        .formatToParts(instant)
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  };

  it('agree with the platform every 37 minutes through a year of clock changes, and around each change', () => {
    const from = Date.UTC(2026, 0, 1);
    const instants: number[] = [];
    for (let ms = from; ms < from + 366 * 86_400_000; ms += 37 * 60_000 + 13_000) instants.push(ms);
    let mismatches = 0;
    for (const zone of zones) {
      // Every second of each hour in which the zone's offset changes during the year.
      const offset = (ms: number) => reference(new Date(ms), zone);
      const around: number[] = [];
      for (let ms = from; ms < from + 366 * 86_400_000; ms += 3_600_000) {
        const a = Date.parse(`${offset(ms).replace(' ', 'T')}:00Z`) - Math.floor(ms / 60_000) * 60_000;
        const b =
          Date.parse(`${offset(ms + 3_600_000).replace(' ', 'T')}:00Z`) -
          Math.floor((ms + 3_600_000) / 60_000) * 60_000;
        if (a !== b) for (let s = ms; s <= ms + 3_600_000; s += 1000) around.push(s);
      }
      for (const ms of [...instants, ...around]) {
        const instant = new Date(ms);
        if (`${localDateOf(instant, zone)} ${localTimeOf(instant, zone)}` !== reference(instant, zone))
          mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});
