import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { JobInfo, JobNameParams, JobRunResult } from '@stacks/contract';
import type { App } from '../../app.ts';
import { AppError } from '../../kernel/app-error.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** The scheduled jobs: their last runs, and running one by hand. */
export function jobRoutes(app: App): FastifyPluginAsyncTypebox {
  const { jobs } = app.services;
  const config = { access: { permission: 'jobs.run' as const } };
  const tags = ['jobs'];

  return async (fastify) => {
    fastify.get(
      '/api/jobs',
      {
        config,
        schema: {
          tags,
          summary: 'The scheduled jobs with their schedule, last run, outcome and next run',
          response: { 200: Type.Array(JobInfo), ...AUTHED_ERRORS },
        },
      },
      async () => jobs.list(),
    );

    fastify.post(
      '/api/jobs/:name/run',
      {
        config,
        schema: {
          tags,
          summary:
            'Run a job now and wait for it (409 JOB_LEASE_CONFLICT while a run of it is going on anywhere); a job that fails answers 200 with outcome "error: …"',
          params: JobNameParams,
          response: { 200: JobRunResult, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => {
        const { name } = request.params;
        const result = await jobs.runNow(name);
        if (!result.ran)
          throw new AppError(
            'JOB_LEASE_CONFLICT',
            `The job ${name} is running already (here or in another process)`,
            {
              name,
            },
          );
        return { ran: true, outcome: result.outcome ?? 'ok', summary: result.summary ?? {} };
      },
    );
  };
}
