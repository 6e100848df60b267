import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { fixedClock } from '../kernel/clock.ts';
import { silentLogger } from '../kernel/logger.ts';
import { createJobRunner, type Job, type JobRunResult } from './job-runner.ts';

const MINUTE = 60_000;

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe.each(testDialects())('the job runner on %s', (dialect) => {
  const clock = fixedClock('2026-12-08T15:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  /** Separate connections (or pools) to the same database, as separate processes would have. */
  const handles: Database[] = [];
  beforeAll(async () => {
    t = await createTestApp(dialect, { clock });
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    await t.close();
  });

  function runner(holder: string) {
    const database = openDatabase(t.database.options);
    handles.push(database);
    return createJobRunner({ db: database.db, clock, log: silentLogger, holder });
  }

  it('runs a job in exactly one of several processes racing to run it', async () => {
    const runners = ['a', 'b', 'c', 'd'].map((holder) => runner(`host-${holder}`));
    let runs = 0;
    for (let round = 0; round < 5; round++) {
      const { opened, open } = gate();
      let runsThisRound = 0;
      const job: Job = {
        name: `race-${round}`,
        description: 'waits until the losers have answered',
        schedule: { everyMinutes: 1 },
        async run() {
          runs++;
          // A second run means the lease failed: let every run finish so the test fails (not hangs).
          if (++runsThisRound > 1) open();
          await opened;
          return { round };
        },
      };
      for (const r of runners) r.register(job);
      const attempts = runners.map((r) => r.runNow(job.name));
      // The losers answer while the winner is still running (it waits for the gate).
      const losers: JobRunResult[] = [];
      await Promise.all(
        attempts.map((p) =>
          p.then((result) => {
            if (!result.ran) {
              losers.push(result);
              if (losers.length === runners.length - 1) open();
            }
          }),
        ),
      );
      expect(losers).toEqual(Array(runners.length - 1).fill({ ran: false, reason: 'lease-held' }));
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r.ran)).toEqual([{ ran: true, outcome: 'ok', summary: { round } }]);
    }
    expect(runs).toBe(5);
  });

  it('records a job’s summary, releases the lease, and shows the next run', async () => {
    const r = runner('host-a');
    r.register({
      name: 'counting',
      description: 'counts',
      schedule: { dailyAt: '06:00' },
      run: async ({ now, actor }) => ({ counted: 3, at: now.toISOString(), by: actor.name, left: undefined }),
    });
    expect(await r.runNow('counting')).toEqual({
      ran: true,
      outcome: 'ok',
      summary: { counted: 3, at: '2026-12-08T15:00:00.000Z', by: 'counting' },
    });
    const [status] = (await r.list()).filter((j) => j.name === 'counting');
    expect(status).toEqual({
      name: 'counting',
      description: 'counts',
      schedule: { dailyAt: '06:00' },
      running: false,
      lastStartedAt: '2026-12-08T15:00:00.000Z',
      lastFinishedAt: '2026-12-08T15:00:00.000Z',
      lastOutcome: 'ok',
      lastSummary: { counted: 3, at: '2026-12-08T15:00:00.000Z', by: 'counting' },
      nextRunAt: '2026-12-09T06:00:00.000Z',
    });
    // The lease was given back: the job can run again at once.
    expect((await r.runNow('counting')).ran).toBe(true);
  });

  it('records a job that throws as an error, releases its lease, and keeps the last good summary out', async () => {
    const a = runner('host-a');
    const b = runner('host-b');
    let fail = true;
    const job: Job = {
      name: 'flaky',
      description: 'fails the first time',
      schedule: { everyMinutes: 5 },
      async run() {
        if (fail) throw new Error('the mail server\nsaid no');
        return { ok: 1 };
      },
    };
    a.register(job);
    b.register(job);
    expect(await a.runNow('flaky')).toEqual({
      ran: true,
      outcome: 'error: the mail server said no',
      summary: {},
    });
    expect((await b.list()).find((j) => j.name === 'flaky')).toMatchObject({
      running: false,
      lastOutcome: 'error: the mail server said no',
      lastSummary: {},
    });
    fail = false;
    expect(await b.runNow('flaky')).toEqual({ ran: true, outcome: 'ok', summary: { ok: 1 } });
  });

  it('waits for the lease of a process that died mid-run to expire, then runs the job', async () => {
    const a = runner('host-a');
    const b = runner('host-b');
    const never = gate();
    let started = 0;
    const job: Job = {
      name: 'stuck',
      description: 'never finishes in process a',
      schedule: { everyMinutes: 1 },
      leaseMinutes: 10,
      async run() {
        started++;
        if (started === 1) await never.opened;
        return {};
      },
    };
    a.register(job);
    b.register(job);
    const stuck = a.runNow('stuck');
    await expect.poll(() => started).toBe(1);
    expect(await b.runNow('stuck')).toEqual({ ran: false, reason: 'lease-held' });
    expect((await b.list()).find((j) => j.name === 'stuck')!.running).toBe(true);
    clock.advance(10 * MINUTE - 1);
    expect(await b.runNow('stuck')).toEqual({ ran: false, reason: 'lease-held' });
    clock.advance(2);
    expect(await b.runNow('stuck')).toMatchObject({ ran: true, outcome: 'ok' });
    // The first run, long past its lease, cannot overwrite the record of the second.
    never.open();
    expect(await stuck).toMatchObject({ ran: true });
    expect((await b.list()).find((j) => j.name === 'stuck')).toMatchObject({
      lastStartedAt: clock.now().toISOString(),
      running: false,
    });
  });

  it('runs due jobs from the scheduler, keeps going past a job that throws, and stops cleanly', async () => {
    const r = runner('host-s');
    const ran: string[] = [];
    const bothRan = gate();
    const record = (name: string) => {
      ran.push(name);
      if (ran.includes('sched-good') && ran.includes('sched-bad')) bothRan.open();
    };
    r.register({
      name: 'sched-bad',
      description: 'throws',
      schedule: { everyMinutes: 1 },
      async run() {
        record('sched-bad');
        throw new Error('broken');
      },
    });
    r.register({
      name: 'sched-good',
      description: 'works',
      schedule: { everyMinutes: 1 },
      async run() {
        record('sched-good');
        return { done: 1 };
      },
    });
    r.start();
    await bothRan.opened;
    await r.stop();
    const status = await r.list();
    expect(status.find((j) => j.name === 'sched-bad')!.lastOutcome).toBe('error: broken');
    expect(status.find((j) => j.name === 'sched-good')).toMatchObject({
      lastOutcome: 'ok',
      lastSummary: { done: 1 },
      nextRunAt: new Date(clock.now().getTime() + MINUTE).toISOString(),
    });
  });

  it('refuses bad registrations and unknown jobs', async () => {
    const r = runner('host-a');
    const job: Job = {
      name: 'ok-job',
      description: '',
      schedule: { everyMinutes: 1 },
      run: async () => ({}),
    };
    r.register(job);
    expect(() => r.register(job)).toThrow(/registered already/);
    expect(() => r.register({ ...job, name: 'Bad Name' })).toThrow(/lower-case/);
    expect(() => r.register({ ...job, name: 'daily', schedule: { dailyAt: '25:00' } })).toThrow(/HH:MM/);
    expect(() => r.register({ ...job, name: 'no-lease', leaseMinutes: 0 })).toThrow(/leaseMinutes/);
    await expect(r.runNow('nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });
});
