import type { Executor } from '../../db/database.ts';
import type { HoldRow } from '../../db/schema.ts';
import type { Actor } from '../../kernel/actor.ts';
import { newId } from '../../kernel/ids.ts';
import { addDays, localDateOf } from '../../kernel/time-zone.ts';
import { nextOpenDay } from '../branches/index.ts';
import { type CirculationItem, changeItemStatus } from '../catalog/index.ts';
import * as repo from './circulation-repository.ts';
import { type BranchInfo, branchIn, type CirculationContext, fail } from './context.ts';
import { resolveRule } from './rules.ts';

/** Where a checked-in item goes next, for the desk to act on and print a slip for. */
export type Routing =
  | { action: 'hold_shelf'; holdId: string; patronId: string; shelfExpiresOn: string; branchId: string }
  | {
      action: 'transit';
      transitId: string;
      toBranchId: string;
      toBranchName: string;
      reason: 'hold' | 'home';
      holdId: string | null;
    }
  | { action: 'reshelve'; branchId: string }
  | { action: 'keep'; status: string; message: string };

/** The day a hold trapped `now` stops waiting on the shelf: `days` ahead, moved to an open day. */
export function shelfExpiry(now: Date, days: number, branch: BranchInfo): string {
  const target = addDays(localDateOf(now, branch.timeZone), days);
  if (branch.hours.length === 0) return target;
  return nextOpenDay(target, branch.hours, branch.closedDays)?.date ?? target;
}

/** The first waiting hold this item can fill (first come first served; suspended and lapsed holds skipped). */
export async function nextHoldFor(
  trx: Executor,
  item: CirculationItem,
  today: string,
): Promise<HoldRow | undefined> {
  const holds = await repo.findWaitingHolds(trx, item.recordId, item.id);
  return holds.find(
    (h) =>
      !(h.suspended_until !== null && h.suspended_until >= today) &&
      !(h.not_needed_after !== null && h.not_needed_after < today),
  );
}

/**
 * Puts an item (just returned, or found on the shelf) where it belongs from `atBranch`: trapped for the
 * next hold (on this branch's hold shelf, or in transit to the pickup branch), in transit to its home
 * branch, or back on the shelf. The item's status moves from one of `from`. Notices for trapped holds
 * are queued in the same transaction.
 */
export async function routeItem(
  ctx: CirculationContext,
  trx: Executor,
  calendars: ReadonlyMap<string, BranchInfo>,
  actor: Actor,
  now: Date,
  item: CirculationItem,
  atBranchId: string,
  from: readonly CirculationItem['status'][],
): Promise<Routing> {
  const at = branchIn(calendars, atBranchId);
  const today = localDateOf(now, at.timeZone);
  const nowIso = now.toISOString();
  const hold = item.isCirculating ? await nextHoldFor(trx, item, today) : undefined;
  if (hold) {
    if (hold.pickup_branch_id === atBranchId) {
      return trapOnShelf(ctx, trx, calendars, actor, now, item, hold, from);
    }
    const to = branchIn(calendars, hold.pickup_branch_id);
    await moveItem(trx, now, item, from, 'in_transit');
    const moved = await repo.moveHold(trx, hold.id, ['waiting'], {
      status: 'in_transit',
      item_id: item.id,
      trapped_at: nowIso,
      updated_at: nowIso,
    });
    if (!moved) fail('ITEM_CHECKOUT_CONFLICT', 'The hold changed at the same moment; scan the item again');
    const transitId = newId(now.getTime());
    await repo.insertTransit(trx, {
      id: transitId,
      item_id: item.id,
      from_branch_id: atBranchId,
      to_branch_id: to.id,
      hold_id: hold.id,
      reason: 'hold',
      status: 'in_transit',
      sent_at: nowIso,
      received_at: null,
    });
    return {
      action: 'transit',
      transitId,
      toBranchId: to.id,
      toBranchName: to.name,
      reason: 'hold',
      holdId: hold.id,
    };
  }
  if (item.branchId !== atBranchId) {
    const home = branchIn(calendars, item.branchId);
    await moveItem(trx, now, item, from, 'in_transit');
    const transitId = newId(now.getTime());
    await repo.insertTransit(trx, {
      id: transitId,
      item_id: item.id,
      from_branch_id: atBranchId,
      to_branch_id: home.id,
      hold_id: null,
      reason: 'home',
      status: 'in_transit',
      sent_at: nowIso,
      received_at: null,
    });
    return {
      action: 'transit',
      transitId,
      toBranchId: home.id,
      toBranchName: home.name,
      reason: 'home',
      holdId: null,
    };
  }
  await moveItem(trx, now, item, from, 'available');
  return { action: 'reshelve', branchId: atBranchId };
}

/** Traps `item` for `hold` on the hold shelf of the hold's pickup branch and tells the patron. */
export async function trapOnShelf(
  ctx: CirculationContext,
  trx: Executor,
  calendars: ReadonlyMap<string, BranchInfo>,
  actor: Actor,
  now: Date,
  item: CirculationItem,
  hold: HoldRow,
  from: readonly CirculationItem['status'][],
): Promise<Routing> {
  const pickup = branchIn(calendars, hold.pickup_branch_id);
  const patron = await ctx.ports.patrons.byId(trx, hold.patron_id);
  const rule = resolveRule(await ctx.rules(trx), {
    branchId: pickup.id,
    patronCategory: patron.categoryCode,
    itemType: item.itemType,
  });
  const shelfExpiresOn = shelfExpiry(now, rule?.holdShelfDays ?? 7, pickup);
  const nowIso = now.toISOString();
  if (!from.includes('on_hold_shelf') || item.status !== 'on_hold_shelf')
    await moveItem(trx, now, item, from, 'on_hold_shelf');
  const moved = await repo.moveHold(trx, hold.id, ['waiting', 'in_transit'], {
    status: 'ready',
    item_id: item.id,
    trapped_at: hold.trapped_at ?? nowIso,
    shelf_expires_on: shelfExpiresOn,
    updated_at: nowIso,
  });
  if (!moved) fail('ITEM_CHECKOUT_CONFLICT', 'The hold changed at the same moment; scan the item again');
  await ctx.ports.notices.enqueue(trx, now, {
    patron,
    kind: 'hold_available',
    dedupeKey: `hold-available:${hold.id}:${item.id}`,
    data: {
      title: item.title,
      author: item.author ?? '',
      pickupBranch: pickup.name,
      pickUpBy: shelfExpiresOn,
    },
    branch: { name: pickup.name, email: pickup.email, phone: pickup.phone },
  });
  void actor;
  return {
    action: 'hold_shelf',
    holdId: hold.id,
    patronId: hold.patron_id,
    shelfExpiresOn,
    branchId: pickup.id,
  };
}

async function moveItem(
  trx: Executor,
  now: Date,
  item: CirculationItem,
  from: readonly CirculationItem['status'][],
  to: CirculationItem['status'],
): Promise<void> {
  if (!(await changeItemStatus(trx, now, item, from, to)))
    fail('ITEM_CHECKOUT_CONFLICT', `Item ${item.barcode} changed at the same moment; scan it again`, {
      itemBarcode: item.barcode,
    });
  item.status = to;
}
