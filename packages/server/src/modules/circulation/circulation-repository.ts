import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { columnsOf, prepared } from '../../db/prepared.ts';
import type { CirculationRuleRow, HoldRow, LoanRow, TransitRow } from '../../db/schema.ts';

// ---- rules ----

export async function findRules(db: Executor): Promise<CirculationRuleRow[]> {
  return db.selectFrom('circulation_rules').selectAll().orderBy('created_at').orderBy('id').execute();
}

const ruleById = prepared((db, v: { id: string }) =>
  db.selectFrom('circulation_rules').selectAll().where('id', '=', v.id),
);

export async function findRule(db: Executor, id: string): Promise<CirculationRuleRow | undefined> {
  return ruleById.first(db, { id });
}

export async function insertRule(db: Executor, row: CirculationRuleRow): Promise<void> {
  await db.insertInto('circulation_rules').values(row).execute();
}

export async function updateRule(
  db: Executor,
  id: string,
  changes: Partial<CirculationRuleRow>,
): Promise<void> {
  await db.updateTable('circulation_rules').set(changes).where('id', '=', id).execute();
}

export async function deleteRule(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('circulation_rules').where('id', '=', id).execute();
}

const rulesMarker = prepared((db) =>
  db
    .selectFrom('circulation_rules')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')]),
);

/** Change marker of the rules table, so each process can cache the matrix and notice edits by others. */
export async function rulesVersion(db: Executor): Promise<string> {
  const row = (await rulesMarker.first(db, {}))!;
  return `${Number(row.n)}:${row.latest ?? ''}`;
}

// ---- loans ----

/** Loans with what the desk shows of their item and title. */
function loanView(db: Executor) {
  return db
    .selectFrom('loans')
    .innerJoin('items', 'items.id', 'loans.item_id')
    .innerJoin('bib_records', 'bib_records.id', 'items.record_id')
    .selectAll('loans')
    .select([
      'items.barcode',
      'items.record_id',
      'items.call_number',
      'bib_records.title',
      'bib_records.main_author',
    ]);
}

// Every column, checked by the compiler: a loan insert names them all.
const LOAN_COLUMNS = columnsOf<LoanRow>({
  id: true,
  item_id: true,
  patron_id: true,
  branch_id: true,
  rule_id: true,
  checked_out_at: true,
  due_at: true,
  loan_unit: true,
  renewals: true,
  fine_per_unit_minor: true,
  grace_units: true,
  max_fine_minor: true,
  charge_closed_days: true,
  fine_charged_minor: true,
  status: true,
  lost_at: true,
  returned_at: true,
  returned_branch_id: true,
  checked_out_by: true,
  override_reason: true,
  anonymised_at: true,
});

const loanInsert = prepared((db, row: LoanRow) => db.insertInto('loans').values(row), LOAN_COLUMNS);

export async function insertLoan(db: Executor, row: LoanRow): Promise<void> {
  await loanInsert.run(db, row);
}

const openLoanOfItem = prepared((db, v: { itemId: string }) =>
  db.selectFrom('loans').selectAll().where('item_id', '=', v.itemId).where('returned_at', 'is', null),
);

export async function findOpenLoanOfItem(db: Executor, itemId: string): Promise<LoanRow | undefined> {
  return openLoanOfItem.first(db, { itemId });
}

const loanById = prepared((db, v: { id: string }) =>
  db.selectFrom('loans').selectAll().where('id', '=', v.id),
);

export async function findLoan(db: Executor, id: string): Promise<LoanRow | undefined> {
  return loanById.first(db, { id });
}

/**
 * Counts of a patron's open loans: all, overdue at `now`, and (when `itemType` is given) of one item type.
 * Without an item type it reads the `loans_patron` index alone; a limit per item type joins the items.
 */
export async function countOpenLoans(
  db: Executor,
  patronId: string,
  nowIso: string,
  itemType: string | null,
): Promise<{ total: number; ofType: number; overdue: number }> {
  const row =
    itemType === null
      ? (await openLoanCounts.first(db, { patronId, nowIso }))!
      : (await openLoanCountsByType.first(db, { patronId, nowIso, itemType }))!;
  const ofType = 'of_type' in row ? Number(row.of_type ?? 0) : 0;
  return { total: Number(row.total), ofType, overdue: Number(row.overdue ?? 0) };
}

