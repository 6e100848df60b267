import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  Branch,
  CalendarQuery,
  CalendarResponse,
  ClosedDay,
  ClosedDaysQuery,
  CreateBranchRequest,
  CreateClosedDayRequest,
  CreateLibraryRequest,
  IdParams,
  Library,
  OpeningHoursRequest,
  UpdateBranchRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** Libraries, branches, opening hours, closed days and each branch's calendar. */
export function branchRoutes(app: App): FastifyPluginAsyncTypebox {
  const { branches } = app.services;
  const read = { access: 'authenticated' as const };
  const manage = { access: { permission: 'branches.manage' as const } };
  const tags = ['branches'];

  return async (fastify) => {
    fastify.get(
      '/api/libraries',
      {
        config: read,
        schema: { tags, summary: 'List libraries', response: { 200: Type.Array(Library), ...AUTHED_ERRORS } },
      },
      async () => branches.listLibraries(),
    );

    fastify.post(
      '/api/libraries',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Add a library (a consortium member)',
          body: CreateLibraryRequest,
          response: { 201: Library, ...AUTHED_ERRORS, ...errorResponses(409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await branches.createLibrary(actorOf(request), request.body)),
    );

    fastify.get(
      '/api/branches',
      {
        // Public: the public catalog names branches for pickup and shows their hours.
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'List branches with their opening hours',
          response: { 200: Type.Array(Branch), ...AUTHED_ERRORS },
        },
      },
      async () => branches.listBranches(),
    );

    fastify.post(
      '/api/branches',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Add a branch with its time zone and weekly opening hours',
          body: CreateBranchRequest,
          response: { 201: Branch, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await branches.createBranch(actorOf(request), request.body)),
    );

    fastify.get(
      '/api/branches/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One branch',
          params: IdParams,
          response: { 200: Branch, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => branches.getBranch(request.params.id),
    );

    fastify.patch(
      '/api/branches/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a branch’s code, name, time zone or contact details',
          params: IdParams,
          body: UpdateBranchRequest,
          response: { 200: Branch, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => branches.updateBranch(actorOf(request), request.params.id, request.body),
    );

    fastify.put(
      '/api/branches/:id/opening-hours',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Replace a branch’s weekly opening hours',
          params: IdParams,
          body: OpeningHoursRequest,
          response: { 200: Branch, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) =>
        branches.setOpeningHours(actorOf(request), request.params.id, request.body.openingHours),
    );

    fastify.get(
      '/api/branches/:id/calendar',
      {
        config: read,
        schema: {
          tags,
          summary: 'Which days a branch is open and when (default: the next 14 days)',
          params: IdParams,
          querystring: CalendarQuery,
          response: { 200: CalendarResponse, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => {
        const { branch, days } = await branches.calendar(request.params.id, request.query);
        return { branchId: branch.id, timeZone: branch.timeZone, days };
      },
    );

    fastify.get(
      '/api/closed-days',
      {
        config: read,
        schema: {
          tags,
          summary:
            'Closed days: a branch’s own and library-wide ones, or only library-wide ones without branchId',
          querystring: ClosedDaysQuery,
          response: { 200: Type.Array(ClosedDay), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) =>
        branches.listClosedDays({ ...request.query, branchId: request.query.branchId ?? null }),
    );

    fastify.post(
      '/api/closed-days',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Close a branch (branchId) or every branch (branchId null) on a date',
          body: CreateClosedDayRequest,
          response: { 201: ClosedDay, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await branches.addClosedDay(actorOf(request), request.body)),
    );

    fastify.delete(
      '/api/closed-days/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Remove a closed day',
          params: IdParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await branches.removeClosedDay(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );
  };
}
