import { spineLabelLines } from '../../callnumber/index.ts';
import type { Database } from '../../db/database.ts';
import type { Actor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { barcodeLabelsPdf, library14Config, nextBarcode, spineLabelsPdf } from '../../labels/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { BranchService } from '../branches/index.ts';
import * as repo from './catalog-repository.ts';
import type { CallNumberScheme } from './items.ts';

/**
 * Processing new materials: barcodes for new items, the queue of items still "in processing", their
 * release to the shelf, and barcode and spine labels to print.
 */
export function createProcessingService(deps: {
  database: Database;
  clock: Clock;
  branches: BranchService;
  barcodeInstitution: string;
}) {
  const { database, clock, branches } = deps;
  const db = database.db;
  const itemBarcodes = library14Config('item', deps.barcodeInstitution);

  async function labelData(itemIds: readonly string[]) {
    if (itemIds.length === 0)
      throw new AppError('NOTHING_TO_PRINT', 'Choose at least one item to print labels for');
    const rows = await repo.findItemsForLabels(db, itemIds);
    const libraries = new Map((await branches.listLibraries()).map((l) => [l.id, l.name]));
    const libraryOfBranch = new Map(
      (await branches.listBranches()).map((b) => [b.id, libraries.get(b.libraryId) ?? '']),
    );
    const byId = new Map(
      rows.map((r) => [r.id, { ...r, library_name: libraryOfBranch.get(r.branch_id) ?? '' }]),
    );
    const missing = itemIds.filter((id) => !byId.has(id));
    if (missing.length > 0)
      throw new AppError('ITEM_NOT_FOUND', `No item has the id ${missing[0]}`, { missing });
    // Labels print in the order asked for.
    return itemIds.map((id) => byId.get(id)!);
  }

  return {
    /**
     * New item barcodes: 14-digit library barcodes (3, the institution, a sequence, a Mod 10 check
     * digit), skipping any a previous import already brought in.
     */
    async nextItemBarcodes(count: number): Promise<string[]> {
      const out: string[] = [];
      while (out.length < count) {
        const need = count - out.length;
        const first = await repo.allocateSequence(db, 'item_barcode', need);
        const candidates = Array.from({ length: need }, (_, i) => nextBarcode(itemBarcodes, first + i));
        const taken = await repo.findTakenBarcodes(db, candidates);
        out.push(...candidates.filter((b) => !taken.has(b)));
      }
      return out;
    },

    /** Items still in processing, oldest first (optionally at one branch). */
    async queue(branchId?: string) {
      const rows = await repo.findProcessingQueue(db, branchId, 1000);
      return rows.map((r) => ({
        itemId: r.id,
        barcode: r.barcode,
        branchId: r.branch_id,
        callNumber: r.call_number,
        recordId: r.record_id,
        title: r.title,
        since: r.created_at,
      }));
    },

    /** Releases processed items to the shelf (status available), all in one transaction. */
    async release(actor: Actor, itemIds: string[]): Promise<number> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const released = await repo.releaseItems(trx, itemIds, now.toISOString());
        await repo.refreshAvailability(
          trx,
          (await repo.findItemsForLabels(trx, itemIds)).map((i) => i.record_id),
        );
        await recordAudit(trx, now, actor, {
          action: 'items.released',
          entityType: 'item',
          changes: { itemIds, released },
        });
        return released;
      });
    },

    /** Barcode labels (Code 128, library name, call number, title) on a 30-up sheet; `skip` used positions. */
    async barcodeLabels(itemIds: string[], skip = 0): Promise<Buffer> {
      const rows = await labelData(itemIds);
      return barcodeLabelsPdf(
        rows.map((r) => ({
          barcode: r.barcode,
          title: r.title,
          callNumber: r.call_number ?? '',
          libraryName: r.library_name,
        })),
        undefined,
        { skip, createdAt: clock.now() },
      );
    },

    /** Spine labels: each item's call number split into lines by its scheme, then volume and copy. */
    async spineLabels(itemIds: string[], skip = 0): Promise<Buffer> {
      const rows = await labelData(itemIds);
      return spineLabelsPdf(
        rows.map((r) => {
          const lines = r.call_number
            ? spineLabelLines(r.call_number, r.call_number_scheme as CallNumberScheme)
            : [];
          if (r.volume) lines.push(r.volume);
          if (r.copy_number) lines.push(`c.${r.copy_number}`);
          return { lines: lines.length > 0 ? lines : [r.barcode] };
        }),
        undefined,
        { skip, createdAt: clock.now() },
      );
    },
  };
}

export type ProcessingService = ReturnType<typeof createProcessingService>;
