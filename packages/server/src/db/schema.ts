/**
 * Row types of every table, as Kysely sees them. Kept in step with `migrations/` by hand and checked
 * by the migration test, which compares this list of tables with the migrated database.
 * Booleans read back as 0/1 on SQLite and true/false on PostgreSQL: repositories convert with Boolean().
 */
export interface DB {
  libraries: LibraryRow;
  branches: BranchRow;
  branch_opening_hours: OpeningHoursRow;
  closed_days: ClosedDayRow;
  staff_users: StaffUserRow;
  roles: RoleRow;
  role_permissions: RolePermissionRow;
  staff_user_roles: StaffUserRoleRow;
  sessions: SessionRow;
  api_tokens: ApiTokenRow;
  login_attempts: LoginAttemptRow;
  audit_log: AuditLogRow;
}

/** A stored boolean: written as boolean, read as boolean (PostgreSQL) or 0/1 (SQLite). */
export type DbBool = boolean | number;

export interface LibraryRow {
  id: string;
  code: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface BranchRow {
  id: string;
  library_id: string;
  code: string;
  name: string;
  time_zone: string;
  address: string | null;
  email: string | null;
  phone: string | null;
  created_at: string;
  updated_at: string;
}

export interface OpeningHoursRow {
  branch_id: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  opens: string;
  closes: string;
}

export interface ClosedDayRow {
  id: string;
  /** NULL: the library is closed at every branch that day. */
  branch_id: string | null;
  date: string;
  reason: string;
  created_at: string;
}

export interface StaffUserRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  password_hash: string;
  is_active: DbBool;
  home_branch_id: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RoleRow {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface RolePermissionRow {
  role_id: string;
  permission: string;
}

export interface StaffUserRoleRow {
  user_id: string;
  role_id: string;
}

export interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  token_hash: string;
  prefix: string;
  user_id: string;
  /** JSON array of permissions the token is limited to, or NULL for all of its user's. */
  permissions: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface LoginAttemptRow {
  id: string;
  username: string;
  ip: string;
  at: string;
  succeeded: DbBool;
}

export interface AuditLogRow {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: string | null;
}
