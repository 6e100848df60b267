import { type Expression, sql } from 'kysely';
import { type Executor, isPostgres } from '../../db/database.ts';
import { prepared } from '../../db/prepared.ts';
import type {
  AccountAllocationRow,
  AccountLineRow,
  DisputeChargeRow,
  DisputeNoteRow,
  DisputeRow,
} from '../../db/schema.ts';

/** A charge (or refund) line with what covers it, as the service needs it to allocate and reverse. */
export interface ChargeState extends AccountLineRow {
  /** Σ of allocations to the line. */
  allocated_minor: number;
  /** Σ of allocations from payments (money the patron handed over). */
  paid_minor: number;
  /** Under an open dispute. */
  disputed: boolean;
}

/** A credit line with the part of it not yet allocated. */
export interface CreditState extends AccountLineRow {
  unallocated_minor: number;
}

/** What a receipt shows about the patron and where they belong. */
export interface ReceiptParty {
  first_name: string;
  last_name: string;
  branch_name: string | null;
  time_zone: string | null;
  library_name: string | null;
}

/** A sum of money as a number on both dialects (PostgreSQL sums bigint into numeric, read as text). */
function money(expression: Expression<unknown>) {
  return sql<number>`cast(coalesce(${expression}, 0) as bigint)`;
}

/**
 * Takes the patron's account lock for the rest of the transaction, so two desks changing the same account
 * (two payments against the same charge) run one after the other: `select … for no key update` on the
 * patron's row on PostgreSQL (it does not conflict with the key-share locks that inserting rows referencing
 * the patron takes, so circulation writing loans or charges for the patron never deadlocks with it); on
 * SQLite every write transaction begins IMMEDIATE and so is already serialised. False when there is no such
 * patron.
 */
export async function lockPatron(db: Executor, patronId: string): Promise<boolean> {
  let query = db.selectFrom('patrons').select('id').where('id', '=', patronId);
  if (isPostgres(db)) query = query.forNoKeyUpdate();
  return (await query.executeTakeFirst()) !== undefined;
}

/** True when the patron exists (read-only look-up in the patrons module's table). */
export async function patronExists(db: Executor, patronId: string): Promise<boolean> {
  return (
    (await db.selectFrom('patrons').select('id').where('id', '=', patronId).executeTakeFirst()) !== undefined
  );
}

/** True when the item exists (read-only look-up in the catalog's table). */
export async function itemExists(db: Executor, itemId: string): Promise<boolean> {
  return (
    (await db.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst()) !== undefined
  );
}

/** The patron's name, home branch and library, for a receipt (read-only). */
export async function findReceiptParty(db: Executor, patronId: string): Promise<ReceiptParty | undefined> {
  return db
    .selectFrom('patrons as p')
    .leftJoin('branches as b', 'b.id', 'p.home_branch_id')
    .leftJoin('libraries as lib', 'lib.id', 'b.library_id')
    .select([
      'p.first_name',
      'p.last_name',
      'b.name as branch_name',
      'b.time_zone',
      'lib.name as library_name',
    ])
    .where('p.id', '=', patronId)
    .executeTakeFirst();
}

export async function insertLine(db: Executor, row: AccountLineRow): Promise<void> {
  await db.insertInto('account_lines').values(row).execute();
}

/** Many lines in multi-row statements (the daily accrual's charges). */
export async function insertLines(db: Executor, rows: readonly AccountLineRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('account_lines')
      .values(rows.slice(i, i + 500))
      .execute();
}

export async function insertAllocations(db: Executor, rows: readonly AccountAllocationRow[]): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('account_allocations')
      .values([...rows])
      .execute();
}

