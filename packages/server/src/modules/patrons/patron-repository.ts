import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { prepared } from '../../db/prepared.ts';
import type {
  DB,
  PatronBlockRow,
  PatronCardRow,
  PatronCategoryRow,
  PatronRow,
  PatronSessionRow,
} from '../../db/schema.ts';

// ---------------------------------------------------------------- categories

export async function findCategories(db: Executor): Promise<PatronCategoryRow[]> {
  return db.selectFrom('patron_categories').selectAll().orderBy('code').execute();
}

export async function findCategory(db: Executor, code: string): Promise<PatronCategoryRow | undefined> {
  return db.selectFrom('patron_categories').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertCategory(db: Executor, row: PatronCategoryRow): Promise<void> {
  await db.insertInto('patron_categories').values(row).execute();
}

export async function updateCategoryRow(
  db: Executor,
  code: string,
  changes: Partial<PatronCategoryRow>,
): Promise<void> {
  await db.updateTable('patron_categories').set(changes).where('code', '=', code).execute();
}

export async function deleteCategory(db: Executor, code: string): Promise<void> {
  await db.deleteFrom('patron_categories').where('code', '=', code).execute();
}

/** Patrons of any status in the category (a deleted patron's row still refers to it). */
export async function countPatronsInCategory(db: Executor, code: string): Promise<number> {
  const row = await db
    .selectFrom('patrons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('category_code', '=', code)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------- patrons

export async function insertPatron(db: Executor, row: PatronRow): Promise<void> {
  await db.insertInto('patrons').values(row).execute();
}

export async function updatePatronRow(db: Executor, id: string, changes: Partial<PatronRow>): Promise<void> {
  await db.updateTable('patrons').set(changes).where('id', '=', id).execute();
}

export async function findPatronById(db: Executor, id: string): Promise<PatronRow | undefined> {
  return db.selectFrom('patrons').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPatronsByIds(db: Executor, ids: readonly string[]): Promise<PatronRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('patrons')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Active patrons with the same name key and birth date, or the same e-mail key (possible duplicates). */
export async function findDuplicateCandidates(
  db: Executor,
  q: { nameKey: string; birthDate: string | null; emailKey: string | null; excludeId?: string },
): Promise<PatronRow[]> {
  const { nameKey, birthDate, emailKey } = q;
  if (birthDate === null && emailKey === null) return [];
  let query = db
    .selectFrom('patrons')
    .selectAll()
    .where('status', '=', 'active')
    .where((eb) => {
      const either: Expression<SqlBool>[] = [];
      if (birthDate !== null)
        either.push(eb.and([eb('name_key', '=', nameKey), eb('birth_date', '=', birthDate)]));
      if (emailKey !== null) either.push(eb('email_key', '=', emailKey));
      return eb.or(either);
    });
  if (q.excludeId !== undefined) query = query.where('id', '!=', q.excludeId);
  return query.orderBy('name_key').orderBy('id').limit(20).execute();
}

/** What a patron search looks for; every part that is given must match one way or another. */
export interface PatronSearchFilter {
  /** Folded words that must each begin a word of the name, in any order. */
  words: string[];
  /** The text as typed, compared with card barcodes (current and earlier cards). */
  barcode: string | null;
  emailKey: string | null;
  /** Digits of a phone number (compared with the stored number's digits). */
  phoneDigits: string | null;
  /** `null`: patrons of every status. */
  status: 'active' | 'merged' | 'deleted' | null;
}

/** The stored phone number with the usual separators taken out, so `(555) 123-4567` matches 5551234567. */
function phoneDigitsExpression(eb: ExpressionBuilder<DB, 'patrons'>) {
  let expr: Expression<string | null> = eb.ref('phone');
  for (const separator of [' ', '-', '(', ')', '.', '+', '/'])
    expr = eb.fn('replace', [expr, eb.val(separator), eb.val('')]);
  return expr;
}

function searchCondition(filter: PatronSearchFilter) {
  return (eb: ExpressionBuilder<DB, 'patrons'>) => {
    const ways: Expression<SqlBool>[] = [];
    if (filter.words.length > 0) {
      ways.push(
        eb.and(
          filter.words.map((w) =>
            eb.or([eb('name_key', 'like', `${w}%`), eb('name_key', 'like', `% ${w}%`)]),
          ),
        ),
      );
    }
    if (filter.barcode !== null) {
      ways.push(
        eb(
          'id',
          'in',
          eb
            .selectFrom('patron_cards')
            .select('patron_cards.patron_id')
            .where('patron_cards.barcode', '=', filter.barcode),
        ),
      );
    }
    if (filter.emailKey !== null) ways.push(eb('email_key', '=', filter.emailKey));
    if (filter.phoneDigits !== null) ways.push(eb(phoneDigitsExpression(eb), '=', filter.phoneDigits));
    const match = ways.length > 0 ? eb.or(ways) : eb.val(true);
    return filter.status === null ? match : eb.and([match, eb('status', '=', filter.status)]);
  };
}

/** One page of patrons matching the filter, by name, and how many match in all. */
export async function searchPatrons(
  db: Executor,
  filter: PatronSearchFilter,
  page: { offset: number; limit: number },
): Promise<{ total: number; rows: PatronRow[] }> {
  const where = searchCondition(filter);
  const [count, rows] = await Promise.all([
    db
      .selectFrom('patrons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(where)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('patrons')
      .selectAll()
      .where(where)
      .orderBy('name_key')
      .orderBy('id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
  ]);
  return { total: Number(count.n), rows };
}

/** Active patrons after `afterId` in id order, for exports page by page. */
export async function findActivePatronsPage(
  db: Executor,
  afterId: string | null,
  limit: number,
): Promise<PatronRow[]> {
  let query = db.selectFrom('patrons').selectAll().where('status', '=', 'active');
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.orderBy('id').limit(limit).execute();
}

export async function countActivePatrons(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('patrons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Ids of the records that were merged into `patronId`. */
export async function findMergedInto(db: Executor, patronId: string): Promise<string[]> {
  const rows = await db.selectFrom('patrons').select('id').where('merged_into_id', '=', patronId).execute();
  return rows.map((r) => r.id);
}

/**
 * Empties patron records of personal data (names become "Deleted"; contacts, birth date, address,
 * notes and PIN go) and marks them deleted. The rows stay, so loans and ledgers still refer to them.
 */
export async function emptyPersonalData(db: Executor, ids: readonly string[], at: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('patrons')
    .set({
      first_name: 'Deleted',
      last_name: 'Deleted',
      name_key: 'deleted',
      birth_date: null,
      email: null,
      email_key: null,
      phone: null,
      address: null,
      notes: null,
      pin_hash: null,
      guarantor_id: null,
      notice_channel: 'print',
      keep_history: false,
      status: 'deleted',
      updated_at: at,
    })
    .where('id', 'in', [...ids])
    .execute();
}

/** Active patrons whose guarantor `guarantorId` is. */
export async function countGuaranteed(db: Executor, guarantorId: string): Promise<number> {
  const row = await db
    .selectFrom('patrons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('guarantor_id', '=', guarantorId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Points every patron guaranteed by `fromId` at `toId` instead (merging). */
export async function moveGuarantees(db: Executor, fromId: string, toId: string): Promise<void> {
  await db.updateTable('patrons').set({ guarantor_id: toId }).where('guarantor_id', '=', fromId).execute();
}

// ---------------------------------------------------------------- cards

export async function insertCard(db: Executor, row: PatronCardRow): Promise<void> {
  await db.insertInto('patron_cards').values(row).execute();
}

export async function findCardByBarcode(db: Executor, barcode: string): Promise<PatronCardRow | undefined> {
  return db.selectFrom('patron_cards').selectAll().where('barcode', '=', barcode).executeTakeFirst();
}

/** Barcodes among `barcodes` that some card (of any status) has. */
export async function findTakenCardBarcodes(db: Executor, barcodes: readonly string[]): Promise<Set<string>> {
  if (barcodes.length === 0) return new Set();
  const rows = await db
    .selectFrom('patron_cards')
    .select('barcode')
    .where('barcode', 'in', [...barcodes])
    .execute();
  return new Set(rows.map((r) => r.barcode));
}

/** Every card a patron has held, newest first. */
export async function findCards(db: Executor, patronId: string): Promise<PatronCardRow[]> {
  return db
    .selectFrom('patron_cards')
    .selectAll()
    .where('patron_id', '=', patronId)
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Marks the patron's active card replaced; returns how many were (0 or 1). */
export async function retireActiveCard(
  db: Executor,
  patronId: string,
  at: string,
  reason: string,
): Promise<number> {
  const result = await db
    .updateTable('patron_cards')
    .set({ status: 'replaced', replaced_at: at, replace_reason: reason })
    .where('patron_id', '=', patronId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Gives every card of `fromId` to `toId`; returns how many moved. */
export async function moveCards(db: Executor, fromId: string, toId: string): Promise<number> {
  const result = await db
    .updateTable('patron_cards')
    .set({ patron_id: toId })
    .where('patron_id', '=', fromId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Takes `count` consecutive numbers from the named row of `sequences` (created on first use) and returns
 * the first. Inside a transaction the row stays locked until commit, so two registrations never share one.
 */
export async function allocateSequence(db: Executor, name: string, count = 1): Promise<number> {
  const updated = await db
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  if (updated) return Number(updated.value) - count + 1;
  await db
    .insertInto('sequences')
    .values({ name, value: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return allocateSequence(db, name, count);
}

// ---------------------------------------------------------------- blocks

export async function insertBlock(db: Executor, row: PatronBlockRow): Promise<void> {
  await db.insertInto('patron_blocks').values(row).execute();
}

export async function findBlock(db: Executor, id: string): Promise<PatronBlockRow | undefined> {
  return db.selectFrom('patron_blocks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A patron's blocks, newest first; only those still in force unless `includeLifted`. */
export async function findBlocks(
  db: Executor,
  patronId: string,
  includeLifted: boolean,
): Promise<PatronBlockRow[]> {
  if (!includeLifted) return blocksInForce.all(db, { patronId });
  return db
    .selectFrom('patron_blocks')
    .selectAll()
    .where('patron_id', '=', patronId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

const blocksInForce = prepared((db, v: { patronId: string }) =>
  db
    .selectFrom('patron_blocks')
    .selectAll()
    .where('patron_id', '=', v.patronId)
    .where('lifted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc'),
);

/** Lifts a block still in force; returns false when it was lifted already. */
export async function liftBlock(db: Executor, id: string, at: string, by: string): Promise<boolean> {
  const result = await db
    .updateTable('patron_blocks')
    .set({ lifted_at: at, lifted_by: by })
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function moveBlocks(db: Executor, fromId: string, toId: string): Promise<number> {
  const result = await db
    .updateTable('patron_blocks')
    .set({ patron_id: toId })
    .where('patron_id', '=', fromId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteBlocks(db: Executor, patronId: string): Promise<void> {
  await db.deleteFrom('patron_blocks').where('patron_id', '=', patronId).execute();
}

// ---------------------------------------------------------------- circulation look-ups

const CIRCULATION_COLUMNS = [
  'patrons.id',
  'patrons.card_barcode',
  'patrons.first_name',
  'patrons.last_name',
  'patrons.birth_date',
  'patrons.email',
  'patrons.language',
  'patrons.notice_channel',
  'patrons.category_code',
  'patrons.home_branch_id',
  'patrons.expires_on',
  'patrons.keep_history',
  'patrons.status',
  'patron_categories.name as category_name',
  'patron_categories.loan_limit',
  'patron_categories.fine_limit_minor',
] as const;

/** The patron row with its category, as circulation needs it. */
export type CirculationRow = Pick<
  PatronRow,
  | 'id'
  | 'card_barcode'
  | 'first_name'
  | 'last_name'
  | 'birth_date'
  | 'email'
  | 'language'
  | 'notice_channel'
  | 'category_code'
  | 'home_branch_id'
  | 'expires_on'
  | 'keep_history'
  | 'status'
> & { category_name: string; loan_limit: number; fine_limit_minor: number | null };

const circulationByCard = prepared((db, v: { barcode: string }) =>
  db
    .selectFrom('patron_cards')
    .innerJoin('patrons', 'patrons.id', 'patron_cards.patron_id')
    .innerJoin('patron_categories', 'patron_categories.code', 'patrons.category_code')
    .select([
      ...CIRCULATION_COLUMNS,
      'patron_cards.status as card_status',
      'patron_cards.replaced_at as card_replaced_at',
    ])
    .where('patron_cards.barcode', '=', v.barcode),
);

/** One indexed query: the card (by its unique barcode) with its patron and the patron's category. */
export async function findCirculationByCard(
  db: Executor,
  barcode: string,
): Promise<(CirculationRow & { card_status: string; card_replaced_at: string | null }) | undefined> {
  return circulationByCard.first(db, { barcode });
}

const circulationById = prepared((db, v: { id: string }) =>
  db
    .selectFrom('patrons')
    .innerJoin('patron_categories', 'patron_categories.code', 'patrons.category_code')
    .select([...CIRCULATION_COLUMNS])
    .where('patrons.id', '=', v.id),
);

export async function findCirculationById(db: Executor, id: string): Promise<CirculationRow | undefined> {
  return circulationById.first(db, { id });
}

// ---------------------------------------------------------------- OPAC sessions and login attempts

export async function insertSession(db: Executor, row: PatronSessionRow): Promise<void> {
  await db.insertInto('patron_sessions').values(row).execute();
}

/** A session that has not expired, of a patron who is still active. */
export async function findLiveSession(
  db: Executor,
  tokenHash: string,
  now: string,
): Promise<PatronSessionRow | undefined> {
  return db
    .selectFrom('patron_sessions')
    .innerJoin('patrons', 'patrons.id', 'patron_sessions.patron_id')
    .selectAll('patron_sessions')
    .where('patron_sessions.token_hash', '=', tokenHash)
    .where('patron_sessions.expires_at', '>', now)
    .where('patrons.status', '=', 'active')
    .executeTakeFirst();
}

export async function touchSession(db: Executor, tokenHash: string, at: string): Promise<void> {
  await db
    .updateTable('patron_sessions')
    .set({ last_seen_at: at })
    .where('token_hash', '=', tokenHash)
    .execute();
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('patron_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOf(db: Executor, patronId: string): Promise<void> {
  await db.deleteFrom('patron_sessions').where('patron_id', '=', patronId).execute();
}

export async function deleteExpiredSessions(db: Executor, now: string): Promise<number> {
  const result = await db.deleteFrom('patron_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
