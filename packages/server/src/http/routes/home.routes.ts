import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { App } from '../../app.ts';
import { PACKAGE_DIR, VERSION } from '../../version.ts';

/** Where `npm start` (bin/stacks.js) builds the web clients. */
export const WEB_DIST = join(PACKAGE_DIR, '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

/** Paths of the public catalog that the browser routes itself (the page is sent for each). */
export const OPAC_PAGES = ['/', '/record/:id', '/account', '/login'];

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stacks</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Stacks</h1>
<p>The Stacks library server ${VERSION} is running, but the web clients are not built: start the server
with <code>npm start</code> (which builds them), or run <code>npm run build:web</code>.</p>
<ul>
<li><a href="/api/docs">API documentation</a> (OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a>)</li>
<li><a href="/api/health">Health check</a></li>
</ul>
</body></html>`;

/**
 * The web clients: the public catalog at `/` (and its client-side pages), the staff client at
 * `/staff/…`, and their built assets under `/assets/`. Pages are never cached (a new build shows at
 * once); assets carry a content hash in their name and are cached for a year.
 */
export function homeRoutes(_app: App, dist = WEB_DIST): FastifyPluginAsyncTypebox {
  async function page(reply: FastifyReply, file: string) {
    try {
      const html = await readFile(join(dist, file), 'utf8');
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    } catch {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(notBuilt);
    }
  }
  const publicPage = { config: { access: 'public' as const }, schema: { hide: true } };

  return async (fastify) => {
    for (const url of OPAC_PAGES)
      fastify.get(url, publicPage, async (_request, reply) => page(reply, 'index.html'));
    fastify.get('/staff', publicPage, async (_request, reply) => reply.redirect('/staff/'));
    fastify.get('/staff/*', publicPage, async (_request, reply) => page(reply, join('staff', 'index.html')));
    fastify.get('/assets/*', publicPage, async (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      const path = normalize(join(dist, 'assets', name));
      if (!path.startsWith(join(dist, 'assets') + sep)) return reply.callNotFound();
      try {
        if (!(await stat(path)).isFile()) return reply.callNotFound();
        return reply
          .type(TYPES[extname(path)] ?? 'application/octet-stream')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .send(await readFile(path));
      } catch {
        return reply.callNotFound();
      }
    });
  };
}
