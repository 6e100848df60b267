import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AccountLine,
  AccountPosting,
  AddFeeRequest,
  Dispute,
  DisputeNoteRequest,
  IdempotencyHeaders,
  IdParams,
  OpenDisputeRequest,
  PatronAccount,
  PaymentRequest,
  PaymentResult,
  RefundRequest,
  ResolveDisputeRequest,
  WaiverRequest,
  WriteOffRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { AppError } from '../../kernel/app-error.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/**
 * The patrons' accounts at the desk: the account with its history, fees, payments (with receipts),
 * waivers, write-offs, refunds, and disputes about charges.
 */
export function fineRoutes(app: App): FastifyPluginAsyncTypebox {
  const { fines } = app.services;
  const read = { access: { permission: 'patrons.read' as const } };
  const collect = { access: { permission: 'fines.collect' as const } };
  const waive = { access: { permission: 'fines.waive' as const } };
  const tags = ['fines'];

  return async (fastify) => {
    fastify.get(
      '/api/patrons/:id/account',
      {
        config: read,
        schema: {
          tags,
          summary: 'A patron’s account: every charge and credit (newest first), disputes and totals',
          params: IdParams,
          response: { 200: PatronAccount, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => fines.account(actorOf(request), request.params.id),
    );

    fastify.post(
      '/api/patrons/:id/fees',
      {
        config: collect,
        schema: {
          tags,
          summary: 'Add a fee by hand (damage, lost card, printing, other)',
          params: IdParams,
          body: AddFeeRequest,
          response: { 201: AccountLine, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await fines.addFee(actorOf(request), request.params.id, request.body)),
    );

    fastify.post(
      '/api/patrons/:id/payments',
      {
        config: collect,
        schema: {
          tags,
          summary:
            'Take a payment: covers the named charges first, then the oldest, disputed ones last. ' +
            'Send an Idempotency-Key header (or idempotencyKey) so a retry pays once.',
          params: IdParams,
          headers: IdempotencyHeaders,
          body: PaymentRequest,
          response: { 201: PaymentResult, ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) },
        },
      },
      async (request, reply) => {
        const header = request.headers['idempotency-key'];
        const body = request.body.idempotencyKey;
        if (header !== undefined && body !== undefined && header !== body)
          throw new AppError(
            'INVALID_IDEMPOTENCY_KEY',
            'The Idempotency-Key header and idempotencyKey differ; send one of them',
          );
        const payment = await fines.pay(actorOf(request), request.params.id, {
          ...request.body,
          idempotencyKey: header ?? body ?? null,
        });
        return reply.status(201).send(payment);
      },
    );

    fastify.get(
      '/api/payments/:id',
      {
        config: collect,
        schema: {
          tags,
          summary: 'A payment with what it covered and its receipt number',
          params: IdParams,
          response: { 200: PaymentResult, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => fines.payment(actorOf(request), request.params.id),
    );

    fastify.get(
      '/api/payments/:id/receipt.pdf',
      {
        config: collect,
        schema: {
          tags,
          summary: 'A payment receipt to print (PDF, 80 mm receipt paper)',
          params: IdParams,
          response: { 200: { type: 'string', format: 'binary' }, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const pdf = await fines.receiptPdf(actorOf(request), request.params.id);
        return reply
          .type('application/pdf')
          .header('content-disposition', 'inline; filename="receipt.pdf"')
          .send(pdf as never);
      },
    );

    fastify.post(
      '/api/patrons/:id/waivers',
      {
        config: waive,
        schema: {
          tags,
          summary: 'Waive charges, wholly or in part, with a reason',
          params: IdParams,
          body: WaiverRequest,
          response: { 201: AccountPosting, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await fines.waive(actorOf(request), request.params.id, request.body)),
    );

    fastify.post(
      '/api/patrons/:id/write-off',
      {
        config: waive,
        schema: {
          tags,
          summary: 'Write off everything the patron owes, with a reason',
          params: IdParams,
          body: WriteOffRequest,
          response: { 201: AccountPosting, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await fines.writeOff(actorOf(request), request.params.id, request.body)),
    );

    fastify.post(
      '/api/patrons/:id/refunds',
      {
        config: waive,
        schema: {
          tags,
          summary: 'Pay the patron back out of their credit',
          params: IdParams,
          body: RefundRequest,
          response: { 201: AccountPosting, ...AUTHED_ERRORS, ...errorResponses(404, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await fines.refund(actorOf(request), request.params.id, request.body)),
    );

    fastify.get(
      '/api/patrons/:id/disputes',
      {
        config: read,
        schema: {
          tags,
          summary: 'A patron’s disputes about charges, newest first',
          params: IdParams,
          response: { 200: Type.Array(Dispute), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => fines.listDisputes(actorOf(request), request.params.id),
    );

    fastify.post(
      '/api/patrons/:id/disputes',
      {
        config: collect,
        schema: {
          tags,
          summary: 'Record a patron’s complaint about charges',
          params: IdParams,
          body: OpenDisputeRequest,
          response: { 201: Dispute, ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await fines.openDispute(actorOf(request), request.params.id, request.body)),
    );

    fastify.get(
      '/api/disputes/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'A dispute with its notes',
          params: IdParams,
          response: { 200: Dispute, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => fines.dispute(actorOf(request), request.params.id),
    );

    fastify.post(
      '/api/disputes/:id/notes',
      {
        config: collect,
        schema: {
          tags,
          summary: 'Add a note to a dispute',
          params: IdParams,
          body: DisputeNoteRequest,
          response: { 201: Dispute, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await fines.addDisputeNote(actorOf(request), request.params.id, request.body.text)),
    );

    fastify.post(
      '/api/disputes/:id/resolve',
      {
        config: waive,
        schema: {
          tags,
          summary: 'Resolve a dispute: upheld (charges kept), waived in part, or waived whole',
          params: IdParams,
          body: ResolveDisputeRequest,
          response: { 200: Dispute, ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) },
        },
      },
      async (request) => fines.resolveDispute(actorOf(request), request.params.id, request.body),
    );
  };
}