const openLoanCounts = prepared((db, v: { patronId: string; nowIso: string }) =>
  db
    .selectFrom('loans')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(eb.case().when('loans.due_at', '<', v.nowIso).then(1).else(0).end()).as('overdue'),
    ])
    .where('loans.patron_id', '=', v.patronId)
    .where('loans.returned_at', 'is', null),
);

const openLoanCountsByType = prepared((db, v: { patronId: string; nowIso: string; itemType: string }) =>
  db
    .selectFrom('loans')
    .innerJoin('items', 'items.id', 'loans.item_id')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .sum<number>(eb.case().when('items.item_type', '=', v.itemType).then(1).else(0).end())
        .as('of_type'),
      eb.fn.sum<number>(eb.case().when('loans.due_at', '<', v.nowIso).then(1).else(0).end()).as('overdue'),
    ])
    .where('loans.patron_id', '=', v.patronId)
    .where('loans.returned_at', 'is', null),
);

export async function findOpenLoansOfPatron(db: Executor, patronId: string) {
  return loanView(db)
    .where('loans.patron_id', '=', patronId)
    .where('loans.returned_at', 'is', null)
    .orderBy('loans.due_at')
    .execute();
}

export async function findLoanHistoryOfPatron(db: Executor, patronId: string, limit: number, offset: number) {
  return loanView(db)
    .where('loans.patron_id', '=', patronId)
    .where('loans.returned_at', 'is not', null)
    .orderBy('loans.returned_at', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

const loanEnd = prepared(
  (db, v: { id: string; returned_at: string; returned_branch_id: string; status: string }) =>
    db
      .updateTable('loans')
      .set({ returned_at: v.returned_at, returned_branch_id: v.returned_branch_id, status: v.status })
      .where('id', '=', v.id)
      .where('returned_at', 'is', null),
);

/** The item's loan that ended last (by the `loans_returned_item` index), if any. */
export async function findLastReturnedLoanOfItem(db: Executor, itemId: string): Promise<LoanRow | undefined> {
  return db
    .selectFrom('loans')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('returned_at', 'is not', null)
    .orderBy('returned_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Ends an open loan; false when it had already ended (a retried or concurrent check-in). */
export async function endLoan(
  db: Executor,
  id: string,
  changes: { returned_at: string; returned_branch_id: string; status: string },
): Promise<boolean> {
  return (await loanEnd.run(db, { id, ...changes })) === 1;
}

const loanRenewal = prepared((db, v: { id: string; due_at: string; renewals: number }) =>
  db.updateTable('loans').set({ due_at: v.due_at, renewals: v.renewals }).where('id', '=', v.id),
);

/** Moves a loan's due date on a renewal. */
export async function renewLoan(db: Executor, id: string, changes: { due_at: string; renewals: number }) {
  await loanRenewal.run(db, { id, ...changes });
}

export async function updateLoan(db: Executor, id: string, changes: Partial<LoanRow>): Promise<void> {
  await db.updateTable('loans').set(changes).where('id', '=', id).execute();
}

const fineCharged = prepared((db, v: { id: string; from: number; to: number }) =>
  db
    .updateTable('loans')
    .set({ fine_charged_minor: v.to })
    .where('id', '=', v.id)
    .where('fine_charged_minor', '=', v.from),
);

/**
 * Moves the overdue fine posted on a loan from `from` to `to`; false when someone else changed it first
 * (the accrual job and a check-in racing): the loser posts nothing.
 */
export async function setFineCharged(db: Executor, id: string, from: number, to: number): Promise<boolean> {
  return (await fineCharged.run(db, { id, from, to })) === 1;
}

/**
 * {@link setFineCharged} for many loans in one statement (the daily accrual's batch); returns the ids of
 * the loans it moved (a loan whose posted fine someone else changed first is left out).
 */
export async function setFinesCharged(
  db: Executor,
  moves: readonly { id: string; from: number; to: number }[],
): Promise<Set<string>> {
  if (moves.length === 0) return new Set();
  const to = sql.join(
    moves.map((m) => sql`when ${m.id} then cast(${m.to} as bigint)`),
    sql` `,
  );
  const from = sql.join(
    moves.map((m) => sql`when ${m.id} then cast(${m.from} as bigint)`),
    sql` `,
  );
  const result = await sql<{ id: string }>`update loans set fine_charged_minor = case id ${to} end
    where id in (${sql.join(moves.map((m) => m.id))}) and fine_charged_minor = case id ${from} end
    returning id`.execute(db);
  return new Set(result.rows.map((r) => r.id));
}

/**
 * Where a job walking open loans in (due date, id) order has got to: the batches follow the
 * `loans_open_due` index, so each batch reads only its own rows however many loans are open.
 */
export interface LoanCursor {
  dueAt: string;
  id: string;
}

/** The cursor before the first loan. */
export const LOAN_CURSOR_START: LoanCursor = {
  dueAt: '0001-01-01T00:00:00.000Z',
  id: '00000000-0000-0000-0000-000000000000',
};

/** The cursor after the last loan of a batch. */
export function cursorAfter(batch: readonly { due_at: string; id: string }[]): LoanCursor {
  const last = batch[batch.length - 1]!;
  return { dueAt: last.due_at, id: last.id };
}

/** Open loans (of `statuses`) due before `beforeIso`, after `after` in (due date, id) order (jobs walk in batches), with titles. */
export async function findOverdueLoans(
  db: Executor,
  beforeIso: string,
  after: LoanCursor,
  limit: number,
  statuses: readonly string[] = ['active'],
) {
  return loanView(db)
    .where('loans.returned_at', 'is', null)
    .where('loans.due_at', '<', beforeIso)
    .where((eb) => eb(eb.refTuple('loans.due_at', 'loans.id'), '>', eb.tuple(after.dueAt, after.id)))
    .where('loans.status', 'in', statuses)
    .orderBy('loans.due_at')
    .orderBy('loans.id')
    .limit(limit)
    .execute();
}

/** Open active loans due between two instants (courtesy notices, auto-renewal), in (due date, id) order. */
export async function findLoansDueBetween(
  db: Executor,
  fromIso: string,
  toIso: string,
  after: LoanCursor,
  limit: number,
) {
  return loanView(db)
    .where('loans.returned_at', 'is', null)
    .where('loans.due_at', '>=', fromIso)
    .where('loans.due_at', '<', toIso)
    .where((eb) => eb(eb.refTuple('loans.due_at', 'loans.id'), '>', eb.tuple(after.dueAt, after.id)))
    .where('loans.status', '=', 'active')
    .orderBy('loans.due_at')
    .orderBy('loans.id')
    .limit(limit)
    .execute();
}

/** Ended loans of patrons who do not keep their history, returned before `beforeIso`, not yet anonymised. */
export async function anonymiseReturnedLoans(db: Executor, beforeIso: string, atIso: string, limit: number) {
  const ids = await db
    .selectFrom('loans')
    .innerJoin('patrons', 'patrons.id', 'loans.patron_id')
    .select('loans.id')
    .where('loans.returned_at', '<', beforeIso)
    // Spelled out so that both databases read the partial index loans_returned, which has exactly these.
    .where('loans.returned_at', 'is not', null)
    .where('loans.patron_id', 'is not', null)
    .where('patrons.keep_history', '=', false)
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  await db
    .updateTable('loans')
    .set({ patron_id: null, anonymised_at: atIso, checked_out_by: 'anonymised' })
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .execute();
  return ids.length;
}

export async function anonymiseLoansOfPatron(db: Executor, patronId: string, atIso: string): Promise<number> {
  const result = await db
    .updateTable('loans')
    .set({ patron_id: null, anonymised_at: atIso, checked_out_by: 'anonymised' })
    .where('patron_id', '=', patronId)
    .where('returned_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function moveLoansAndHolds(db: Executor, fromId: string, toId: string): Promise<void> {
  await db.updateTable('loans').set({ patron_id: toId }).where('patron_id', '=', fromId).execute();
  await db.updateTable('holds').set({ patron_id: toId }).where('patron_id', '=', fromId).execute();
}

// ---- holds ----

export async function insertHold(db: Executor, row: HoldRow): Promise<void> {
  await db.insertInto('holds').values(row).execute();
}

const holdById = prepared((db, v: { id: string }) =>
  db.selectFrom('holds').selectAll().where('id', '=', v.id),
);

export async function findHold(db: Executor, id: string): Promise<HoldRow | undefined> {
  return holdById.first(db, { id });
}

export async function updateHold(db: Executor, id: string, changes: Partial<HoldRow>): Promise<void> {
  await db.updateTable('holds').set(changes).where('id', '=', id).execute();
}

/** Moves a hold from one status to another; false when it had already moved (someone else won). */
export async function moveHold(
  db: Executor,
  id: string,
  from: readonly string[],
  changes: Partial<HoldRow> & { status: string },
): Promise<boolean> {
  const result = await db
    .updateTable('holds')
    .set(changes)
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const waitingHolds = prepared((db, v: { recordId: string; itemId: string }) =>
  db
    .selectFrom('holds')
    .selectAll()
    .where('record_id', '=', v.recordId)
    .where('status', '=', 'waiting')
    .where((eb) => eb.or([eb('item_id', 'is', null), eb('item_id', '=', v.itemId)]))
    .orderBy('created_at')
    .orderBy('id'),
);

/** Waiting holds on a record that `itemId` could fill (title-level, or on that item), first come first served. */
export async function findWaitingHolds(db: Executor, recordId: string, itemId: string) {
  return waitingHolds.all(db, { recordId, itemId });
}

/** All waiting holds on a record, any level. */
export async function findAllWaitingHolds(db: Executor, recordId: string): Promise<HoldRow[]> {
  return db
    .selectFrom('holds')
    .selectAll()
    .where('record_id', '=', recordId)
    .where('status', '=', 'waiting')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

const trappedHoldOfItem = prepared((db, v: { itemId: string }) =>
  db
    .selectFrom('holds')
    .selectAll()
    .where('item_id', '=', v.itemId)
    .where('status', 'in', ['ready', 'in_transit']),
);

/** The hold an item is trapped for (ready on the shelf or in transit to it), if any. */
export async function findTrappedHoldOfItem(db: Executor, itemId: string): Promise<HoldRow | undefined> {
  return trappedHoldOfItem.first(db, { itemId });
}

const activeHoldOfPatronOnRecord = prepared((db, v: { patronId: string; recordId: string }) =>
  db
    .selectFrom('holds')
    .selectAll()
    .where('patron_id', '=', v.patronId)
    .where('record_id', '=', v.recordId)
    .where('status', 'in', ['waiting', 'in_transit', 'ready']),
);

export async function findActiveHoldOfPatronOnRecord(
  db: Executor,
  patronId: string,
  recordId: string,
): Promise<HoldRow | undefined> {
  return activeHoldOfPatronOnRecord.first(db, { patronId, recordId });
}

export async function countActiveHoldsOfPatron(db: Executor, patronId: string): Promise<number> {
  const row = await db
    .selectFrom('holds')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('patron_id', '=', patronId)
    .where('status', 'in', ['waiting', 'in_transit', 'ready'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const HOLD_VIEW = [
  'bib_records.title',
  'bib_records.main_author',
  'patrons.first_name',
  'patrons.last_name',
  'patrons.card_barcode',
] as const;

export async function findHoldsView(
  db: Executor,
  where: { patronId?: string; recordId?: string; pickupBranchId?: string; statuses?: readonly string[] },
) {
  let q = db
    .selectFrom('holds')
    .innerJoin('bib_records', 'bib_records.id', 'holds.record_id')
    .innerJoin('patrons', 'patrons.id', 'holds.patron_id')
    .leftJoin('items', 'items.id', 'holds.item_id')
    .selectAll('holds')
    .select([...HOLD_VIEW, 'items.barcode as item_barcode'])
    .orderBy('holds.created_at')
    .orderBy('holds.id');
  if (where.patronId) q = q.where('holds.patron_id', '=', where.patronId);
  if (where.recordId) q = q.where('holds.record_id', '=', where.recordId);
  if (where.pickupBranchId) q = q.where('holds.pickup_branch_id', '=', where.pickupBranchId);
  if (where.statuses) q = q.where('holds.status', 'in', where.statuses);
  return q.limit(5000).execute();
}

/** Ready holds whose shelf time ran out before `today`, and waiting holds no longer needed. */
export async function findExpiringHolds(db: Executor, today: string) {
  return db
    .selectFrom('holds')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'ready'), eb('shelf_expires_on', '<', today)]),
        eb.and([eb('status', '=', 'waiting'), eb('not_needed_after', '<', today)]),
      ]),
    )
    .orderBy('id')
    .limit(5000)
    .execute();
}

export async function findReadyHoldsExpiringOn(db: Executor, date: string) {
  return db
    .selectFrom('holds')
    .selectAll()
    .where('status', '=', 'ready')
    .where('shelf_expires_on', '=', date)
    .orderBy('id')
    .limit(10000)
    .execute();
}

/**
 * The pull list of a branch: its items on the shelf whose records have waiting holds (item-level holds
 * only for that item), in shelf order.
 */
export async function findPullCandidates(db: Executor, branchId: string, today: string) {
  return db
    .selectFrom('holds')
    .innerJoin('items', (join) =>
      join
        .onRef('items.record_id', '=', 'holds.record_id')
        .on('items.branch_id', '=', branchId)
        .on('items.status', '=', 'available'),
    )
    .innerJoin('item_types', 'item_types.code', 'items.item_type')
    .innerJoin('bib_records', 'bib_records.id', 'holds.record_id')
    .select([
      'holds.id as hold_id',
      'holds.item_id as hold_item_id',
      'holds.pickup_branch_id',
      'holds.created_at as hold_created_at',
      'items.id as item_id',
      'items.barcode',
      'items.location',
      'items.call_number',
      'items.shelf_key',
      'bib_records.title',
      'bib_records.main_author',
    ])
    .where('holds.status', '=', 'waiting')
    .where('item_types.is_circulating', '=', true)
    .where((eb) => eb.or([eb('holds.suspended_until', 'is', null), eb('holds.suspended_until', '<', today)]))
    .where((eb) => eb.or([eb('holds.item_id', 'is', null), eb('holds.item_id', '=', eb.ref('items.id'))]))
    .orderBy('items.shelf_key')
    .orderBy('holds.created_at')
    .limit(20000)
    .execute();
}

// ---- transits ----

export async function insertTransit(db: Executor, row: TransitRow): Promise<void> {
  await db.insertInto('transits').values(row).execute();
}

export async function findOpenTransitOfItem(db: Executor, itemId: string): Promise<TransitRow | undefined> {
  return db
    .selectFrom('transits')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('status', '=', 'in_transit')
    .executeTakeFirst();
}

export async function closeTransit(
  db: Executor,
  id: string,
  changes: { status: 'received' | 'cancelled'; received_at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('transits')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'in_transit')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findTransitsView(db: Executor, where: { toBranchId?: string; fromBranchId?: string }) {
  let q = db
    .selectFrom('transits')
    .innerJoin('items', 'items.id', 'transits.item_id')
    .innerJoin('bib_records', 'bib_records.id', 'items.record_id')
    .selectAll('transits')
    .select(['items.barcode', 'items.call_number', 'bib_records.title'])
    .where('transits.status', '=', 'in_transit')
    .orderBy('transits.sent_at');
  if (where.toBranchId) q = q.where('transits.to_branch_id', '=', where.toBranchId);
  if (where.fromBranchId) q = q.where('transits.from_branch_id', '=', where.fromBranchId);
  return q.limit(5000).execute();
}

/** Cancels every active hold of a patron (their record is being deleted). */
export async function cancelHoldsOfPatron(db: Executor, patronId: string, atIso: string): Promise<void> {
  await db
    .updateTable('holds')
    .set({ status: 'cancelled', ended_at: atIso, end_reason: 'patron record deleted', updated_at: atIso })
    .where('patron_id', '=', patronId)
    .where('status', 'in', ['waiting', 'in_transit', 'ready'])
    .execute();
}
