import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '@stacks/contract';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import helmet from 'helmet';
import type { Logger as PinoLogger } from 'pino';
import type { App } from '../app.ts';
import { AppError } from '../kernel/app-error.ts';
import { VERSION } from '../version.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { registerAuth } from './plugins/auth.ts';
import { auditRoutes } from './routes/audit.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { branchRoutes } from './routes/branches.routes.ts';
import { catalogRoutes } from './routes/catalog.routes.ts';
import { circulationRoutes } from './routes/circulation.routes.ts';
import { fineRoutes } from './routes/fines.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { homeRoutes } from './routes/home.routes.ts';
import { importRoutes } from './routes/imports.routes.ts';
import { jobRoutes } from './routes/jobs.routes.ts';
import { noticeRoutes } from './routes/notices.routes.ts';
import { patronAccountRoutes } from './routes/patron-account.routes.ts';
import { patronAuthRoutes } from './routes/patron-auth.routes.ts';
import { patronRoutes } from './routes/patrons.routes.ts';
import { staffRoutes } from './routes/staff.routes.ts';
import { tokenRoutes } from './routes/tokens.routes.ts';

/** Options for the HTTP edge. */
export interface HttpOptions {
  /** The process's pino logger, to log requests; none in tests. */
  logger?: PinoLogger;
}

/**
 * Builds the Fastify server for an app: security headers, cookies, authentication on every route
 * (deny by default), schema-validated input and output, OpenAPI at /api/openapi.json and docs at
 * /api/docs, and the one error shape. Listening is the caller's job, so tests can `inject()`.
 */
export async function buildHttpServer(app: App, options: HttpOptions = {}): Promise<FastifyInstance> {
  const fastify = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    trustProxy: app.config.trust_proxy,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    // One access-log line a request, written when the answer has gone (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (options.logger) {
    fastify.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
      done();
    });
  }
  // Query strings, path parameters and headers are text: they are coerced to the schema's types. JSON
  // bodies already carry their types and are never coerced (coercion would turn a `null` sent for a
  // nullable number into 0).
  const validators = requestValidators();
  fastify.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.text).compile(schema),
  );

  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler(notFoundHandler);
  // U+0000 is refused in every parsed input before validation: PostgreSQL cannot store it in text (and
  // would fail the request with a 500), so both dialects refuse it alike, naming the field.
  fastify.addHook('preValidation', (request, _reply, done) => {
    for (const [part, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const path = nulPath(value, part !== 'body');
      if (path !== null) {
        const field = [part, ...path].join('/');
        const message = `${field} contains a NUL character (U+0000), which is not allowed`;
        done(new AppError('INVALID_CHARACTER', message, { field, issues: [{ field, message }] }));
        return;
      }
    }
    done();
  });
  fastify.addSchema(ErrorResponse);

  // Helmet's security headers on every answer. The middleware is built once: the Fastify plugin for
  // it builds a new one, parsing the content security policy again, for every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // The API docs page (Swagger UI) needs inline styles and images from data: URLs.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: app.config.cookie_secure,
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  await fastify.register(fastifyCookie);
  registerAuth(fastify, app);

  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Stacks library services platform API',
        version: VERSION,
        description:
          'Every route needs a staff session (cookie from POST /api/auth/login) or an API token ' +
          '(`Authorization: Bearer …`), except health, login and these docs. Errors answer ' +
          '`{ "error": { "code", "message", "details" } }`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'stacks_session' },
          token: { type: 'http', scheme: 'bearer' },
          patronSession: { type: 'apiKey', in: 'cookie', name: 'stacks_patron' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: ({ schema, url, route }) => {
      // Public routes need no credentials; say so in the document.
      const access = route.config?.access;
      const transformed = { ...schema } as Record<string, unknown>;
      if (access === 'public') transformed.security = [];
      if (access === 'patron') transformed.security = [{ patronSession: [] }];
      return { schema: transformed as typeof schema, url };
    },
  });
  await fastify.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: false });

  fastify.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    fastify.swagger(),
  );

  for (const routes of [
    homeRoutes,
    healthRoutes,
    authRoutes,
    staffRoutes,
    branchRoutes,
    catalogRoutes,
    circulationRoutes,
    patronAccountRoutes,
    fineRoutes,
    importRoutes,
    tokenRoutes,
    auditRoutes,
    noticeRoutes,
    jobRoutes,
    patronRoutes,
    patronAuthRoutes,
  ]) {
    await fastify.register(routes(app));
  }
  await fastify.ready();
  return fastify;
}

/**
 * Where a U+0000 is in parsed input: the path of keys to a string (or an object key) holding one, a
 * key shown with the character escaped; null when there is none. Walks plain objects and arrays (and
 * with `anyObject` the object at the top, as the query string parser makes its own kind), never an
 * upload's stream, and without recursion, so a deeply nested body cannot exhaust the stack.
 */
function nulPath(input: unknown, anyObject: boolean): string[] | null {
  if (typeof input === 'string') return input.includes('\0') ? [] : null;
  type Node = { value: object; key: string; parent: Node | null };
  const pathOf = (node: Node, last: string): string[] => {
    const keys = [last.replaceAll('\0', '\\u0000')];
    for (let n: Node | null = node; n?.parent; n = n.parent) keys.push(n.key);
    return keys.reverse();
  };
  const walkable = (value: unknown): value is object => {
    if (value === null || typeof value !== 'object') return false;
    if (Array.isArray(value)) return true;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  };
  if (!(walkable(input) || (anyObject && input !== null && typeof input === 'object'))) return null;
  const stack: Node[] = [{ value: input, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const entries: [string, unknown][] = Array.isArray(node.value)
      ? node.value.map((v, i) => [String(i), v])
      : Object.entries(node.value);
    for (const [key, value] of entries) {
      if (key.includes('\0') || (typeof value === 'string' && value.includes('\0'))) return pathOf(node, key);
      if (walkable(value)) stack.push({ value, key, parent: node });
    }
  }
  return null;
}

/** One Ajv for JSON bodies (types as sent) and one for text parts (query, params, headers: coerced). */
function requestValidators() {
  const make = (coerceTypes: false | 'array') => {
    const ajv = new Ajv({
      removeAdditional: false,
      coerceTypes,
      allErrors: false,
      useDefaults: true,
      strict: false,
    });
    // ajv-formats is CommonJS: its function is the default export's `default` under Node's ESM rules.
    (ajvFormats as unknown as { default: (ajv: Ajv) => void }).default(ajv);
    return ajv;
  };
  return { body: make(false), text: make('array') };
}
