import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ChangePasswordRequest, LoginRequest, Me } from '@stacks/contract';
import type { FastifyReply } from 'fastify';
import type { App } from '../../app.ts';
import type { StaffActor } from '../../kernel/actor.ts';
import { hashSecret } from '../../modules/staff/index.ts';
import { actorOf, SESSION_COOKIE } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** Staff login, logout, the current account and changing one's own password. */
export function authRoutes(app: App): FastifyPluginAsyncTypebox {
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: app.config.cookie_secure,
  };

  async function me(actor: StaffActor, expiresAt?: string) {
    const user = await app.services.staff.getUser(actor.id);
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      email: user.email,
      homeBranchId: user.homeBranchId,
      permissions: [...actor.permissions].sort(),
      via: actor.via,
      ...(expiresAt ? { sessionExpiresAt: expiresAt } : {}),
    };
  }

  function clearCookie(reply: FastifyReply) {
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
  }

  return async (fastify) => {
    fastify.post(
      '/api/auth/login',
      {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Log in with a user name and password; sets an HttpOnly session cookie',
          body: LoginRequest,
          response: { 200: Me, ...errorResponses(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const session = await app.services.auth.login({ ...request.body, ip: request.ip });
        reply.setCookie(SESSION_COOKIE, session.token, {
          ...cookieOptions,
          expires: new Date(session.expiresAt),
        });
        const actor = await app.services.auth.authenticateSession(session.token);
        return me(actor!, session.expiresAt);
      },
    );

    fastify.post(
      '/api/auth/logout',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['auth'],
          summary: 'End this session',
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS },
        },
      },
      async (request, reply) => {
        if (request.sessionToken) await app.services.auth.logout(request.sessionToken);
        clearCookie(reply);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/auth/me',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['auth'],
          summary: 'The signed-in staff member and their permissions',
          response: { 200: Me, ...AUTHED_ERRORS },
        },
      },
      async (request) => me(actorOf(request)),
    );

    fastify.post(
      '/api/auth/password',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['auth'],
          summary: 'Change your own password; your other sessions end',
          body: ChangePasswordRequest,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS },
        },
      },
      async (request, reply) => {
        const keep = request.sessionToken ? { keepSessionHash: hashSecret(request.sessionToken) } : {};
        await app.services.staff.changeOwnPassword(actorOf(request), { ...request.body, ...keep });
        return reply.status(204).send();
      },
    );
  };
}
