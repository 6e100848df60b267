import type { Executor } from '../../db/database.ts';
import type { BranchRow, ClosedDayRow, LibraryRow, OpeningHoursRow } from '../../db/schema.ts';

export async function insertLibrary(db: Executor, row: LibraryRow): Promise<void> {
  await db.insertInto('libraries').values(row).execute();
}

export async function findLibraries(db: Executor): Promise<LibraryRow[]> {
  return db.selectFrom('libraries').selectAll().orderBy('name').execute();
}

export async function findLibraryById(db: Executor, id: string): Promise<LibraryRow | undefined> {
  return db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findLibraryByCode(db: Executor, code: string): Promise<LibraryRow | undefined> {
  return db.selectFrom('libraries').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertBranch(db: Executor, row: BranchRow): Promise<void> {
  await db.insertInto('branches').values(row).execute();
}

export async function updateBranchRow(db: Executor, id: string, changes: Partial<BranchRow>): Promise<void> {
  await db.updateTable('branches').set(changes).where('id', '=', id).execute();
}

export async function findBranches(db: Executor): Promise<BranchRow[]> {
  return db.selectFrom('branches').selectAll().orderBy('name').execute();
}

export async function findBranchById(db: Executor, id: string): Promise<BranchRow | undefined> {
  return db.selectFrom('branches').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findBranchByCode(db: Executor, code: string): Promise<BranchRow | undefined> {
  return db.selectFrom('branches').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findOpeningHours(
  db: Executor,
  branchIds: readonly string[],
): Promise<OpeningHoursRow[]> {
  if (branchIds.length === 0) return [];
  return db
    .selectFrom('branch_opening_hours')
    .selectAll()
    .where('branch_id', 'in', branchIds)
    .orderBy('weekday')
    .orderBy('opens')
    .execute();
}

export async function replaceOpeningHours(
  db: Executor,
  branchId: string,
  rows: readonly OpeningHoursRow[],
): Promise<void> {
  await db.deleteFrom('branch_opening_hours').where('branch_id', '=', branchId).execute();
  if (rows.length > 0)
    await db
      .insertInto('branch_opening_hours')
      .values([...rows])
      .execute();
}

/** Closed days of a branch (including library-wide ones) within `from`–`to`, by date. */
export async function findClosedDays(
  db: Executor,
  q: { branchId?: string | null; from?: string; to?: string },
): Promise<ClosedDayRow[]> {
  let query = db.selectFrom('closed_days').selectAll();
  if (q.branchId) {
    const branchId = q.branchId;
    query = query.where((eb) => eb.or([eb('branch_id', '=', branchId), eb('branch_id', 'is', null)]));
  } else if (q.branchId === null) {
    query = query.where('branch_id', 'is', null);
  }
  if (q.from !== undefined) query = query.where('date', '>=', q.from);
  if (q.to !== undefined) query = query.where('date', '<=', q.to);
  return query.orderBy('date').execute();
}

export async function findClosedDayById(db: Executor, id: string): Promise<ClosedDayRow | undefined> {
  return db.selectFrom('closed_days').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertClosedDay(db: Executor, row: ClosedDayRow): Promise<void> {
  await db.insertInto('closed_days').values(row).execute();
}

export async function deleteClosedDay(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('closed_days').where('id', '=', id).execute();
}
