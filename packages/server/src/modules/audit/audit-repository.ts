import type { Executor } from '../../db/database.ts';
import { columnsOf, prepared } from '../../db/prepared.ts';
import type { AuditLogRow } from '../../db/schema.ts';

const auditInsert = prepared(
  (db, row: AuditLogRow) => db.insertInto('audit_log').values(row),
  columnsOf<AuditLogRow>({
    id: true,
    at: true,
    actor_type: true,
    actor_id: true,
    action: true,
    entity_type: true,
    entity_id: true,
    changes: true,
  }),
);

/** Appends one row; the audit log is never updated or deleted from. */
export async function insertAuditRow(db: Executor, row: AuditLogRow): Promise<void> {
  await auditInsert.run(db, row);
}

/** Appends many rows in multi-row statements (a daily job's entries). */
export async function insertAuditRows(db: Executor, rows: readonly AuditLogRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('audit_log')
      .values(rows.slice(i, i + 500))
      .execute();
}

/** Filters for reading the log, newest first. */
export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  /** Only rows strictly older than this id (UUIDv7 ids sort by time), for paging. */
  before?: string;
  limit: number;
}

/** Reads audit rows, newest first. */
export async function findAuditRows(db: Executor, q: AuditQuery): Promise<AuditLogRow[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.entityType !== undefined) query = query.where('entity_type', '=', q.entityType);
  if (q.entityId !== undefined) query = query.where('entity_id', '=', q.entityId);
  if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** Number of audit rows (used by tests that prove nothing was written). */
export async function countAuditRows(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
