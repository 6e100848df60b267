import type { Executor } from '../db/database.ts';
import { type SystemActor, systemActor } from '../kernel/actor.ts';
import { AppError } from '../kernel/app-error.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import * as repo from './job-lease-repository.ts';
import { isDue, type JobSchedule, nextRunAt, scheduleProblem } from './schedule.ts';

/** What a job's run receives: the time it started, the system actor to audit as, and a logger. */
export interface JobContext {
  now: Date;
  actor: SystemActor;
  log: Logger;
}

/** What a job reports: counts and short notes, kept as the job's last summary. */
export type JobSummary = Record<string, number | string>;

/** A scheduled job. Runs must be safe to repeat: a run cut short is run again in full later. */
export interface Job {
  /** Lower-case words joined by hyphens, e.g. `fines-accrual`. */
  name: string;
  description: string;
  schedule: JobSchedule;
  /** How long a run may take before another process may start the job again (default 15). */
  leaseMinutes?: number;
  /** Does the work; returns counts and notes for the summary (undefined entries are left out). */
  run(ctx: JobContext): Promise<Record<string, number | string | undefined>>;
}

/** A job and how its last run went, for `stacks jobs list` and `GET /api/jobs`. */
export interface JobStatus {
  name: string;
  description: string;
  schedule: JobSchedule;
  /** Some process holds the job's lease now. */
  running: boolean;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  /** `ok`, or `error: <message>`. */
  lastOutcome: string | null;
  lastSummary: JobSummary | null;
  nextRunAt: string;
}

/** What {@link JobRunner.runNow} did. */
export interface JobRunResult {
  ran: boolean;
  /** Why it did not run: another process (or run) holds the lease. */
  reason?: 'lease-held';
  /** `ok`, or `error: <message>` when the job threw. */
  outcome?: string;
  summary?: JobSummary;
}

const DEFAULT_LEASE_MINUTES = 15;
const TICK_MS = 30_000;
const NAME = /^[a-z0-9][a-z0-9-]*$/;

function summaryOf(value: unknown): JobSummary {
  const out: JobSummary = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'number' || typeof v === 'string') out[key] = v;
  }
  return out;
}

