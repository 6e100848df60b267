import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Dispute, OpenDisputeRequest, PatronAccount, PatronMe } from '@stacks/contract';
import type { App } from '../../app.ts';
import { patronActorOf } from '../plugins/auth.ts';
import { errorResponses } from './responses.ts';

/** What a signed-in patron may change about themselves in the public catalog. */
const OwnDetailsRequest = Type.Object(
  {
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
    address: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    noticeChannel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('print')])),
    language: Type.Optional(Type.String({ minLength: 2, maxLength: 8 })),
    keepHistory: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * The signed-in patron's own account in the public catalog: fines and fee history, disputing a charge,
 * and their contact details, notice preferences and reading-history choice. Always the patron's own:
 * the id comes from the session, never from the request.
 */
export function patronAccountRoutes(app: App): FastifyPluginAsyncTypebox {
  const { fines, patrons } = app.services;
  const self = { access: 'patron' as const };
  const tags = ['my account'];
  const ERRORS = errorResponses(400, 401, 404, 409, 422);

  return async (fastify) => {
    fastify.get(
      '/api/patron/account',
      {
        config: self,
        schema: {
          tags,
          summary: 'My fines and fees: every charge and payment, disputes and totals',
          response: { 200: PatronAccount, ...ERRORS },
        },
      },
      async (request) => {
        const actor = patronActorOf(request);
        return fines.account(actor, actor.patronId);
      },
    );

    fastify.post(
      '/api/patron/disputes',
      {
        config: self,
        schema: {
          tags,
          summary: 'Dispute one or more of my charges (staff review it)',
          body: OpenDisputeRequest,
          response: { 201: Dispute, ...ERRORS },
        },
      },
      async (request, reply) => {
        const actor = patronActorOf(request);
        const dispute = await fines.openDispute(actor, actor.patronId, request.body);
        return reply.status(201).send(dispute);
      },
    );

    fastify.patch(
      '/api/patron/me',
      {
        config: self,
        schema: {
          tags,
          summary:
            'Change my contact details, notice preferences and whether my reading history is kept; answers with my record',
          body: OwnDetailsRequest,
          response: { 200: PatronMe, ...ERRORS },
        },
      },
      async (request) => {
        const actor = patronActorOf(request);
        await patrons.update(actor, actor.patronId, request.body);
        return patrons.me(actor);
      },
    );
  };
}
