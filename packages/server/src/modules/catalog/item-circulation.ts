import type { Executor } from '../../db/database.ts';
import { refreshAvailability } from './catalog-repository.ts';
import * as repo from './item-circulation-repository.ts';
import type { ItemStatus } from './items.ts';

/**
 * What circulation needs to know about an item. Circulation changes item status only through
 * {@link changeItemStatus}, inside its own transaction, so the catalog's availability counts (facets,
 * "available at") stay true the moment the loan commits.
 */
export interface CirculationItem {
  id: string;
  recordId: string;
  barcode: string;
  /** The owning (home) branch: where the item shelves and returns to. */
  branchId: string;
  location: string | null;
  callNumber: string | null;
  shelfKey: string;
  itemType: string;
  isCirculating: boolean;
  priceMinor: number | null;
  status: ItemStatus;
  statusChangedAt: string;
  title: string;
  author: string | null;
}

type ItemJoinRow = NonNullable<Awaited<ReturnType<typeof repo.findCirculationItem>>>;

function toItem(row: ItemJoinRow): CirculationItem {
  return {
    id: row.id,
    recordId: row.record_id,
    barcode: row.barcode,
    branchId: row.branch_id,
    location: row.location,
    callNumber: row.call_number,
    shelfKey: row.shelf_key,
    itemType: row.item_type,
    isCirculating: Boolean(row.is_circulating),
    priceMinor: row.price_minor === null ? null : Number(row.price_minor),
    status: row.status as ItemStatus,
    statusChangedAt: row.status_changed_at,
    title: row.title,
    author: row.main_author,
  };
}

/** The item with this barcode, or undefined. */
export async function circulationItemByBarcode(
  trx: Executor,
  barcode: string,
): Promise<CirculationItem | undefined> {
  const row = await repo.findCirculationItem(trx, 'barcode', barcode);
  return row ? toItem(row) : undefined;
}

/** The item with this id, or undefined. */
export async function circulationItemById(trx: Executor, id: string): Promise<CirculationItem | undefined> {
  const row = await repo.findCirculationItem(trx, 'id', id);
  return row ? toItem(row) : undefined;
}

/**
 * Moves an item to `to` if its status is still one of `from` (a conditional update, safe when two
 * desks race), and keeps the record's availability count in step. False when the item had moved on.
 */
export async function changeItemStatus(
  trx: Executor,
  at: Date,
  item: { id: string; recordId: string },
  from: readonly ItemStatus[],
  to: ItemStatus,
): Promise<boolean> {
  const changed = await repo.updateItemStatus(trx, item.id, from, to, at.toISOString());
  if (changed && (from.includes('available') || to === 'available'))
    await refreshAvailability(trx, [item.recordId]);
  return changed;
}

/** A record's items with their home branch, status and whether their type lends (hold targeting). */
export async function itemsOfRecordForHolds(
  trx: Executor,
  recordId: string,
): Promise<{ id: string; branchId: string; status: ItemStatus; isCirculating: boolean }[]> {
  const rows = await repo.findShelfItemsOfRecord(trx, recordId);
  return rows.map((r) => ({
    id: r.id,
    branchId: r.branch_id,
    status: r.status as ItemStatus,
    isCirculating: Boolean(r.is_circulating),
  }));
}