export async function findLineById(db: Executor, id: string): Promise<AccountLineRow | undefined> {
  return db.selectFrom('account_lines').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findLineByKey(db: Executor, key: string): Promise<AccountLineRow | undefined> {
  return db.selectFrom('account_lines').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** The patron's lines, newest first. */
export async function findLines(db: Executor, patronId: string): Promise<AccountLineRow[]> {
  return db
    .selectFrom('account_lines')
    .selectAll()
    .where('patron_id', '=', patronId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * The patron's lines (newest first) and the allocations between them, read in one statement so the two
 * agree even while another desk is writing to the account.
 */
export async function findLedger(
  db: Executor,
  patronId: string,
): Promise<{ lines: AccountLineRow[]; allocations: AccountAllocationRow[] }> {
  const rows = await db
    .selectFrom('account_lines as l')
    .leftJoin('account_allocations as a', (join) =>
      join.on((eb) =>
        eb.or([eb('a.charge_id', '=', eb.ref('l.id')), eb('a.credit_id', '=', eb.ref('l.id'))]),
      ),
    )
    .selectAll('l')
    .select([
      'a.id as a_id',
      'a.credit_id as a_credit_id',
      'a.charge_id as a_charge_id',
      'a.amount_minor as a_amount_minor',
      'a.created_at as a_created_at',
    ])
    .where('l.patron_id', '=', patronId)
    .orderBy('l.created_at', 'desc')
    .orderBy('l.id', 'desc')
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
  const lines = new Map<string, AccountLineRow>();
  const allocations = new Map<string, AccountAllocationRow>();
  for (const { a_id, a_credit_id, a_charge_id, a_amount_minor, a_created_at, ...line } of rows) {
    if (!lines.has(line.id)) lines.set(line.id, { ...line, amount_minor: Number(line.amount_minor) });
    if (a_id !== null && !allocations.has(a_id))
      allocations.set(a_id, {
        id: a_id,
        credit_id: a_credit_id!,
        charge_id: a_charge_id!,
        amount_minor: Number(a_amount_minor),
        created_at: a_created_at!,
      });
  }
  const sorted = [...allocations.values()].sort((x, y) =>
    x.created_at !== y.created_at ? (x.created_at < y.created_at ? -1 : 1) : x.id < y.id ? -1 : 1,
  );
  return { lines: [...lines.values()], allocations: sorted };
}

/** Every allocation between the patron's lines. */
export async function findAllocationsOfPatron(
  db: Executor,
  patronId: string,
): Promise<AccountAllocationRow[]> {
  return db
    .selectFrom('account_allocations as a')
    .innerJoin('account_lines as c', 'c.id', 'a.credit_id')
    .selectAll('a')
    .where('c.patron_id', '=', patronId)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
}

/** Allocations made from one credit, with the lines they cover. */
export async function findAllocationsOfCredit(
  db: Executor,
  creditId: string,
): Promise<(AccountAllocationRow & { charge: AccountLineRow })[]> {
  const rows = await db
    .selectFrom('account_allocations as a')
    .innerJoin('account_lines as l', 'l.id', 'a.charge_id')
    .select([
      'a.id',
      'a.credit_id',
      'a.charge_id',
      'a.amount_minor',
      'a.created_at',
      'l.id as l_id',
      'l.patron_id as l_patron_id',
      'l.kind as l_kind',
      'l.amount_minor as l_amount_minor',
      'l.currency as l_currency',
      'l.loan_id as l_loan_id',
      'l.item_id as l_item_id',
      'l.description as l_description',
      'l.reason as l_reason',
      'l.created_by as l_created_by',
      'l.created_at as l_created_at',
      'l.idempotency_key as l_idempotency_key',
    ])
    .where('a.credit_id', '=', creditId)
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    credit_id: r.credit_id,
    charge_id: r.charge_id,
    amount_minor: Number(r.amount_minor),
    created_at: r.created_at,
    charge: {
      id: r.l_id,
      patron_id: r.l_patron_id,
      kind: r.l_kind,
      amount_minor: Number(r.l_amount_minor),
      currency: r.l_currency,
      loan_id: r.l_loan_id,
      item_id: r.l_item_id,
      description: r.l_description,
      reason: r.l_reason,
      created_by: r.l_created_by,
      created_at: r.l_created_at,
      idempotency_key: r.l_idempotency_key,
    },
  }));
}

/**
 * The patron's charges (never refunds) with what covers them, optionally narrowed to some ids, to a loan
 * and kinds, or to those with something still outstanding.
 */
export async function findChargeStates(
  db: Executor,
  patronId: string,
  filter: { ids?: readonly string[]; loanId?: string; kinds?: readonly string[]; openOnly?: boolean } = {},
): Promise<ChargeState[]> {
  if (filter.ids?.length === 0 || filter.kinds?.length === 0) return [];
  let query = db
    .selectFrom('account_lines as l')
    .selectAll('l')
    .select((eb) => [
      money(
        eb
          .selectFrom('account_allocations as a')
          .select((e) => e.fn.sum('a.amount_minor').as('s'))
          .whereRef('a.charge_id', '=', 'l.id'),
      ).as('allocated_minor'),
      money(
        eb
          .selectFrom('account_allocations as a')
          .innerJoin('account_lines as c', 'c.id', 'a.credit_id')
          .select((e) => e.fn.sum('a.amount_minor').as('s'))
          .whereRef('a.charge_id', '=', 'l.id')
          .where('c.kind', '=', 'payment'),
      ).as('paid_minor'),
      eb
        .exists(
          eb
            .selectFrom('dispute_charges as dc')
            .innerJoin('disputes as d', 'd.id', 'dc.dispute_id')
            .select('dc.charge_id')
            .whereRef('dc.charge_id', '=', 'l.id')
            .where('d.status', '=', 'open'),
        )
        .as('disputed'),
    ])
    .where('l.patron_id', '=', patronId)
    .where('l.amount_minor', '>', 0)
    .where('l.kind', '<>', 'refund');
  if (filter.ids) query = query.where('l.id', 'in', [...filter.ids]);
  if (filter.loanId !== undefined) query = query.where('l.loan_id', '=', filter.loanId);
  if (filter.kinds) query = query.where('l.kind', 'in', [...filter.kinds]);
  const rows = await query.orderBy('l.created_at').orderBy('l.id').execute();
  const states = rows.map((r) => ({
    ...r,
    amount_minor: Number(r.amount_minor),
    allocated_minor: Number(r.allocated_minor),
    paid_minor: Number(r.paid_minor),
    disputed: Boolean(r.disputed as unknown),
  }));
  return filter.openOnly ? states.filter((s) => s.amount_minor > s.allocated_minor) : states;
}

/** The patron's credits with something not yet allocated, oldest first. */
export async function findOpenCredits(db: Executor, patronId: string): Promise<CreditState[]> {
  const rows = await db
    .selectFrom('account_lines as l')
    .selectAll('l')
    .select((eb) =>
      money(
        eb
          .selectFrom('account_allocations as a')
          .select((e) => e.fn.sum('a.amount_minor').as('s'))
          .whereRef('a.credit_id', '=', 'l.id'),
      ).as('allocated_minor'),
    )
    .where('l.patron_id', '=', patronId)
    .where('l.amount_minor', '<', 0)
    .orderBy('l.created_at')
    .orderBy('l.id')
    .execute();
  return rows
    .map(({ allocated_minor, ...r }) => ({
      ...r,
      amount_minor: Number(r.amount_minor),
      unallocated_minor: -Number(r.amount_minor) - Number(allocated_minor),
    }))
    .filter((c) => c.unallocated_minor > 0);
}

/**
 * The patron's account in three sums: charges and refunds (positive lines), credits (the negative lines,
 * as a positive number), and everything allocated between them. Owed = debits − allocated; credit left =
 * credits − allocated; balance = debits − credits.
 */
export async function accountSums(
  db: Executor,
  patronId: string,
): Promise<{ debitMinor: number; creditMinor: number; allocatedMinor: number }> {
  const lines = (await lineSums.first(db, { patronId }))!;
  const allocated = (await allocationSum.first(db, { patronId }))!;
  return {
    debitMinor: Number(lines.debit),
    creditMinor: 0 - Number(lines.credit),
    allocatedMinor: Number(allocated.total),
  };
}

/**
 * What each of `patronIds` owes (charges and refunds less what credits cover of them), for the daily
 * accrual's batch: two grouped statements for the whole batch. Patrons without lines are left out.
 */
export async function owedByPatrons(
  db: Executor,
  patronIds: readonly string[],
): Promise<Map<string, number>> {
  const owed = new Map<string, number>();
  if (patronIds.length === 0) return owed;
  const ids = [...new Set(patronIds)];
  const debits = await db
    .selectFrom('account_lines')
    .select((eb) => [
      'patron_id',
      money(eb.fn.sum(eb.case().when('amount_minor', '>', 0).then(eb.ref('amount_minor')).else(0).end())).as(
        'debit',
      ),
    ])
    .where('patron_id', 'in', ids)
    .groupBy('patron_id')
    .execute();
  for (const r of debits) owed.set(r.patron_id, Number(r.debit));
  const covered = await db
    .selectFrom('account_allocations as a')
    .innerJoin('account_lines as c', 'c.id', 'a.credit_id')
    .select((eb) => ['c.patron_id', money(eb.fn.sum('a.amount_minor')).as('total')])
    .where('c.patron_id', 'in', ids)
    .groupBy('c.patron_id')
    .execute();
  for (const r of covered) owed.set(r.patron_id, (owed.get(r.patron_id) ?? 0) - Number(r.total));
  return owed;
}

const lineSums = prepared((db, v: { patronId: string }) =>
  db
    .selectFrom('account_lines')
    .select((eb) => [
      money(eb.fn.sum(eb.case().when('amount_minor', '>', 0).then(eb.ref('amount_minor')).else(0).end())).as(
        'debit',
      ),
      money(eb.fn.sum(eb.case().when('amount_minor', '<', 0).then(eb.ref('amount_minor')).else(0).end())).as(
        'credit',
      ),
    ])
    .where('patron_id', '=', v.patronId),
);

const allocationSum = prepared((db, v: { patronId: string }) =>
  db
    .selectFrom('account_allocations as a')
    .innerJoin('account_lines as c', 'c.id', 'a.credit_id')
    .select((eb) => money(eb.fn.sum('a.amount_minor')).as('total'))
    .where('c.patron_id', '=', v.patronId),
);

const openlyDisputedCharges = prepared((db, v: { patronId: string }) =>
  db
    .selectFrom('disputes as d')
    .innerJoin('dispute_charges as dc', 'dc.dispute_id', 'd.id')
    .select('dc.charge_id')
    .where('d.patron_id', '=', v.patronId)
    .where('d.status', '=', 'open'),
);

/** The charges in the patron's open disputes. */
export async function findOpenlyDisputedChargeIds(db: Executor, patronId: string): Promise<string[]> {
  return (await openlyDisputedCharges.all(db, { patronId })).map((r) => r.charge_id);
}

/** Σ of the patron's lines written up to and including `line` (by creation time, then id). */
export async function sumLinesUpTo(db: Executor, line: AccountLineRow): Promise<number> {
  const row = await db
    .selectFrom('account_lines')
    .select((eb) => money(eb.fn.sum('amount_minor')).as('total'))
    .where('patron_id', '=', line.patron_id)
    .where((eb) =>
      eb.or([
        eb('created_at', '<', line.created_at),
        eb.and([eb('created_at', '=', line.created_at), eb('id', '<=', line.id)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function insertDispute(db: Executor, row: DisputeRow, charges: readonly DisputeChargeRow[]) {
  await db.insertInto('disputes').values(row).execute();
  await db
    .insertInto('dispute_charges')
    .values([...charges])
    .execute();
}

export async function findDisputeById(db: Executor, id: string): Promise<DisputeRow | undefined> {
  return db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The patron's disputes, newest first. */
export async function findDisputesOfPatron(db: Executor, patronId: string): Promise<DisputeRow[]> {
  return db
    .selectFrom('disputes')
    .selectAll()
    .where('patron_id', '=', patronId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function findDisputeCharges(
  db: Executor,
  disputeIds: readonly string[],
): Promise<DisputeChargeRow[]> {
  if (disputeIds.length === 0) return [];
  return db
    .selectFrom('dispute_charges')
    .selectAll()
    .where('dispute_id', 'in', [...disputeIds])
    .orderBy('charge_id')
    .execute();
}

export async function findDisputeNotes(
  db: Executor,
  disputeIds: readonly string[],
): Promise<DisputeNoteRow[]> {
  if (disputeIds.length === 0) return [];
  return db
    .selectFrom('dispute_notes')
    .selectAll()
    .where('dispute_id', 'in', [...disputeIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Which of `chargeIds` are in an open dispute already (charge id -> dispute id). */
export async function findOpenDisputesOfCharges(
  db: Executor,
  chargeIds: readonly string[],
): Promise<Map<string, string>> {
  if (chargeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('dispute_charges as dc')
    .innerJoin('disputes as d', 'd.id', 'dc.dispute_id')
    .select(['dc.charge_id', 'dc.dispute_id'])
    .where('dc.charge_id', 'in', [...chargeIds])
    .where('d.status', '=', 'open')
    .execute();
  return new Map(rows.map((r) => [r.charge_id, r.dispute_id]));
}

export async function insertDisputeNote(db: Executor, row: DisputeNoteRow): Promise<void> {
  await db.insertInto('dispute_notes').values(row).execute();
}

/** Closes an open dispute; false when it was not open any more (someone resolved it first). */
export async function closeDispute(
  db: Executor,
  id: string,
  changes: Pick<DisputeRow, 'status' | 'resolution' | 'waived_minor' | 'resolved_by' | 'resolved_at'>,
): Promise<boolean> {
  const result = await db
    .updateTable('disputes')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves every line and dispute of one patron to another (patron merge). */
export async function moveLines(db: Executor, fromPatronId: string, toPatronId: string): Promise<void> {
  await db
    .updateTable('account_lines')
    .set({ patron_id: toPatronId })
    .where('patron_id', '=', fromPatronId)
    .execute();
  await db
    .updateTable('disputes')
    .set({ patron_id: toPatronId })
    .where('patron_id', '=', fromPatronId)
    .execute();
}

/** Patrons whose account lines add up to more than `minMinor`, in id order after `afterId` (for billing runs). */
export async function findPatronsOwing(
  db: Executor,
  minMinor: number,
  afterId: string,
  limit: number,
): Promise<{ patronId: string; balanceMinor: number }[]> {
  const rows = await db
    .selectFrom('account_lines')
    .select((eb) => ['patron_id', money(eb.fn.sum('amount_minor')).as('balance')])
    .where('patron_id', '>', afterId)
    .groupBy('patron_id')
    .having((eb) => eb.fn.sum('amount_minor'), '>', minMinor)
    .orderBy('patron_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ patronId: r.patron_id, balanceMinor: Number(r.balance) }));
}
