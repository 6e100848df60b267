import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  BlockListQuery,
  BlockParams,
  CardBarcodeParams,
  CategoryCodeParams,
  CreateBlockRequest,
  CreatePatronCategoryRequest,
  CreatePatronRequest,
  DuplicateCheckRequest,
  DuplicateCheckResponse,
  IdempotencyHeaders,
  IdParams,
  MergePatronsRequest,
  Patron,
  PatronBlock,
  PatronCard,
  PatronCategory,
  PatronDataExport,
  PatronImportQuery,
  PatronImportReport,
  PatronSearchQuery,
  PatronSearchResponse,
  RenewMembershipRequest,
  ReplaceCardRequest,
  ReplaceCardResponse,
  SetPinRequest,
  UpdatePatronCategoryRequest,
  UpdatePatronRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { AppError } from '../../kernel/app-error.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** The largest CSV file one import request may carry. */
const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/**
 * Patron categories and patrons for staff: registration with the duplicate check, search, changes,
 * membership renewal, PINs, blocks, cards (replacement, printing), merging, the privacy export and
 * deletion, and CSV import and export.
 */
export function patronRoutes(app: App): FastifyPluginAsyncTypebox {
  const patrons = app.services.patrons;
  const read = { access: { permission: 'patrons.read' as const } };
  const manage = { access: { permission: 'patrons.manage' as const } };
  const policies = { access: { permission: 'policies.manage' as const } };
  const tags = ['patrons'];

  return async (fastify) => {
    // CSV arrives as text (only the import route takes it).
    fastify.addContentTypeParser(
      ['text/csv', 'text/plain'],
      { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES },
      (_request, body, done) => done(null, body),
    );

    // ------------------------------------------------------------ categories

    fastify.get(
      '/api/patron-categories',
      {
        config: read,
        schema: {
          tags,
          summary: 'List patron categories',
          response: { 200: Type.Array(PatronCategory), ...AUTHED_ERRORS },
        },
      },
      async () => patrons.listCategories(),
    );

    fastify.post(
      '/api/patron-categories',
      {
        config: policies,
        schema: {
          tags,
          summary: 'Add a patron category (loan limit, fine limit, enrolment period, age range)',
          body: CreatePatronCategoryRequest,
          response: { 201: PatronCategory, ...AUTHED_ERRORS, ...errorResponses(409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await patrons.createCategory(actorOf(request), request.body)),
    );

    fastify.patch(
      '/api/patron-categories/:code',
      {
        config: policies,
        schema: {
          tags,
          summary: 'Change a patron category’s name or limits',
          params: CategoryCodeParams,
          body: UpdatePatronCategoryRequest,
          response: { 200: PatronCategory, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => patrons.updateCategory(actorOf(request), request.params.code, request.body),
    );

    fastify.delete(
      '/api/patron-categories/:code',
      {
        config: policies,
        schema: {
          tags,
          summary: 'Delete a patron category no patron is in',
          params: CategoryCodeParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) => {
        await patrons.deleteCategory(actorOf(request), request.params.code);
        return reply.status(204).send();
      },
    );

    // ------------------------------------------------------------ patrons

    fastify.get(
      '/api/patrons',
      {
        config: read,
        schema: {
          tags,
          summary: 'Find patrons by name (words in any order), card barcode, e-mail or phone',
          querystring: PatronSearchQuery,
          response: { 200: PatronSearchResponse, ...AUTHED_ERRORS },
        },
      },
      async (request) => patrons.search(request.query),
    );

    fastify.post(
      '/api/patrons',
      {
        config: manage,
        schema: {
          tags,
          summary:
            'Register a patron; a possible duplicate is refused with 409 PATRON_POSSIBLE_DUPLICATE and the candidates unless allowDuplicate',
          body: CreatePatronRequest,
          response: { 201: Patron, ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await patrons.register(actorOf(request), request.body)),
    );

    fastify.post(
      '/api/patrons/duplicates',
      {
        config: read,
        schema: {
          tags,
          summary: 'Check for active patrons who may be the person being entered (writes nothing)',
          body: DuplicateCheckRequest,
          response: { 200: DuplicateCheckResponse, ...AUTHED_ERRORS },
        },
      },
      async (request) => ({ candidates: await patrons.findDuplicates(request.body) }),
    );

    fastify.get(
      '/api/patrons/by-card/:barcode',
      {
        config: read,
        schema: {
          tags,
          summary: 'The patron holding a card; a replaced card answers 422 PATRON_CARD_REPLACED',
          params: CardBarcodeParams,
          response: { 200: Patron, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request) => patrons.getByCard(request.params.barcode),
    );

    fastify.post(
      '/api/patrons/merge',
      {
        config: manage,
        schema: {
          tags,
          summary:
            'Merge a duplicate patron (mergeId) into another (keepId): cards, blocks, loans, holds and account move over',
          body: MergePatronsRequest,
          response: { 200: Patron, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request) => patrons.merge(actorOf(request), request.body),
    );

    fastify.post(
      '/api/patrons/import',
      {
        config: manage,
        bodyLimit: MAX_IMPORT_BYTES,
        schema: {
          tags,
          summary:
            'Import patrons from CSV (text/csv; columns card_barcode, first_name, last_name, birth_date, email, phone, address, category, home_branch, expires_on, notice_channel, language, notes); answers with a per-row report',
          consumes: ['text/csv'],
          querystring: PatronImportQuery,
          body: Type.String({ description: 'the CSV file, UTF-8, with a header row' }),
          response: { 200: PatronImportReport, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) =>
        patrons.importCsv(actorOf(request), request.body, {
          onExisting: request.query.onExisting ?? 'skip',
          dryRun: request.query.dryRun ?? false,
        }),
    );

    fastify.get(
      '/api/patrons/export.csv',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Every active patron as CSV, in the import’s columns (no PINs)',
          produces: ['text/csv'],
          response: { 200: Type.String(), ...AUTHED_ERRORS },
        },
      },
      async (request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="patrons.csv"')
          .send(Readable.from(patrons.exportCsv(actorOf(request))) as never),
    );

    fastify.get(
      '/api/patrons/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One patron',
          params: IdParams,
          response: { 200: Patron, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => patrons.getPatron(request.params.id),
    );

    fastify.patch(
      '/api/patrons/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a patron’s record (audited with the before and after of each changed field)',
          params: IdParams,
          body: UpdatePatronRequest,
          response: { 200: Patron, ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) },
        },
      },
      async (request) => patrons.update(actorOf(request), request.params.id, request.body),
    );

    fastify.delete(
      '/api/patrons/:id',
      {
        config: manage,
        schema: {
          tags,
          summary:
            'Delete a patron for privacy: refused with PATRON_HAS_OBLIGATIONS while loans or debts remain; the record is emptied of personal data',
          params: IdParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request, reply) => {
        await patrons.deletePatron(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    fastify.post(
      '/api/patrons/:id/renew',
      {
        config: manage,
        schema: {
          tags,
          summary:
            'Renew membership: the category’s months from the later of today and the current expiry, never past that many months from today',
          description:
            'Renewing again reaches no further. Send an Idempotency-Key header (or idempotencyKey) so a retry renews once.',
          params: IdParams,
          headers: IdempotencyHeaders,
          body: RenewMembershipRequest,
          response: { 200: Patron, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
        // The body is optional (the key may come as the header): no body is an empty one.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const header = request.headers['idempotency-key'];
        const body = request.body.idempotencyKey;
        if (header !== undefined && body !== undefined && header !== body)
          throw new AppError(
            'INVALID_IDEMPOTENCY_KEY',
            'The Idempotency-Key header and idempotencyKey differ; send one of them',
          );
        return patrons.renew(actorOf(request), request.params.id, { idempotencyKey: header ?? body ?? null });
      },
    );

    fastify.put(
      '/api/patrons/:id/pin',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Set or clear (null) the patron’s PIN; their catalog sessions end',
          params: IdParams,
          body: SetPinRequest,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request, reply) => {
        await patrons.setPin(actorOf(request), request.params.id, request.body.pin);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/patrons/:id/blocks',
      {
        config: read,
        schema: {
          tags,
          summary: 'The patron’s manual blocks, newest first',
          params: IdParams,
          querystring: BlockListQuery,
          response: { 200: Type.Array(PatronBlock), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) =>
        patrons.listBlocks(request.params.id, { includeLifted: request.query.includeLifted ?? true }),
    );

    fastify.post(
      '/api/patrons/:id/blocks',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Block the patron from borrowing, with a reason',
          params: IdParams,
          body: CreateBlockRequest,
          response: { 201: PatronBlock, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await patrons.addBlock(actorOf(request), request.params.id, request.body.reason)),
    );

    fastify.delete(
      '/api/patrons/:id/blocks/:blockId',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Lift a block',
          params: BlockParams,
          response: { 200: PatronBlock, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request) => patrons.liftBlock(actorOf(request), request.params.id, request.params.blockId),
    );

    fastify.get(
      '/api/patrons/:id/cards',
      {
        config: read,
        schema: {
          tags,
          summary: 'Every library card the patron has held, the current one first',
          params: IdParams,
          response: { 200: Type.Array(PatronCard), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => patrons.listCards(request.params.id),
    );

    fastify.post(
      '/api/patrons/:id/cards/replace',
      {
        config: manage,
        schema: {
          tags,
          summary:
            'Issue a new card (given or generated barcode); the old one stops working; optionally charge a fee',
          params: IdParams,
          body: ReplaceCardRequest,
          response: { 200: ReplaceCardResponse, ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) },
        },
      },
      async (request) => patrons.replaceCard(actorOf(request), request.params.id, request.body),
    );

    fastify.get(
      '/api/patrons/:id/card.pdf',
      {
        config: manage,
        schema: {
          tags,
          summary: 'The patron’s library card as a PDF to print (ID-1 card, Codabar or Code 39 barcode)',
          params: IdParams,
          response: {
            200: { type: 'string', format: 'binary' },
            ...AUTHED_ERRORS,
            ...errorResponses(404, 422),
          },
        },
      },
      async (request, reply) => {
        const pdf = await patrons.cardPdf(request.params.id);
        return reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="library-card.pdf"')
          .send(pdf as never);
      },
    );

    fastify.get(
      '/api/patrons/:id/export',
      {
        config: manage,
        schema: {
          tags,
          summary:
            'Everything held about the patron (privacy request): record, cards, blocks, and other modules’ data by key',
          params: IdParams,
          response: { 200: PatronDataExport, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const data = await patrons.exportData(request.params.id, actorOf(request));
        // Other modules' parts are free-form: send the document as it is.
        return reply.type('application/json').send(JSON.stringify(data) as never);
      },
    );
  };
}
