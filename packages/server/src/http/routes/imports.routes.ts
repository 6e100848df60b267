import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, ImportJob, ImportUploadQuery } from '@stacks/contract';
import type { App } from '../../app.ts';
import { AppError } from '../../kernel/app-error.ts';
import { newId } from '../../kernel/ids.ts';
import { DEFAULT_MATCH_POINTS, type MatchPoint } from '../../modules/catalog/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

const MATCH_POINTS: readonly string[] = ['oclc', 'system', 'lccn', 'isbn', 'issn', 'control'];
/** The largest file one upload may carry. */
const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/**
 * MARC file uploads: the body (any MARC format, detected by content) is streamed to the data folder,
 * the import runs in the background, and its progress is read with GET.
 */
export function importRoutes(app: App): FastifyPluginAsyncTypebox {
  const jobs = app.services.catalogImportJobs;
  const tags = ['catalog'];
  return async (fastify) => {
    // In this plugin only, request bodies arrive as streams whatever their type (a MARC-in-JSON file
    // is data to import, not a request to parse).
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    fastify.post(
      '/api/catalog/imports',
      {
        bodyLimit: MAX_UPLOAD_BYTES,
        config: { access: { permission: 'catalog.edit' } },
        schema: {
          tags,
          summary:
            'Upload a MARC file (ISO 2709, MARCXML or MARC-in-JSON) to import; answers at once, follow it with GET',
          querystring: ImportUploadQuery,
          response: { 202: ImportJob, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const matchPoints = q.match ? q.match.split(',').map((m) => m.trim()) : [...DEFAULT_MATCH_POINTS];
        const unknown = matchPoints.filter((m) => !MATCH_POINTS.includes(m));
        if (unknown.length > 0)
          throw new AppError(
            'INVALID_MATCH_POINT',
            `Unknown match point: ${unknown.join(', ')} (known: ${MATCH_POINTS.join(', ')})`,
          );
        const body = request.body as NodeJS.ReadableStream | undefined;
        if (!body) throw new AppError('VALIDATION_FAILED', 'Send the MARC file as the request body');
        const folder = join(app.config.dataDir, 'uploads');
        await mkdir(folder, { recursive: true });
        const path = join(folder, `${newId()}.upload`);
        const file = createWriteStream(path);
        await pipeline(body, file);
        if (file.bytesWritten === 0) throw new AppError('VALIDATION_FAILED', 'The uploaded file is empty');
        const job = await jobs.start(
          actorOf(request),
          { path, fileName: q.fileName ?? 'upload', sizeBytes: file.bytesWritten },
          {
            onDuplicate: q.onDuplicate ?? 'skip',
            matchPoints: matchPoints as MatchPoint[],
            ...(q.branch ? { defaultBranchCode: q.branch } : {}),
            ...(q.itemType ? { defaultItemType: q.itemType } : {}),
          },
        );
        return reply.status(202).send(job);
      },
    );

    fastify.get(
      '/api/catalog/imports/:id',
      {
        config: { access: { permission: 'catalog.edit' } },
        schema: {
          tags,
          summary:
            'How far an import is, and its report when done (every problem with its record’s position)',
          params: IdParams,
          response: { 200: ImportJob, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => jobs.get(request.params.id),
    );
  };
}
