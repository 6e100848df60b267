/** When a job runs: every N minutes, or once a day at a wall-clock time in UTC. */
export type JobSchedule = { everyMinutes: number } | { dailyAt: string };

const DAY_MS = 24 * 60 * 60_000;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** What is wrong with a schedule, or null when it is usable. */
export function scheduleProblem(schedule: JobSchedule): string | null {
  if ('everyMinutes' in schedule) {
    const n = schedule.everyMinutes;
    return Number.isInteger(n) && n >= 1 && n <= 7 * 24 * 60
      ? null
      : `everyMinutes must be a whole number of minutes from 1 to ${7 * 24 * 60}, not ${n}`;
  }
  return HH_MM.test(schedule.dailyAt) ? null : `dailyAt must be HH:MM (UTC), not "${schedule.dailyAt}"`;
}

/** The latest daily slot (`HH:MM` UTC) at or before `now`. */
function latestDailySlot(dailyAt: string, now: Date): Date {
  const [, hh, mm] = HH_MM.exec(dailyAt) as unknown as [string, string, string];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), Number(hh), Number(mm));
  return new Date(today <= now.getTime() ? today : today - DAY_MS);
}

/**
 * When a job is next due, given when its last run started (null: never). A job that never ran is due
 * now. An interval job is due its interval after the last start; a daily job at its slot, and once
 * (not once per missed day) when a slot passed while no process ran it.
 */
export function nextRunAt(schedule: JobSchedule, lastStartedAt: Date | null, now: Date): Date {
  if (lastStartedAt === null) return now;
  if ('everyMinutes' in schedule) return new Date(lastStartedAt.getTime() + schedule.everyMinutes * 60_000);
  const slot = latestDailySlot(schedule.dailyAt, now);
  return lastStartedAt.getTime() < slot.getTime() ? slot : new Date(slot.getTime() + DAY_MS);
}

/** True when the job should run at `now`. */
export function isDue(schedule: JobSchedule, lastStartedAt: Date | null, now: Date): boolean {
  return nextRunAt(schedule, lastStartedAt, now).getTime() <= now.getTime();
}

/** The schedule in words, for `stacks jobs list`. */
export function describeSchedule(schedule: JobSchedule): string {
  if ('dailyAt' in schedule) return `daily at ${schedule.dailyAt} UTC`;
  return schedule.everyMinutes === 1 ? 'every minute' : `every ${schedule.everyMinutes} minutes`;
}
