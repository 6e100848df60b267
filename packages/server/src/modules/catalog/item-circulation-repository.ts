import type { Executor } from '../../db/database.ts';

/** The columns circulation reads about an item, with its record's title and whether its type lends. */
export async function findCirculationItem(db: Executor, column: 'barcode' | 'id', value: string) {
  return db
    .selectFrom('items')
    .innerJoin('bib_records', 'bib_records.id', 'items.record_id')
    .innerJoin('item_types', 'item_types.code', 'items.item_type')
    .select([
      'items.id',
      'items.record_id',
      'items.barcode',
      'items.branch_id',
      'items.location',
      'items.call_number',
      'items.shelf_key',
      'items.item_type',
      'items.price_minor',
      'items.status',
      'items.status_changed_at',
      'item_types.is_circulating',
      'bib_records.title',
      'bib_records.main_author',
    ])
    .where(`items.${column}`, '=', value)
    .executeTakeFirst();
}

/** Moves an item from one of `from` to `to`; false when its status was none of them (someone else won). */
export async function updateItemStatus(
  db: Executor,
  id: string,
  from: readonly string[],
  to: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('items')
    .set({ status: to, status_changed_at: at, updated_at: at })
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Items of a record that could fill a hold now: on the shelf, of a lending item type. */
export async function findShelfItemsOfRecord(db: Executor, recordId: string) {
  return db
    .selectFrom('items')
    .innerJoin('item_types', 'item_types.code', 'items.item_type')
    .select(['items.id', 'items.branch_id', 'items.status', 'item_types.is_circulating'])
    .where('items.record_id', '=', recordId)
    .execute();
}
