import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, NoticeRow, NoticeTemplateRow } from '../../db/schema.ts';

/** Adds a notice unless one with the same dedupe key exists; true when it was added. */
export async function insertNoticeOnce(db: Executor, row: NoticeRow): Promise<boolean> {
  const inserted = await db
    .insertInto('notices')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findNoticeById(db: Executor, id: string): Promise<NoticeRow | undefined> {
  return db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Filters for the outbox, newest first. */
export interface NoticeQuery {
  status?: string;
  patronId?: string;
  kind?: string;
  /** Only notices strictly older than this id (ids sort by time), for paging. */
  before?: string;
  limit: number;
}

export async function findNotices(db: Executor, q: NoticeQuery): Promise<NoticeRow[]> {
  let query = db.selectFrom('notices').selectAll();
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.patronId !== undefined) query = query.where('patron_id', '=', q.patronId);
  if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/**
 * E-mail notices a sender may take at `now`: pending and due, or claimed by a sender whose lease ran
 * out (a process that stopped mid-send).
 */
function dueEmail(now: string) {
  return (eb: ExpressionBuilder<DB, 'notices'>) =>
    eb.and([
      eb('channel', '=', 'email'),
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    ]);
}

/**
 * Claims up to `limit` due e-mail notices for one sender until `leaseUntil`. The claim is a
 * conditional update that re-checks the due condition, so of two senders (processes, servers) racing
 * for a notice exactly one gets it.
 */
export async function claimDueEmails(
  db: Executor,
  now: string,
  leaseUntil: string,
  limit: number,
): Promise<NoticeRow[]> {
  const candidates = await db
    .selectFrom('notices')
    .select('id')
    .where(dueEmail(now))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  if (candidates.length === 0) return [];
  const claimed = await db
    .updateTable('notices')
    .set({ status: 'sending', lease_until: leaseUntil })
    .where(
      'id',
      'in',
      candidates.map((c) => c.id),
    )
    .where(dueEmail(now))
    .returningAll()
    .execute();
  return claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** How many e-mail notices are due at `now` (for saying what waits when mail is not set up). */
export async function countDueEmails(db: Executor, now: string): Promise<number> {
  const row = await db
    .selectFrom('notices')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(dueEmail(now))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Records the outcome of a send by the sender holding the claim (`status` sending, `lease_until` its
 * lease); false when the claim was lost meanwhile.
 */
export async function finishSend(
  db: Executor,
  id: string,
  leaseUntil: string,
  changes: Partial<NoticeRow>,
): Promise<boolean> {
  const result = await db
    .updateTable('notices')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Puts a failed notice back in the queue, due now; false when it is not failed (any more). */
export async function requeueFailed(db: Executor, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('notices')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A print notice with what the letter needs of its patron. */
export interface PrintNoticeRow extends NoticeRow {
  first_name: string;
  last_name: string;
  address: string | null;
}

/**
 * Pending print notices, oldest first, with the patron's name and postal address (read from the
 * patron record at printing time, so a letter goes to the current address); only patrons of
 * `branchId` when given.
 */
export async function findPendingPrints(db: Executor, branchId?: string): Promise<PrintNoticeRow[]> {
  let query = db
    .selectFrom('notices')
    .innerJoin('patrons', 'patrons.id', 'notices.patron_id')
    .selectAll('notices')
    .select(['patrons.first_name', 'patrons.last_name', 'patrons.address'])
    .where('notices.channel', '=', 'print')
    .where('notices.status', '=', 'pending');
  if (branchId !== undefined) query = query.where('patrons.home_branch_id', '=', branchId);
  return query.orderBy('patrons.last_name').orderBy('patrons.first_name').orderBy('notices.id').execute();
}

/** Marks print notices printed, if still pending; returns the ids this call marked. */
export async function markPrinted(db: Executor, ids: readonly string[], at: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('notices')
    .set({ status: 'printed', sent_at: at, attempts: 1 })
    .where('id', 'in', [...ids])
    .where('status', '=', 'pending')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A library's own templates: of one kind, or all; in the given languages, or all. */
export async function findTemplates(
  db: Executor,
  q: { kind?: string; languages?: readonly string[] } = {},
): Promise<NoticeTemplateRow[]> {
  let query = db.selectFrom('notice_templates').selectAll();
  if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
  if (q.languages !== undefined) {
    if (q.languages.length === 0) return [];
    query = query.where('language', 'in', [...q.languages]);
  }
  return query.orderBy('kind').orderBy('language').execute();
}

/** Saves a library's template, replacing the one of the same kind and language. */
export async function upsertTemplate(db: Executor, row: NoticeTemplateRow): Promise<void> {
  await db
    .insertInto('notice_templates')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['kind', 'language']).doUpdateSet({
        subject: row.subject,
        body: row.body,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** Removes a library's template; false when there was none. */
export async function deleteTemplate(db: Executor, kind: string, language: string): Promise<boolean> {
  const result = await db
    .deleteFrom('notice_templates')
    .where('kind', '=', kind)
    .where('language', '=', language)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
