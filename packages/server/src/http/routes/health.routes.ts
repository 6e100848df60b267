import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthResponse } from '@stacks/contract';
import { sql } from 'kysely';
import type { App } from '../../app.ts';
import { AppError } from '../../kernel/app-error.ts';
import { VERSION } from '../../version.ts';
import { errorResponses } from './responses.ts';

/** `GET /api/health`: the server answers and its database does too. */
export function healthRoutes(app: App): FastifyPluginAsyncTypebox {
  return async (fastify) => {
    fastify.get(
      '/api/health',
      {
        config: { access: 'public' },
        schema: {
          tags: ['system'],
          summary: 'Is the server up and its database reachable?',
          response: { 200: HealthResponse, ...errorResponses(503) },
        },
      },
      async () => {
        try {
          await sql`select 1`.execute(app.database.db);
        } catch {
          throw new AppError('DATABASE_UNAVAILABLE', 'The database does not answer');
        }
        return { status: 'ok' as const, database: app.database.dialect, version: VERSION };
      },
    );
  };
}
