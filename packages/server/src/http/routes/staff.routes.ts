import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateRoleRequest,
  CreateStaffUserRequest,
  IdParams,
  PERMISSIONS,
  PermissionInfo,
  Role,
  StaffUser,
  UpdateRoleRequest,
  UpdateStaffUserRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** Staff accounts, roles and the list of permissions. */
export function staffRoutes(app: App): FastifyPluginAsyncTypebox {
  const { staff } = app.services;
  const read = { access: { permission: 'staff.read' as const } };
  const manage = { access: { permission: 'staff.manage' as const } };
  const tags = ['staff'];
  const noEscalation =
    'Refused with 403 FORBIDDEN (details.missing) when it would grant a permission you do not hold, or act on an account or role holding one; only holders of * change administrators.';

  return async (fastify) => {
    fastify.get(
      '/api/staff/users',
      {
        config: read,
        schema: {
          tags,
          summary: 'List staff accounts',
          response: { 200: Type.Array(StaffUser), ...AUTHED_ERRORS },
        },
      },
      async () => staff.listUsers(),
    );

    fastify.post(
      '/api/staff/users',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Add a staff account',
          description: noEscalation,
          body: CreateStaffUserRequest,
          response: { 201: StaffUser, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await staff.createUser(actorOf(request), request.body)),
    );

    fastify.get(
      '/api/staff/users/:id',
      {
        config: read,
        schema: {
          tags,
          summary: 'One staff account',
          params: IdParams,
          response: { 200: StaffUser, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => staff.getUser(request.params.id),
    );

    fastify.patch(
      '/api/staff/users/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Change a staff account: name, e-mail, roles, home branch, active, or reset its password',
          description: noEscalation,
          params: IdParams,
          body: UpdateStaffUserRequest,
          response: { 200: StaffUser, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => staff.updateUser(actorOf(request), request.params.id, request.body),
    );

    fastify.get(
      '/api/staff/roles',
      {
        config: read,
        schema: { tags, summary: 'List roles', response: { 200: Type.Array(Role), ...AUTHED_ERRORS } },
      },
      async () => staff.listRoles(),
    );

    fastify.post(
      '/api/staff/roles',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Add a role',
          description: noEscalation,
          body: CreateRoleRequest,
          response: { 201: Role, ...AUTHED_ERRORS, ...errorResponses(409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await staff.createRole(actorOf(request), request.body)),
    );

    fastify.patch(
      '/api/staff/roles/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Rename a role or change its permissions',
          description: noEscalation,
          params: IdParams,
          body: UpdateRoleRequest,
          response: { 200: Role, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => staff.updateRole(actorOf(request), request.params.id, request.body),
    );

    fastify.delete(
      '/api/staff/roles/:id',
      {
        config: manage,
        schema: {
          tags,
          summary: 'Remove a role that no account holds',
          description: noEscalation,
          params: IdParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) => {
        await staff.deleteRole(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/staff/permissions',
      {
        config: read,
        schema: {
          tags,
          summary: 'Every permission a role can hold',
          response: { 200: Type.Array(PermissionInfo), ...AUTHED_ERRORS },
        },
      },
      async () => [
        { name: '*', description: 'Everything (administrators), including permissions added later' },
        ...Object.entries(PERMISSIONS).map(([name, description]) => ({ name, description })),
      ],
    );
  };
}
