import type { Executor } from '../../db/database.ts';
import { type Actor, actorRef } from '../../kernel/actor.ts';
import { newId } from '../../kernel/ids.ts';
import { type AuditQuery, findAuditRows, insertAuditRow, insertAuditRows } from './audit-repository.ts';

/** What changed: an action on an entity, with the changed values (never secrets). */
export interface AuditEntry {
  /** Dotted verb, e.g. `staff_user.created`, `branch.hours_changed`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  changes?: Record<string, unknown>;
}

/** One audit log entry as read back. */
export interface AuditRecord {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: Record<string, unknown> | null;
}

/**
 * Records who did what in the caller's transaction, so the audit row commits or rolls back with the
 * change it describes.
 */
export async function recordAudit(trx: Executor, at: Date, actor: Actor, entry: AuditEntry): Promise<void> {
  await insertAuditRow(trx, auditRow(at, actor, entry));
}

/** Records many entries at once (a daily job's), in the caller's transaction. */
export async function recordAudits(
  trx: Executor,
  at: Date,
  actor: Actor,
  entries: readonly AuditEntry[],
): Promise<void> {
  await insertAuditRows(
    trx,
    entries.map((entry) => auditRow(at, actor, entry)),
  );
}

function auditRow(at: Date, actor: Actor, entry: AuditEntry) {
  return {
    id: newId(at.getTime()),
    at: at.toISOString(),
    actor_type: actorRef(actor).type,
    actor_id: actorRef(actor).id,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId ?? null,
    changes: entry.changes === undefined ? null : JSON.stringify(entry.changes),
  };
}

/** Reading the audit log. */
export function createAuditService(deps: { db: Executor }) {
  return {
    /** Entries matching the query, newest first. */
    async list(query: AuditQuery): Promise<AuditRecord[]> {
      const rows = await findAuditRows(deps.db, query);
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        changes: row.changes === null ? null : (JSON.parse(row.changes) as Record<string, unknown>),
      }));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
