import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, Nullable, Text } from './common.ts';

export const StaffUser = Type.Object({
  id: Id,
  username: Type.String(),
  displayName: Type.String(),
  email: Nullable(Type.String()),
  isActive: Type.Boolean(),
  homeBranchId: Nullable(Id),
  roleIds: Type.Array(Id),
  lastLoginAt: Nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});
export type StaffUser = Static<typeof StaffUser>;

const Email = Type.String({ format: 'email', maxLength: 254 });

export const CreateStaffUserRequest = Type.Object(
  {
    username: Type.String({
      minLength: 2,
      maxLength: 64,
      description: 'letters, digits, dot, underscore, hyphen',
    }),
    displayName: Text(200),
    email: Type.Optional(Nullable(Email)),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    roleIds: Type.Optional(Type.Array(Id, { uniqueItems: true })),
    homeBranchId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);
export type CreateStaffUserRequest = Static<typeof CreateStaffUserRequest>;

export const UpdateStaffUserRequest = Type.Object(
  {
    displayName: Type.Optional(Text(200)),
    email: Type.Optional(Nullable(Email)),
    isActive: Type.Optional(Type.Boolean()),
    roleIds: Type.Optional(Type.Array(Id, { uniqueItems: true })),
    homeBranchId: Type.Optional(Nullable(Id)),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'set a new password; ends the user’s sessions',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateStaffUserRequest = Static<typeof UpdateStaffUserRequest>;

export const Role = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(Type.String()),
});
export type Role = Static<typeof Role>;

export const CreateRoleRequest = Type.Object(
  {
    name: Text(100),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    permissions: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateRoleRequest = Static<typeof CreateRoleRequest>;

export const UpdateRoleRequest = Type.Object(
  {
    name: Type.Optional(Text(100)),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    permissions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRoleRequest = Static<typeof UpdateRoleRequest>;

export const PermissionInfo = Type.Object({ name: Type.String(), description: Type.String() });

export const ApiToken = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the token, to recognise it' }),
  userId: Id,
  permissions: Nullable(Type.Array(Type.String())),
  createdAt: Instant,
  expiresAt: Nullable(Instant),
  lastUsedAt: Nullable(Instant),
  revokedAt: Nullable(Instant),
});
export type ApiToken = Static<typeof ApiToken>;

export const CreateApiTokenRequest = Type.Object(
  {
    name: Text(100, 'what the token is for, e.g. "self-check kiosk 2"'),
    userId: Type.Optional(Id),
    permissions: Type.Optional(
      Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { uniqueItems: true })),
    ),
    expiresInDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650 }))),
  },
  { additionalProperties: false },
);
export type CreateApiTokenRequest = Static<typeof CreateApiTokenRequest>;

export const CreatedApiToken = Type.Object({
  token: ApiToken,
  secret: Type.String({ description: 'send as `Authorization: Bearer <secret>`; shown only this once' }),
});

export const AuditRecord = Type.Object({
  id: Id,
  at: Instant,
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Nullable(Type.String()),
  changes: Nullable(Type.Record(Type.String(), Type.Unknown())),
});

export const AuditQuery = Type.Object(
  {
    entityType: Type.Optional(Type.String({ maxLength: 64 })),
    entityId: Type.Optional(Type.String({ maxLength: 64 })),
    actorId: Type.Optional(Type.String({ maxLength: 64 })),
    before: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
