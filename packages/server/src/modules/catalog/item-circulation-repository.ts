import type { Executor } from '../../db/database.ts';
import { prepared } from '../../db/prepared.ts';

/** The columns circulation reads about an item, with its record's title and whether its type lends. */
const circulationItemBy = (column: 'barcode' | 'id') =>
  prepared((db, v: { value: string }) =>
    db
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
      .where(`items.${column}`, '=', v.value),
  );
const circulationItemQueries = { barcode: circulationItemBy('barcode'), id: circulationItemBy('id') };

export async function findCirculationItem(db: Executor, column: 'barcode' | 'id', value: string) {
  return circulationItemQueries[column].first(db, { value });
}

/** One statement per list of statuses moved from (the desk uses a handful). */
const statusUpdates = new Map<string, ReturnType<typeof statusUpdate>>();
const statusUpdate = (from: readonly string[]) =>
  prepared((db, v: { id: string; to: string; at: string }) =>
    db
      .updateTable('items')
      .set({ status: v.to, status_changed_at: v.at, updated_at: v.at })
      .where('id', '=', v.id)
      .where('status', 'in', from),
  );

/** Moves an item from one of `from` to `to`; false when its status was none of them (someone else won). */
export async function updateItemStatus(
  db: Executor,
  id: string,
  from: readonly string[],
  to: string,
  at: string,
): Promise<boolean> {
  const key = from.join(' ');
  let update = statusUpdates.get(key);
  if (!update) {
    update = statusUpdate([...from]);
    statusUpdates.set(key, update);
  }
  return (await update.run(db, { id, to, at })) === 1;
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
