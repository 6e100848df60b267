import { isUniqueViolation } from '../../db/errors.ts';
import type { HoldRow } from '../../db/schema.ts';
import { type Actor, actorLabel, can } from '../../kernel/actor.ts';
import { newId } from '../../kernel/ids.ts';
import { isLocalDate, localDateOf } from '../../kernel/time-zone.ts';
import { recordAudit } from '../audit/index.ts';
import { circulationItemById, itemsOfRecordForHolds } from '../catalog/index.ts';
import * as repo from './circulation-repository.ts';
import { branchIn, type CirculationContext, fail } from './context.ts';
import { trapOnShelf } from './routing.ts';
import { resolveRule } from './rules.ts';

/** A hold as staff and the patron see it, with its place in the queue. */
export interface Hold {
  id: string;
  patronId: string;
  patronName: string;
  patronBarcode: string;
  recordId: string;
  title: string;
  author: string | null;
  itemId: string | null;
  itemBarcode: string | null;
  level: 'title' | 'item';
  pickupBranchId: string;
  status: 'waiting' | 'in_transit' | 'ready' | 'fulfilled' | 'cancelled' | 'expired';
  suspendedUntil: string | null;
  notNeededAfter: string | null;
  trappedAt: string | null;
  shelfExpiresOn: string | null;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
  /** 1 = next in line; null once the hold is trapped or ended. */
  queuePosition: number | null;
}

export interface PlaceHoldInput {
  patronId: string;
  recordId: string;
  /** For an item-level hold (a particular copy or volume). */
  itemId?: string | null;
  pickupBranchId: string;
  notNeededAfter?: string | null;
}

/** Until this date a suspension "without end" lasts. */
const INDEFINITELY = '9999-12-31';

type HoldView = Awaited<ReturnType<typeof repo.findHoldsView>>[number];

function toHold(h: HoldView, position: number | null): Hold {
  return {
    id: h.id,
    patronId: h.patron_id,
    patronName: `${h.first_name} ${h.last_name}`,
    patronBarcode: h.card_barcode,
    recordId: h.record_id,
    title: h.title,
    author: h.main_author,
    itemId: h.item_id,
    itemBarcode: h.item_barcode,
    level: h.level as Hold['level'],
    pickupBranchId: h.pickup_branch_id,
    status: h.status as Hold['status'],
    suspendedUntil: h.suspended_until,
    notNeededAfter: h.not_needed_after,
    trappedAt: h.trapped_at,
    shelfExpiresOn: h.shelf_expires_on,
    createdAt: h.created_at,
    endedAt: h.ended_at,
    endReason: h.end_reason,
    queuePosition: position,
  };
}

