import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiToken, CreateApiTokenRequest, CreatedApiToken, IdParams } from '@stacks/contract';
import type { App } from '../../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** API tokens for integrations (`Authorization: Bearer …`). */
export function tokenRoutes(app: App): FastifyPluginAsyncTypebox {
  const { staff } = app.services;
  const config = { access: { permission: 'tokens.manage' as const } };
  const tags = ['tokens'];

  return async (fastify) => {
    fastify.get(
      '/api/tokens',
      {
        config,
        schema: {
          tags,
          summary: 'List API tokens (never their secrets)',
          response: { 200: Type.Array(ApiToken), ...AUTHED_ERRORS },
        },
      },
      async () => staff.listTokens(),
    );

    fastify.post(
      '/api/tokens',
      {
        config,
        schema: {
          tags,
          summary:
            'Create an API token acting as a staff account (yourself when userId is left out); the secret is shown once',
          description:
            'Refused with 403 FORBIDDEN (details.missing) when the token would hold a permission you do not hold, or the account holds one; a token limited to some permissions creates only tokens within them.',
          body: CreateApiTokenRequest,
          response: { 201: CreatedApiToken, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const created = await staff.createToken(actor, {
          name: request.body.name,
          userId: request.body.userId ?? actor.id,
          permissions: request.body.permissions ?? null,
          expiresInDays: request.body.expiresInDays ?? null,
        });
        return reply.status(201).send(created);
      },
    );

    fastify.delete(
      '/api/tokens/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Revoke an API token',
          description:
            'Revoking a token of another account that holds a permission you do not hold is refused with 403.',
          params: IdParams,
          response: { 200: ApiToken, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => staff.revokeToken(actorOf(request), request.params.id),
    );
  };
}
