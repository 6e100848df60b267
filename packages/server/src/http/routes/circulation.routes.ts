import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  BranchParams,
  CancelHoldRequest,
  ChangePickupRequest,
  CheckinRequest,
  CheckinResponse,
  CheckoutRequest,
  CheckoutResponse,
  CirculationRule,
  CreateCirculationRuleRequest,
  ExplainQuery,
  Hold,
  HoldShelf,
  HoldsQuery,
  IdParams,
  ItemBarcodeRequest,
  Loan,
  LoansQuery,
  LostResponse,
  PatronAtDesk,
  PlaceHoldRequest,
  PullListEntry,
  RenewRequest,
  RenewResponse,
  RuleExplanation,
  SuspendHoldRequest,
  Transit,
  TransitsQuery,
  UpdateCirculationRuleRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { can } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import { actorOf, patronActorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** The desk: check out, check in, renew, lost, claims returned; holds, pull list, hold shelf, transits; rules. */
export function circulationRoutes(app: App): FastifyPluginAsyncTypebox {
  const { circulation, holds, policies } = app.services.circulation;
  const desk = { access: { permission: 'circulation.desk' as const } };
  const read = { access: { permission: 'patrons.read' as const } };
  const manage = { access: { permission: 'policies.manage' as const } };
  const tags = ['circulation'];
  const holdTags = ['holds'];
  const DESK_ERRORS = { ...AUTHED_ERRORS, ...errorResponses(404, 409, 422) };

  return async (fastify) => {
    fastify.post(
      '/api/circulation/checkout',
      {
        config: desk,
        schema: {
          tags,
          summary: 'Check an item out to a patron (by barcodes)',
          description:
            'Refusals (expired card, block, fines over limit, overdue items, loan limit, holds, item status) answer 422 with the first refusal’s code and every refusal in details.refusals; send override.reason with the permission circulation.override to check out anyway. Two desks racing for one item: one loan, the other gets 409 ITEM_CHECKOUT_CONFLICT.',
          body: CheckoutRequest,
          response: { 201: CheckoutResponse, ...DESK_ERRORS },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await circulation.checkout(actorOf(request), request.body)),
    );

    fastify.post(
      '/api/circulation/checkin',
      {
        config: desk,
        schema: {
          tags,
          summary: 'Check an item in and say where it goes (hold shelf, transit, reshelve)',
          description:
            'Ends the loan, charges overdue fines (backdate with returnedAt for book-drop returns), refunds a lost fee if the rule says so, and routes the item. A retried check-in charges nothing twice and creates no second transit (alreadyCheckedIn: true).',
          body: CheckinRequest,
          response: { 200: CheckinResponse, ...DESK_ERRORS },
        },
      },
      async (request) => circulation.checkin(actorOf(request), request.body),
    );

    fastify.post(
      '/api/circulation/renew',
      {
        config: desk,
        schema: {
          tags,
          summary: 'Renew a loan (by item barcode or loan id)',
          body: RenewRequest,
          response: { 200: RenewResponse, ...DESK_ERRORS },
        },
      },
      async (request) => circulation.renew(actorOf(request), request.body),
    );

    fastify.post(
      '/api/circulation/lost',
      {
        config: desk,
        schema: {
          tags,
          summary: 'Declare a checked-out item lost and bill the patron',
          body: ItemBarcodeRequest,
          response: { 200: LostResponse, ...DESK_ERRORS },
        },
      },
      async (request) => circulation.declareLost(actorOf(request), request.body.itemBarcode),
    );

    fastify.post(
      '/api/circulation/claims-returned',
      {
        config: desk,
        schema: {
          tags,
          summary:
            'Record that the patron says they returned an item (fines stop; the item is marked missing)',
          body: ItemBarcodeRequest,
          response: { 200: Loan, ...DESK_ERRORS },
        },
      },
      async (request) =>
        circulation.claimReturned(actorOf(request), request.body.itemBarcode, request.body.note),
    );

    fastify.get(
      '/api/circulation/patrons/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'A patron at the desk: blocks (manual and automatic), balance, loans, holds',
          params: IdParams,
          querystring: Type.Object({ branchId: Type.Optional(Type.String({ format: 'uuid' })) }),
          response: { 200: PatronAtDesk, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => circulation.patronAtDesk(request.params.id, request.query.branchId),
    );

    fastify.get(
      '/api/circulation/patrons/:id/loans',
      {
        config: read,
        schema: {
          tags,
          summary: 'A patron’s current loans, or their kept history',
          params: IdParams,
          querystring: LoansQuery,
          response: { 200: Type.Array(Loan), ...AUTHED_ERRORS },
        },
      },
      async (request) =>
        circulation.loansOf(
          request.params.id,
          request.query.which ?? 'current',
          request.query.page,
          request.query.pageSize,
        ),
    );

    // ---- holds ----

    fastify.post(
      '/api/holds',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Place a hold for a patron (title-level, or item-level with itemId)',
          body: PlaceHoldRequest,
          response: { 201: Hold, ...DESK_ERRORS },
        },
      },
      async (request, reply) => {
        const { patronBarcode, patronId, ...rest } = request.body;
        let id = patronId;
        if (!id && patronBarcode) id = (await app.services.patrons.getByCard(patronBarcode)).id;
        if (!id) throw new AppError('INVALID_HOLD', 'Say whose hold it is: patronId or patronBarcode');
        return reply.status(201).send(await holds.place(actorOf(request), { ...rest, patronId: id }));
      },
    );

    fastify.get(
      '/api/holds',
      {
        config: read,
        schema: {
          tags: holdTags,
          summary: 'Holds of a patron or the queue of a record',
          querystring: HoldsQuery,
          response: { 200: Type.Array(Hold), ...AUTHED_ERRORS },
        },
      },
      async (request) => {
        const { patronId, recordId, all } = request.query;
        if (patronId) return holds.ofPatron(patronId, all ?? false);
        if (recordId) return holds.ofRecord(recordId);
        throw new AppError('INVALID_QUERY', 'Say whose holds (patronId) or which record’s queue (recordId)');
      },
    );

    fastify.get(
      '/api/holds/:id',
      {
        config: read,
        schema: {
          tags: holdTags,
          summary: 'A hold',
          params: IdParams,
          response: { 200: Hold, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => holds.get(request.params.id),
    );

    fastify.post(
      '/api/holds/:id/cancel',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Cancel a hold',
          params: IdParams,
          body: CancelHoldRequest,
          response: { 200: Hold, ...DESK_ERRORS },
        },
      },
      async (request) => holds.cancel(actorOf(request), request.params.id, request.body.reason),
    );

    fastify.post(
      '/api/holds/:id/suspend',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Suspend a waiting hold until a date (or indefinitely); it keeps its place in the queue',
          params: IdParams,
          body: SuspendHoldRequest,
          response: { 200: Hold, ...DESK_ERRORS },
        },
      },
      async (request) => holds.suspend(actorOf(request), request.params.id, request.body.until),
    );

    fastify.post(
      '/api/holds/:id/resume',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Resume a suspended hold',
          params: IdParams,
          response: { 200: Hold, ...DESK_ERRORS },
        },
      },
      async (request) => holds.resume(actorOf(request), request.params.id),
    );

    fastify.post(
      '/api/holds/:id/pickup',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Change the pickup branch of a waiting hold',
          params: IdParams,
          body: ChangePickupRequest,
          response: { 200: Hold, ...DESK_ERRORS },
        },
      },
      async (request) => holds.changePickup(actorOf(request), request.params.id, request.body.pickupBranchId),
    );

    fastify.get(
      '/api/branches/:branchId/pull-list',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Items to fetch from this branch’s shelves for waiting holds, in shelf order',
          params: BranchParams,
          response: { 200: Type.Array(PullListEntry), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => holds.pullList(request.params.branchId),
    );

    fastify.get(
      '/api/branches/:branchId/hold-shelf',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Holds ready on this branch’s hold shelf, and items to clear from it',
          params: BranchParams,
          response: { 200: HoldShelf, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => holds.holdShelf(request.params.branchId),
    );

    fastify.get(
      '/api/transits',
      {
        config: desk,
        schema: {
          tags: holdTags,
          summary: 'Items in transit (to receive: check them in at the destination)',
          querystring: TransitsQuery,
          response: { 200: Type.Array(Transit), ...AUTHED_ERRORS },
        },
      },
      async (request) => holds.transits(request.query),
    );

    // ---- the signed-in patron's own loans and holds (public catalog, self-service) ----

    const self = { access: 'patron' as const };
    const selfTags = ['my account'];
    const SELF_ERRORS = { ...errorResponses(400, 401, 404, 409, 422) };

    fastify.get(
      '/api/patron/loans',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'My loans (current, or my kept history)',
          querystring: LoansQuery,
          response: { 200: Type.Array(Loan), ...SELF_ERRORS },
        },
      },
      async (request) => {
        const { patronId } = patronActorOf(request);
        const { which, page, pageSize } = request.query;
        return circulation.loansOf(patronId, which ?? 'current', page, pageSize);
      },
    );

    fastify.post(
      '/api/patron/loans/:id/renew',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary:
            'Renew one of my loans (refused with the reason when a hold, a limit or a block stands in the way)',
          params: IdParams,
          response: { 200: RenewResponse, ...SELF_ERRORS },
        },
      },
      async (request) => circulation.renew(patronActorOf(request), { loanId: request.params.id }),
    );

    fastify.get(
      '/api/patron/holds',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'My holds, with my place in each queue',
          response: { 200: Type.Array(Hold), ...SELF_ERRORS },
        },
      },
      async (request) => holds.ofPatron(patronActorOf(request).patronId),
    );

    fastify.post(
      '/api/patron/holds',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'Place a hold for myself',
          body: Type.Object(
            {
              recordId: Type.String({ format: 'uuid' }),
              pickupBranchId: Type.String({ format: 'uuid' }),
              notNeededAfter: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
            },
            { additionalProperties: false },
          ),
          response: { 201: Hold, ...SELF_ERRORS },
        },
      },
      async (request, reply) => {
        const actor = patronActorOf(request);
        return reply
          .status(201)
          .send(await holds.place(actor, { ...request.body, patronId: actor.patronId }));
      },
    );

    fastify.post(
      '/api/patron/holds/:id/cancel',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'Cancel one of my holds',
          params: IdParams,
          response: { 200: Hold, ...SELF_ERRORS },
        },
      },
      async (request) => holds.cancel(patronActorOf(request), request.params.id),
    );

    fastify.post(
      '/api/patron/holds/:id/suspend',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'Suspend one of my holds (until a date, or until I resume it)',
          params: IdParams,
          body: SuspendHoldRequest,
          response: { 200: Hold, ...SELF_ERRORS },
        },
      },
      async (request) => holds.suspend(patronActorOf(request), request.params.id, request.body.until),
    );

    fastify.post(
      '/api/patron/holds/:id/resume',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'Resume one of my suspended holds',
          params: IdParams,
          response: { 200: Hold, ...SELF_ERRORS },
        },
      },
      async (request) => holds.resume(patronActorOf(request), request.params.id),
    );

    fastify.post(
      '/api/patron/holds/:id/pickup',
      {
        config: self,
        schema: {
          tags: selfTags,
          summary: 'Change where I collect a waiting hold',
          params: IdParams,
          body: ChangePickupRequest,
          response: { 200: Hold, ...SELF_ERRORS },
        },
      },
      async (request) =>
        holds.changePickup(patronActorOf(request), request.params.id, request.body.pickupBranchId),
    );

    // ---- rules ----

    fastify.get(
      '/api/circulation/rules',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: 'The circulation rules matrix',
          response: { 200: Type.Array(CirculationRule), ...AUTHED_ERRORS },
        },
      },
      async () => policies.list(),
    );

    fastify.post(
      '/api/circulation/rules',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Add a rule (null in branchId, patronCategory or itemType: any)',
          body: CreateCirculationRuleRequest,
          response: { 201: CirculationRule, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) => reply.status(201).send(await policies.create(actorOf(request), request.body)),
    );

    fastify.patch(
      '/api/circulation/rules/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a rule',
          params: IdParams,
          body: UpdateCirculationRuleRequest,
          response: { 200: CirculationRule, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => policies.update(actorOf(request), request.params.id, request.body),
    );

    fastify.delete(
      '/api/circulation/rules/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Remove a rule',
          params: IdParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await policies.remove(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/circulation/rules/explain',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: 'Which rule applies to this patron and item at this branch, and why',
          description:
            'Every rule with whether it matches and why, the most specific match (the winner), and what a checkout now would get: due date, renewals, fine, limits, holds, lost billing. Naming a patron by card (patronBarcode) needs the permission patrons.read.',
          querystring: ExplainQuery,
          response: { 200: RuleExplanation, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => {
        // Looking up a card would tell whether it exists and its category: refused before any look-up
        // to staff who may not read patrons, so every card, known or not, gets the same answer.
        if (request.query.patronBarcode !== undefined && !can(actorOf(request), 'patrons.read'))
          throw new AppError('FORBIDDEN', 'You need the permission patrons.read to name a patron here', {
            permission: 'patrons.read',
          });
        return policies.explain(request.query);
      },
    );
  };
}
