import type { Permission } from '@stacks/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { App } from '../../app.ts';
import { can, type PatronActor, type StaffActor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';

/**
 * Who may call a route. Every route must say (a route without `access` makes the server refuse to
 * start): `public` (health, login, docs), `authenticated` (any staff session or token), a permission,
 * or `patron` (a patron signed in to the public catalog; staff credentials do not count there, and a
 * patron session never counts on the other routes).
 */
export type Access = 'public' | 'authenticated' | 'patron' | { permission: Permission };

/** A route and who may call it, as registered. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with its access rule (the security tests walk it). */
    routeTable: RouteAccess[];
  }
  interface FastifyRequest {
    /** The authenticated staff member, set before the handler runs on every non-public route. */
    actor: StaffActor | null;
    /** The session cookie value the request came with, when it names a live session. */
    sessionToken: string | null;
    /** The signed-in patron, set before the handler runs on every `patron` route. */
    patronActor: PatronActor | null;
    /** The patron session cookie value, on `patron` routes. */
    patronSessionToken: string | null;
  }
}

export const SESSION_COOKIE = 'stacks_session';

/** The public catalog's session cookie (a patron signed in with card and PIN). */
export const PATRON_COOKIE = 'stacks_patron';

/** The signed-in staff member; only call on routes that are not public. */
export function actorOf(request: FastifyRequest): StaffActor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'Log in first');
  return request.actor;
}

/** The signed-in patron; only call on `patron` routes. */
export function patronActorOf(request: FastifyRequest): PatronActor {
  if (!request.patronActor) throw new AppError('UNAUTHENTICATED', 'Sign in with your library card and PIN');
  return request.patronActor;
}

/**
 * Authentication and authorisation for every route, deny by default. Runs in `onRequest`, before the
 * body is read: a request without a session or token gets 401 whatever it sends, and one without the
 * permission gets 403, and nothing is written for either.
 */
export function registerAuth(fastify: FastifyInstance, app: App): void {
  fastify.decorateRequest('actor', null);
  fastify.decorateRequest('sessionToken', null);
  fastify.decorateRequest('patronActor', null);
  fastify.decorateRequest('patronSessionToken', null);

  const table: RouteAccess[] = [];
  fastify.decorate('routeTable', table);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url: route.url, access });
    }
    // Routes added by plugins (the docs UI) are public documentation.
    if (access === undefined && !route.url.startsWith('/api/docs')) {
      throw new Error(
        `route ${String(route.method)} ${route.url} does not say who may call it (config.access)`,
      );
    }
  });

  fastify.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    if (access === 'patron') {
      const token = request.cookies[PATRON_COOKIE];
      const patron = token ? await app.services.patrons.authenticateSession(token) : null;
      if (!patron) throw new AppError('UNAUTHENTICATED', 'Sign in with your library card and PIN');
      request.patronActor = patron;
      request.patronSessionToken = token!;
      return;
    }
    const actor = await authenticate(request, app);
    if (!actor)
      throw new AppError('UNAUTHENTICATED', 'Log in or send an API token (Authorization: Bearer …)');
    request.actor = actor;
    if (access !== 'authenticated' && !can(actor, access.permission)) {
      throw new AppError('FORBIDDEN', `You need the permission ${access.permission} for this`, {
        permission: access.permission,
      });
    }
  });
}

async function authenticate(request: FastifyRequest, app: App): Promise<StaffActor | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return null;
    return app.services.auth.authenticateToken(match[1]!);
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const actor = await app.services.auth.authenticateSession(cookie);
  if (actor) request.sessionToken = cookie;
  return actor;
}
