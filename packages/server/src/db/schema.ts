import type { Generated } from 'kysely';

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
  catalog_exports: CatalogExportRow;
  catalog_record_sources: CatalogRecordSourceRow;
  bib_facets: BibFacetRow;
  bib_subject_headings: BibSubjectHeadingRow;
  patron_categories: PatronCategoryRow;
  patrons: PatronRow;
  patron_cards: PatronCardRow;
  patron_blocks: PatronBlockRow;
  patron_sessions: PatronSessionRow;
  circulation_rules: CirculationRuleRow;
  loans: LoanRow;
  holds: HoldRow;
  transits: TransitRow;
  account_lines: AccountLineRow;
  account_allocations: AccountAllocationRow;
  disputes: DisputeRow;
  dispute_charges: DisputeChargeRow;
  dispute_notes: DisputeNoteRow;
  notice_templates: NoticeTemplateRow;
  notices: NoticeRow;
  job_leases: JobLeaseRow;
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

export interface CatalogExportRow {
  id: string;
  status: string;
  format: string;
  query: string;
  records_total: number;
  records_done: number;
  size_bytes: number | null;
  report: string | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** An imported record's original bytes (see migration 0014-record-sources). */
export interface CatalogRecordSourceRow {
  id: string;
  record_id: string;
  /** iso2709 | marcxml | marc-json */
  format: string;
  /** Written as bytes; read back as a Buffer on both dialects. */
  original: Uint8Array;
  imported_at: string;
  import_id: string | null;
}

/** What search counts facets on, one narrow row per record (see migration 0006). */
export interface BibSubjectHeadingRow {
  id: Generated<number>;
  heading: string;
}

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
  /** The catalog change number of the transaction that last wrote the row (see `nextCatalogChange`; read on SQLite only). */
  change_no: number;
  /** Ids of the record's subject headings (`bib_subject_headings`), joined by spaces. */
  subject_ids: string;
  /** Branches holding items of the record, each followed by `+` when one there is on the shelf, joined by spaces. */
  branches: string;
}

export interface PatronCategoryRow {
  code: string;
  name: string;
  loan_limit: number;
  fine_limit_minor: number | null;
  enrolment_months: number;
  age_min: number | null;
  age_max: number | null;
  created_at: string;
  updated_at: string;
}

export interface PatronRow {
  id: string;
  card_barcode: string;
  first_name: string;
  last_name: string;
  name_key: string;
  birth_date: string | null;
  email: string | null;
  email_key: string | null;
  phone: string | null;
  address: string | null;
  category_code: string;
  home_branch_id: string;
  pin_hash: string | null;
  expires_on: string;
  notes: string | null;
  guarantor_id: string | null;
  notice_channel: string;
  language: string;
  keep_history: DbBool;
  status: string;
  merged_into_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PatronCardRow {
  id: string;
  patron_id: string;
  barcode: string;
  status: string;
  issued_at: string;
  replaced_at: string | null;
  replace_reason: string | null;
}

export interface PatronBlockRow {
  id: string;
  patron_id: string;
  reason: string;
  created_by: string;
  created_at: string;
  lifted_at: string | null;
  lifted_by: string | null;
}

export interface PatronSessionRow {
  token_hash: string;
  patron_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface CirculationRuleRow {
  id: string;
  branch_id: string | null;
  patron_category: string | null;
  item_type: string | null;
  loan_period: number;
  loan_unit: string;
  renewals_allowed: number;
  renewal_period: number | null;
  max_loans: number | null;
  fine_per_unit_minor: number;
  grace_units: number;
  max_fine_minor: number | null;
  holds_allowed: number;
  hold_shelf_days: number;
  lost_after_days: number | null;
  lost_processing_fee_minor: number;
  refund_lost_on_return: DbBool;
  charge_closed_days: DbBool;
  created_at: string;
  updated_at: string;
}

export interface LoanRow {
  id: string;
  item_id: string;
  patron_id: string | null;
  branch_id: string;
  rule_id: string | null;
  checked_out_at: string;
  due_at: string;
  loan_unit: string;
  renewals: number;
  fine_per_unit_minor: number;
  grace_units: number;
  max_fine_minor: number | null;
  charge_closed_days: DbBool;
  fine_charged_minor: number;
  status: string;
  lost_at: string | null;
  returned_at: string | null;
  returned_branch_id: string | null;
  checked_out_by: string;
  override_reason: string | null;
  anonymised_at: string | null;
}

export interface HoldRow {
  id: string;
  patron_id: string;
  record_id: string;
  item_id: string | null;
  level: string;
  pickup_branch_id: string;
  status: string;
  suspended_until: string | null;
  not_needed_after: string | null;
  trapped_at: string | null;
  shelf_expires_on: string | null;
  ended_at: string | null;
  end_reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface TransitRow {
  id: string;
  item_id: string;
  from_branch_id: string;
  to_branch_id: string;
  hold_id: string | null;
  reason: string;
  status: string;
  sent_at: string;
  received_at: string | null;
}

export interface AccountLineRow {
  id: string;
  patron_id: string;
  kind: string;
  amount_minor: number;
  currency: string;
  loan_id: string | null;
  item_id: string | null;
  description: string;
  reason: string | null;
  created_by: string;
  created_at: string;
  idempotency_key: string | null;
}

export interface AccountAllocationRow {
  id: string;
  credit_id: string;
  charge_id: string;
  amount_minor: number;
  created_at: string;
}

export interface DisputeRow {
  id: string;
  patron_id: string;
  status: string;
  complaint: string;
  resolution: string | null;
  waived_minor: number;
  created_by: string;
  created_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
}

export interface DisputeChargeRow {
  dispute_id: string;
  charge_id: string;
}

export interface DisputeNoteRow {
  id: string;
  dispute_id: string;
  author: string;
  text: string;
  created_at: string;
}

export interface NoticeTemplateRow {
  kind: string;
  language: string;
  subject: string;
  body: string;
  updated_at: string;
}

export interface NoticeRow {
  id: string;
  patron_id: string;
  kind: string;
  channel: string;
  language: string;
  recipient: string | null;
  subject: string;
  body: string;
  dedupe_key: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  message_id: string;
  sent_at: string | null;
  created_at: string;
}

export interface JobLeaseRow {
  name: string;
  holder: string | null;
  lease_until: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_outcome: string | null;
  last_summary: string | null;
}
