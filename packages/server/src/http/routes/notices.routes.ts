import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  IdParams,
  Notice,
  NoticePreview,
  NoticesQuery,
  NoticeTemplate,
  NoticeTemplateParams,
  PreviewNoticeTemplateRequest,
  PrintBatchQuery,
  PutNoticeTemplateRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** The notice outbox (list, retry, print batches) and the notice templates. */
export function noticeRoutes(app: App): FastifyPluginAsyncTypebox {
  const { notices } = app.services;
  const read = { access: { permission: 'patrons.read' as const } };
  const desk = { access: { permission: 'circulation.desk' as const } };
  const policies = { access: { permission: 'policies.manage' as const } };
  const tags = ['notices'];

  return async (fastify) => {
    fastify.get(
      '/api/notices',
      {
        config: read,
        schema: {
          tags,
          summary:
            'Notices in the outbox, newest first; filter by status, patron or kind; page with `before`',
          querystring: NoticesQuery,
          response: { 200: Type.Array(Notice), ...AUTHED_ERRORS },
        },
      },
      async (request) => notices.list(request.query),
    );

    fastify.post(
      '/api/notices/:id/retry',
      {
        config: desk,
        schema: {
          tags,
          summary: 'Queue a failed e-mail notice again, with a fresh set of attempts',
          params: IdParams,
          response: { 200: Notice, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request) => notices.retry(actorOf(request), request.params.id),
    );

    fastify.post(
      '/api/notices/print-batch',
      {
        config: desk,
        schema: {
          tags,
          summary:
            'A PDF of every pending print notice (one page each, optionally only one home branch’s patrons); they are marked printed',
          querystring: PrintBatchQuery,
          response: { 200: { type: 'string', format: 'binary' }, ...AUTHED_ERRORS },
        },
      },
      async (request, reply) => {
        const pdf = await notices.printBatch(actorOf(request), request.query);
        return reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="notices.pdf"')
          .send(pdf as never);
      },
    );

    fastify.get(
      '/api/notice-templates',
      {
        config: policies,
        schema: {
          tags,
          summary: 'Every notice template in force (built-in, or the library’s own) with its placeholders',
          response: { 200: Type.Array(NoticeTemplate), ...AUTHED_ERRORS },
        },
      },
      async () => notices.listTemplates(),
    );

    fastify.post(
      '/api/notice-templates/preview',
      {
        config: policies,
        schema: {
          tags,
          summary: 'A template (the given wording, or the one in force) filled in with sample data',
          body: PreviewNoticeTemplateRequest,
          response: { 200: NoticePreview, ...AUTHED_ERRORS },
        },
      },
      async (request) => notices.previewTemplate(request.body),
    );

    fastify.get(
      '/api/notice-templates/:kind/:language',
      {
        config: policies,
        schema: {
          tags,
          summary: 'The template in force for a kind and language',
          params: NoticeTemplateParams,
          response: { 200: NoticeTemplate, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => notices.getTemplate(request.params.kind, request.params.language),
    );

    fastify.put(
      '/api/notice-templates/:kind/:language',
      {
        config: policies,
        schema: {
          tags,
          summary:
            'Save the library’s wording for a kind and language (refused with INVALID_TEMPLATE for unknown placeholders or unclosed blocks)',
          params: NoticeTemplateParams,
          body: PutNoticeTemplateRequest,
          response: { 200: NoticeTemplate, ...AUTHED_ERRORS },
        },
      },
      async (request) =>
        notices.putTemplate(actorOf(request), request.params.kind, request.params.language, request.body),
    );

    fastify.delete(
      '/api/notice-templates/:kind/:language',
      {
        config: policies,
        schema: {
          tags,
          summary: 'Remove the library’s wording; the built-in template applies again',
          params: NoticeTemplateParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await notices.deleteTemplate(actorOf(request), request.params.kind, request.params.language);
        return reply.status(204).send();
      },
    );
  };
}
