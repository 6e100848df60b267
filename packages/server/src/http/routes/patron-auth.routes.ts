import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PatronLoginRequest, PatronMe } from '@stacks/contract';
import type { App } from '../../app.ts';
import { PATRON_COOKIE, patronActorOf } from '../plugins/auth.ts';
import { errorResponses } from './responses.ts';

/**
 * Patron sign-in to the public catalog with card barcode and PIN: an HttpOnly, SameSite=Strict
 * cookie of its own (`stacks_patron`), separate from staff sessions, and the patron's own record.
 */
export function patronAuthRoutes(app: App): FastifyPluginAsyncTypebox {
  const patrons = app.services.patrons;
  const tags = ['public catalog'];
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: app.config.cookie_secure,
  };
  const PATRON_ERRORS = errorResponses(400, 401);

  return async (fastify) => {
    fastify.post(
      '/api/patron/login',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Sign in with library card and PIN; sets an HttpOnly patron session cookie',
          body: PatronLoginRequest,
          response: { 200: PatronMe, ...errorResponses(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const session = await patrons.login({ ...request.body, ip: request.ip });
        reply.setCookie(PATRON_COOKIE, session.token, {
          ...cookieOptions,
          expires: new Date(session.expiresAt),
        });
        const me = await patrons.me({ type: 'patron', patronId: session.patronId });
        return { ...me, sessionExpiresAt: session.expiresAt };
      },
    );

    fastify.post(
      '/api/patron/logout',
      {
        config: { access: 'patron' },
        schema: {
          tags,
          summary: 'Sign out of the public catalog',
          response: { 204: { type: 'null' }, ...PATRON_ERRORS },
        },
      },
      async (request, reply) => {
        if (request.patronSessionToken) await patrons.logout(request.patronSessionToken);
        reply.clearCookie(PATRON_COOKIE, cookieOptions);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/patron/me',
      {
        config: { access: 'patron' },
        schema: {
          tags,
          summary: 'The signed-in patron’s own record and library cards',
          response: { 200: PatronMe, ...PATRON_ERRORS },
        },
      },
      async (request) => patrons.me(patronActorOf(request)),
    );
  };
}
