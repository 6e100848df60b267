import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { App } from '../../app.ts';
import { VERSION } from '../../version.ts';

/** `GET /`: a plain page saying the server is up and where its API and docs are. */
export function homeRoutes(_app: App): FastifyPluginAsyncTypebox {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stacks</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Stacks</h1>
<p>The Stacks library server ${VERSION} is running.</p>
<ul>
<li><a href="/api/docs">API documentation</a> (OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a>)</li>
<li><a href="/api/health">Health check</a></li>
</ul>
</body></html>`;
  return async (fastify) => {
    fastify.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(page),
    );
  };
}
