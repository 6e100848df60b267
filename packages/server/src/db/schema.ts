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
  sequences: SequenceRow;
  bib_records: BibRecordRow;
  bib_identifiers: BibIdentifierRow;
  bib_subjects: BibSubjectRow;
  bib_record_versions: BibRecordVersionRow;
  item_types: ItemTypeRow;
  items: ItemRow;
  catalog_imports: CatalogImportRow;
  bib_facets: BibFacetRow;
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

export interface SequenceRow {
  name: string;
  value: number;
}

export interface BibRecordRow {
  id: string;
  /** Small integer per record: the FTS5 rowid on SQLite. */
  seq: number;
  control_number: string | null;
  /** MARC-in-JSON. */
  marc: string;
  title: string;
  title_sort: string;
  responsibility: string | null;
  main_author: string | null;
  author_sort: string;
  /** JSON arrays of strings. */
  authors: string;
  subjects: string;
  series: string;
  publisher: string | null;
  pub_year: number | null;
  language: string | null;
  format: string;
  edition: string | null;
  isbns: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface BibIdentifierRow {
  record_id: string;
  /** isbn | issn | lccn | oclc | control | system */
  kind: string;
  value: string;
}

export interface BibSubjectRow {
  record_id: string;
  subject: string;
}

export interface BibRecordVersionRow {
  id: string;
  record_id: string;
  version: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  change: string;
  marc: string;
}

export interface ItemTypeRow {
  code: string;
  name: string;
  is_circulating: DbBool;
  created_at: string;
}

export interface ItemRow {
  id: string;
  record_id: string;
  barcode: string;
  branch_id: string;
  location: string | null;
  call_number: string | null;
  call_number_scheme: string;
  shelf_key: string;
  item_type: string;
  copy_number: string | null;
  volume: string | null;
  price_minor: number | null;
  public_note: string | null;
  staff_note: string | null;
  status: string;
  status_changed_at: string;
  created_at: string;
  updated_at: string;
}

export interface CatalogImportRow {
  id: string;
  status: string;
  file_name: string;
  format: string | null;
  size_bytes: number;
  bytes_done: number;
  records_read: number;
  options: string;
  report: string | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** What search counts facets on, one narrow row per record (see migration 0006). */
export interface BibFacetRow {
  seq: number;
  record_id: string;
  format: string;
  language: string | null;
  decade: number | null;
  pub_year: number | null;
  title_length: number;
  /** Items of the record that are on the shelf now. */
  available: number;
}