function parseSummary(text: string | null): JobSummary | null {
  if (text === null) return null;
  try {
    return summaryOf(JSON.parse(text));
  } catch {
    return null;
  }
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/**
 * Runs scheduled jobs, at most one run of a job at a time across every process sharing the database:
 * a run holds the job's lease (a row of `job_leases`, taken by a conditional update) and gives it back
 * with its outcome and summary. The in-server scheduler checks every 30 s which jobs are due; a job
 * that throws releases its lease, records the error, and the scheduler keeps going.
 *
 * `holder` names this process in the lease (host and process id), for `stacks jobs list`.
 */
export function createJobRunner(deps: { db: Executor; clock: Clock; log: Logger; holder: string }) {
  const { db, clock, holder } = deps;
  const log = deps.log.child({ component: 'jobs' });
  const jobs = new Map<string, Job>();
  /** Runs this process has going, by job name. */
  const running = new Map<string, Promise<JobRunResult>>();
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  function jobNamed(name: string): Job {
    const job = jobs.get(name);
    if (!job)
      throw new AppError(
        'JOB_NOT_FOUND',
        `There is no job "${name}" (jobs: ${[...jobs.keys()].sort().join(', ')})`,
        {
          name,
        },
      );
    return job;
  }

  async function run(job: Job, lastStartedAt?: string | null): Promise<JobRunResult> {
    const now = clock.now();
    const startedAt = now.toISOString();
    const leaseMs = (job.leaseMinutes ?? DEFAULT_LEASE_MINUTES) * 60_000;
    const taken = await repo.takeLease(db, {
      name: job.name,
      holder,
      now: startedAt,
      until: new Date(now.getTime() + leaseMs).toISOString(),
      ...(lastStartedAt !== undefined ? { lastStartedAt } : {}),
    });
    if (!taken) return { ran: false, reason: 'lease-held' };
    const jobLog = log.child({ job: job.name });
    let outcome = 'ok';
    let summary: JobSummary = {};
    try {
      summary = summaryOf(await job.run({ now, actor: systemActor(job.name), log: jobLog }));
      jobLog.info({ summary }, 'job finished');
    } catch (error) {
      outcome = `error: ${errorText(error)}`;
      jobLog.error({ err: error }, 'job failed');
    }
    const released = await repo.releaseLease(db, {
      name: job.name,
      holder,
      startedAt,
      finishedAt: clock.now().toISOString(),
      outcome,
      summary,
    });
    if (!released) jobLog.warn({ leaseMinutes: leaseMs / 60_000 }, 'job ran longer than its lease');
    return { ran: true, outcome, summary };
  }

  function track(name: string, promise: Promise<JobRunResult>): Promise<JobRunResult> {
    const tracked = promise.finally(() => running.delete(name));
    running.set(name, tracked);
    return tracked;
  }

  function tick(): Promise<void> {
    ticking ??= checkDueJobs().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  async function checkDueJobs(): Promise<void> {
    try {
      const leases = await repo.findLeases(db);
      const now = clock.now();
      for (const job of jobs.values()) {
        if (timer === null || running.has(job.name)) continue;
        const lease = leases.find((l) => l.name === job.name);
        if (lease?.lease_until && lease.lease_until >= now.toISOString()) continue;
        const last = lease?.last_started_at ?? null;
        if (!isDue(job.schedule, last === null ? null : new Date(last), now)) continue;
        track(
          job.name,
          run(job, last).catch((error: unknown) => {
            log.error({ job: job.name, err: error }, 'could not run the job');
            return { ran: false };
          }),
        );
      }
    } catch (error) {
      log.error({ err: error }, 'could not check which jobs are due');
    }
  }

  return {
    /**
     * Adds a job. Any module or edge can register one after the app is built
     * (`app.services.jobs.register(...)`); names are unique.
     */
    register(job: Job): void {
      if (!NAME.test(job.name))
        throw new Error(`job name "${job.name}": use lower-case words joined by hyphens`);
      if (jobs.has(job.name)) throw new Error(`job "${job.name}" is registered already`);
      const problem = scheduleProblem(job.schedule);
      if (problem) throw new Error(`job "${job.name}": ${problem}`);
      if (job.leaseMinutes !== undefined && !(job.leaseMinutes > 0))
        throw new Error(`job "${job.name}": leaseMinutes must be more than 0`);
      jobs.set(job.name, job);
    },

    /** True when a job of that name is registered. */
    has: (name: string) => jobs.has(name),

    /** Every job with its schedule, last run and next run, by name. */
    async list(): Promise<JobStatus[]> {
      const leases = await repo.findLeases(db);
      const now = clock.now();
      return [...jobs.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((job) => {
          const lease = leases.find((l) => l.name === job.name);
          const last = lease?.last_started_at ?? null;
          return {
            name: job.name,
            description: job.description,
            schedule: job.schedule,
            running: lease?.lease_until != null && lease.lease_until >= now.toISOString(),
            lastStartedAt: last,
            lastFinishedAt: lease?.last_finished_at ?? null,
            lastOutcome: lease?.last_outcome ?? null,
            lastSummary: parseSummary(lease?.last_summary ?? null),
            nextRunAt: nextRunAt(job.schedule, last === null ? null : new Date(last), now).toISOString(),
          };
        });
    },

    /**
     * Runs a job now, whatever its schedule, unless a run of it holds the lease (here or in another
     * process): then `{ ran: false, reason: 'lease-held' }`. A job that throws is reported with
     * `outcome: 'error: …'`; the error is recorded as the job's last outcome.
     */
    async runNow(name: string): Promise<JobRunResult> {
      const job = jobNamed(name);
      const result = run(job);
      if (!running.has(name)) track(name, result);
      return result;
    },

    /** Starts the in-process scheduler: checks now and every 30 s which jobs are due. Does not keep the process alive. */
    start(): void {
      if (timer !== null) return;
      timer = setInterval(() => void tick(), TICK_MS);
      timer.unref();
      void tick();
    },

    /** Stops the scheduler and waits for the runs this process has going. */
    async stop(): Promise<void> {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await ticking;
      await Promise.allSettled([...running.values()]);
    },
  };
}

/** The job runner. */
export type JobRunner = ReturnType<typeof createJobRunner>;
