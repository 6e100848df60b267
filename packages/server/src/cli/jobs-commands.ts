import { describeSchedule } from '../jobs/index.ts';
import { isAppError } from '../kernel/app-error.ts';
import { CliError, withApp } from './context.ts';

/** `stacks jobs list`: every job, its schedule, last run and outcome, and when it runs next. */
export async function jobsList(): Promise<void> {
  await withApp(async (app) => {
    const jobs = await app.services.jobs.list();
    for (const job of jobs) {
      const last =
        job.lastStartedAt === null
          ? 'never run'
          : `last run ${job.lastStartedAt}: ${job.lastOutcome ?? 'running'}${
              job.lastSummary && Object.keys(job.lastSummary).length > 0
                ? ` (${formatSummary(job.lastSummary)})`
                : ''
            }`;
      console.log(`${job.name.padEnd(20)} ${describeSchedule(job.schedule)}`);
      console.log(`  ${job.description}`);
      console.log(`  ${job.running ? 'running now' : last}; next run ${job.nextRunAt}`);
    }
  });
}

/**
 * `stacks jobs run NAME`: runs a job now in this process and prints its summary. Exit code 1 when the
 * job fails (or there is no such job), 2 when a run of it is going on elsewhere (its lease is held).
 */
export async function jobsRun(name: string): Promise<void> {
  await withApp(async (app) => {
    let result: Awaited<ReturnType<typeof app.services.jobs.runNow>>;
    try {
      result = await app.services.jobs.runNow(name);
    } catch (error) {
      if (isAppError(error, 'JOB_NOT_FOUND')) throw new CliError(error.message, 1);
      throw error;
    }
    if (!result.ran)
      throw new CliError(`${name} is running already (another process holds its lease); nothing was done`, 2);
    const summary = result.summary ?? {};
    for (const [key, value] of Object.entries(summary)) console.log(`${key}: ${value}`);
    if (result.outcome !== 'ok')
      throw new CliError(`${name} failed: ${result.outcome?.replace(/^error: /, '')}`, 1);
    if (Object.keys(summary).length === 0) console.log(`${name}: done`);
  });
}

function formatSummary(summary: Record<string, number | string>): string {
  return Object.entries(summary)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}