/** Holds from request to pickup: placing, the queue, suspending, cancelling, the pull list and the hold shelf. */
export function createHoldService(ctx: CirculationContext) {
  const { db, clock } = ctx;

  /** Patrons act on their own holds only; staff need `circulation.desk`. */
  function mayActFor(actor: Actor, patronId: string): void {
    if (actor.type === 'patron') {
      if (actor.patronId !== patronId) fail('HOLD_NOT_FOUND', 'No such hold');
    } else if (!can(actor, 'circulation.desk')) {
      fail('FORBIDDEN', 'You need the permission circulation.desk for this');
    }
  }

  async function view(holdId: string): Promise<Hold> {
    const hold = await repo.findHold(db, holdId);
    if (!hold) fail('HOLD_NOT_FOUND', `No hold has the id ${holdId}`, { holdId });
    const rows = await repo.findHoldsView(db, { recordId: hold.record_id });
    let position = 0;
    for (const r of rows) {
      if (r.status === 'waiting') position++;
      if (r.id === holdId) return toHold(r, r.status === 'waiting' ? position : null);
    }
    fail('HOLD_NOT_FOUND', `No hold has the id ${holdId}`, { holdId });
  }

  async function place(actor: Actor, input: PlaceHoldInput): Promise<Hold> {
    mayActFor(actor, input.patronId);
    const calendars = await ctx.calendars();
    await ctx.branch(input.pickupBranchId);
    if (input.notNeededAfter != null && !isLocalDate(input.notNeededAfter))
      fail('INVALID_DATE', `${input.notNeededAfter} is not a date (YYYY-MM-DD)`);
    const now = clock.now();
    const nowIso = now.toISOString();
    const id = newId(now.getTime());
    try {
      await db.transaction().execute(async (trx) => {
        const patron = await ctx.ports.patrons.byId(trx, input.patronId);
        if (patron.status !== 'active') fail('HOLD_NOT_POSSIBLE', 'This patron record is no longer active');
        const pickup = branchIn(calendars, input.pickupBranchId);
        const today = localDateOf(now, pickup.timeZone);
        if (patron.expiresOn < today)
          fail('PATRON_EXPIRED', `Membership expired on ${patron.expiresOn}; renew it before placing holds`);
        if (patron.manualBlocks.length > 0)
          fail('PATRON_BLOCKED', `Blocked: ${patron.manualBlocks[0]!.reason}`);
        const items = (await itemsOfRecordForHolds(trx, input.recordId)).filter(
          (i) => i.isCirculating && !['withdrawn', 'lost'].includes(i.status),
        );
        let itemType: string | undefined;
        if (input.itemId) {
          const item = await circulationItemById(trx, input.itemId);
          if (!item || item.recordId !== input.recordId)
            fail('HOLD_NOT_POSSIBLE', 'That item does not belong to this record', { itemId: input.itemId });
          if (!items.some((i) => i.id === item.id))
            fail('HOLD_NOT_POSSIBLE', `${item.title} (${item.barcode}) cannot be lent`);
          itemType = item.itemType;
        } else if (items.length === 0) {
          fail('HOLD_NOT_POSSIBLE', 'This title has no copy that can be lent, so it cannot be held', {
            recordId: input.recordId,
          });
        } else {
          itemType = (await circulationItemById(trx, items[0]!.id))?.itemType;
        }
        const rule = resolveRule(await ctx.rules(trx), {
          branchId: pickup.id,
          patronCategory: patron.categoryCode,
          itemType: itemType ?? '',
        });
        const allowed = rule?.holdsAllowed ?? 0;
        const current = await repo.countActiveHoldsOfPatron(trx, patron.id);
        if (current >= allowed)
          fail(
            'HOLD_LIMIT_REACHED',
            allowed === 0
              ? `Holds are not allowed for ${patron.category.name} on this material`
              : `Has ${current} holds; the limit is ${allowed}`,
          );
        const loans = await repo.findOpenLoansOfPatron(trx, patron.id);
        if (loans.some((l) => l.record_id === input.recordId))
          fail('HOLD_ITEM_ON_LOAN_TO_PATRON', 'The patron has this title checked out already');
        const row: HoldRow = {
          id,
          patron_id: patron.id,
          record_id: input.recordId,
          item_id: input.itemId ?? null,
          level: input.itemId ? 'item' : 'title',
          pickup_branch_id: pickup.id,
          status: 'waiting',
          suspended_until: null,
          not_needed_after: input.notNeededAfter ?? null,
          trapped_at: null,
          shelf_expires_on: null,
          ended_at: null,
          end_reason: null,
          created_by: actorLabel(actor),
          created_at: nowIso,
          updated_at: nowIso,
        };
        await repo.insertHold(trx, row);
        await recordAudit(trx, now, actor, {
          action: 'hold.placed',
          entityType: 'hold',
          entityId: id,
          changes: { recordId: input.recordId, itemId: row.item_id, pickupBranchId: pickup.id },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) fail('HOLD_EXISTS', 'The patron already has a hold on this title');
      throw error;
    }
    return view(id);
  }

  async function change(
    actor: Actor,
    holdId: string,
    action: string,
    apply: (hold: HoldRow, today: string) => Partial<HoldRow> | null,
  ): Promise<Hold> {
    const calendars = await ctx.calendars();
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      const hold = await repo.findHold(trx, holdId);
      if (!hold) fail('HOLD_NOT_FOUND', `No hold has the id ${holdId}`, { holdId });
      mayActFor(actor, hold.patron_id);
      const today = localDateOf(now, branchIn(calendars, hold.pickup_branch_id).timeZone);
      const changes = apply(hold, today);
      if (!changes) return;
      await repo.updateHold(trx, hold.id, { ...changes, updated_at: now.toISOString() });
      await recordAudit(trx, now, actor, { action, entityType: 'hold', entityId: hold.id, changes });
    });
    return view(holdId);
  }

  const active = ['waiting', 'in_transit', 'ready'];

  return {
    place,
    get: view,

    /** Cancels a hold. A trapped item stays where it is until it is scanned, which sends it on. */
    cancel: (actor: Actor, holdId: string, reason?: string) =>
      change(actor, holdId, 'hold.cancelled', (hold) => {
        if (!active.includes(hold.status))
          fail('HOLD_NOT_CHANGEABLE', `This hold is ${hold.status} already`, { status: hold.status });
        return {
          status: 'cancelled',
          ended_at: clock.now().toISOString(),
          end_reason:
            reason?.trim() || (actor.type === 'patron' ? 'cancelled by the patron' : 'cancelled by staff'),
        };
      }),

    /** Suspends a waiting hold until a date (or indefinitely): it keeps its place but is skipped. */
    suspend: (actor: Actor, holdId: string, until?: string | null) =>
      change(actor, holdId, 'hold.suspended', (hold, today) => {
        if (hold.status !== 'waiting') fail('HOLD_NOT_CHANGEABLE', 'Only a waiting hold can be suspended');
        if (until != null && (!isLocalDate(until) || until < today))
          fail('INVALID_DATE', `Suspend until a date from today (YYYY-MM-DD), not ${until}`);
        return { suspended_until: until ?? INDEFINITELY };
      }),

    resume: (actor: Actor, holdId: string) =>
      change(actor, holdId, 'hold.resumed', (hold) => {
        if (hold.status !== 'waiting') fail('HOLD_NOT_CHANGEABLE', 'Only a waiting hold can be resumed');
        return { suspended_until: null };
      }),

    changePickup: async (actor: Actor, holdId: string, pickupBranchId: string) => {
      await ctx.branch(pickupBranchId);
      return change(actor, holdId, 'hold.pickup_changed', (hold) => {
        if (hold.status !== 'waiting')
          fail('HOLD_NOT_CHANGEABLE', 'The pickup branch can change only while the hold is waiting');
        return { pickup_branch_id: pickupBranchId };
      });
    },

    /** Holds of a patron (active, or all), with queue positions. */
    async ofPatron(patronId: string, all = false): Promise<Hold[]> {
      const rows = await repo.findHoldsView(db, { patronId, statuses: all ? undefined : active });
      const out: Hold[] = [];
      for (const r of rows) {
        let position: number | null = null;
        if (r.status === 'waiting') {
          const queue = await repo.findAllWaitingHolds(db, r.record_id);
          position = queue.findIndex((q) => q.id === r.id) + 1;
        }
        out.push(toHold(r, position));
      }
      return out;
    },

    /** The queue of a record: active holds in order. */
    async ofRecord(recordId: string): Promise<Hold[]> {
      let position = 0;
      return (await repo.findHoldsView(db, { recordId, statuses: active })).map((r) =>
        toHold(r, r.status === 'waiting' ? ++position : null),
      );
    },

    /**
     * The pull list of a branch: items on its shelves to fetch for waiting holds, in shelf order, one
     * item per hold and each item once.
     */
    async pullList(branchId: string) {
      const branch = await ctx.branch(branchId);
      const today = localDateOf(clock.now(), branch.timeZone);
      const rows = await repo.findPullCandidates(db, branchId, today);
      // Holds first come first served: give each hold (oldest first) one item not given yet.
      const byHold = new Map<string, typeof rows>();
      for (const r of rows) byHold.set(r.hold_id, [...(byHold.get(r.hold_id) ?? []), r]);
      const holdsInOrder = [...byHold.values()]
        .map((list) => list)
        .sort((a, b) => (a[0]!.hold_created_at < b[0]!.hold_created_at ? -1 : 1));
      const taken = new Set<string>();
      const picked: (typeof rows)[number][] = [];
      for (const list of holdsInOrder) {
        const choice = list.find((r) => !taken.has(r.item_id));
        if (choice) {
          taken.add(choice.item_id);
          picked.push(choice);
        }
      }
      picked.sort((a, b) => (a.shelf_key < b.shelf_key ? -1 : a.shelf_key > b.shelf_key ? 1 : 0));
      return picked.map((r) => ({
        holdId: r.hold_id,
        itemId: r.item_id,
        itemBarcode: r.barcode,
        title: r.title,
        author: r.main_author,
        location: r.location,
        callNumber: r.call_number,
        pickupBranchId: r.pickup_branch_id,
      }));
    },

    /** The hold shelf of a branch: ready holds, and items whose hold ended that must come off the shelf. */
    async holdShelf(branchId: string) {
      await ctx.branch(branchId);
      const ready = await repo.findHoldsView(db, { pickupBranchId: branchId, statuses: ['ready'] });
      const ended = (
        await repo.findHoldsView(db, { pickupBranchId: branchId, statuses: ['expired', 'cancelled'] })
      ).filter((h) => h.item_id !== null && h.trapped_at !== null);
      const toClear: Hold[] = [];
      for (const h of ended) {
        const item = await circulationItemById(db, h.item_id!);
        const trapped = item ? await repo.findTrappedHoldOfItem(db, item.id) : undefined;
        if (item?.status === 'on_hold_shelf' && !trapped) toClear.push(toHold(h, null));
      }
      return { ready: ready.map((h) => toHold(h, null)), toClear };
    },

    /** Items in transit to (or from) a branch. */
    async transits(where: { toBranchId?: string; fromBranchId?: string }) {
      return (await repo.findTransitsView(db, where)).map((t) => ({
        id: t.id,
        itemId: t.item_id,
        itemBarcode: t.barcode,
        title: t.title,
        callNumber: t.call_number,
        fromBranchId: t.from_branch_id,
        toBranchId: t.to_branch_id,
        reason: t.reason as 'hold' | 'home',
        holdId: t.hold_id,
        sentAt: t.sent_at,
      }));
    },

    /**
     * The daily hold clean-up: waiting holds past their "not needed after" date expire; ready holds past
     * their shelf date expire and, when the next patron in line collects at the same branch, the item is
     * trapped for them at once (otherwise it goes on the "clear from shelf" list and the next scan sends
     * it on). Patrons whose hold is ready and expires tomorrow get a reminder.
     */
    async expireHolds(actor: Actor): Promise<{ expired: number; passedOn: number; reminded: number }> {
      const calendars = await ctx.calendars();
      const now = clock.now();
      let expired = 0;
      let passedOn = 0;
      let reminded = 0;
      const dates = new Set([...calendars.values()].map((b) => localDateOf(now, b.timeZone)));
      for (const today of [...dates].sort()) {
        const due = await repo.findExpiringHolds(db, today);
        for (const hold of due) {
          const pickup = calendars.get(hold.pickup_branch_id);
          if (!pickup || localDateOf(now, pickup.timeZone) !== today) continue;
          await db.transaction().execute(async (trx) => {
            const fresh = await repo.findHold(trx, hold.id);
            if (!fresh || fresh.status !== hold.status) return;
            const moved = await repo.moveHold(trx, hold.id, [hold.status], {
              status: 'expired',
              ended_at: now.toISOString(),
              end_reason: hold.status === 'ready' ? 'not collected in time' : 'no longer needed',
              updated_at: now.toISOString(),
            });
            if (!moved) return;
            expired++;
            await recordAudit(trx, now, actor, {
              action: 'hold.expired',
              entityType: 'hold',
              entityId: hold.id,
            });
            if (hold.status !== 'ready' || !hold.item_id) return;
            const item = await circulationItemById(trx, hold.item_id);
            if (item?.status !== 'on_hold_shelf') return;
            const next = (await repo.findWaitingHolds(trx, item.recordId, item.id)).find(
              (h) =>
                h.pickup_branch_id === hold.pickup_branch_id &&
                !(h.suspended_until !== null && h.suspended_until >= today) &&
                !(h.not_needed_after !== null && h.not_needed_after < today),
            );
            if (next) {
              await trapOnShelf(ctx, trx, calendars, actor, now, item, next, ['on_hold_shelf']);
              passedOn++;
            }
          });
        }
        for (const hold of await repo.findReadyHoldsExpiringOn(db, today)) {
          const pickup = calendars.get(hold.pickup_branch_id);
          if (!pickup || !hold.item_id) continue;
          await db.transaction().execute(async (trx) => {
            const patron = await ctx.ports.patrons.byId(trx, hold.patron_id);
            const item = await circulationItemById(trx, hold.item_id!);
            const { queued } = await ctx.ports.notices.enqueue(trx, now, {
              patron,
              kind: 'hold_expiring',
              dedupeKey: `hold-expiring:${hold.id}:${hold.shelf_expires_on}`,
              data: {
                title: item?.title ?? '',
                author: item?.author ?? '',
                pickupBranch: pickup.name,
                expiresOn: hold.shelf_expires_on,
              },
              branch: { name: pickup.name, email: pickup.email, phone: pickup.phone },
            });
            if (queued) reminded++;
          });
        }
      }
      return { expired, passedOn, reminded };
    },
  };
}

export type HoldService = ReturnType<typeof createHoldService>;
