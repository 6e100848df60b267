import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuditQuery, AuditRecord } from '@stacks/contract';
import type { App } from '../../app.ts';
import { AUTHED_ERRORS } from './responses.ts';

/** The audit log: who changed what and when. */
export function auditRoutes(app: App): FastifyPluginAsyncTypebox {
  return async (fastify) => {
    fastify.get(
      '/api/audit',
      {
        config: { access: { permission: 'audit.read' } },
        schema: {
          tags: ['audit'],
          summary: 'Audit log entries, newest first; page with `before` = the last id seen',
          querystring: AuditQuery,
          response: { 200: Type.Array(AuditRecord), ...AUTHED_ERRORS },
        },
      },
      async (request) => {
        const { limit, ...filters } = request.query;
        return app.services.audit.list({ ...filters, limit: limit ?? 100 });
      },
    );
  };
}
