import type { Executor } from '../../db/database.ts';
import { formatMinor } from '../../kernel/money.ts';
import { localDateOf } from '../../kernel/time-zone.ts';
import { type CirculationItem, itemsOfRecordForHolds } from '../catalog/index.ts';
import * as repo from './circulation-repository.ts';
import type { CirculationContext, DeskPatron } from './context.ts';
import type { CirculationErrorCode } from './errors.ts';

/** A reason a checkout or renewal is refused; staff with `circulation.override` may override the overridable ones. */
export interface Refusal {
  code: CirculationErrorCode;
  message: string;
  overridable: boolean;
}

/** A block on a patron, manual (with reason) or automatic (expired card, fines over limit, overdue items). */
export interface PatronBlock {
  kind: 'manual' | 'expired' | 'fines' | 'overdue';
  code: CirculationErrorCode;
  message: string;
  blockId?: string;
}

/**
 * Everything that stops a patron borrowing right now: manual blocks, an expired membership, unpaid
 * fines over the category's limit (disputed charges left out), and overdue items.
 */
export async function patronBlocks(
  ctx: CirculationContext,
  trx: Executor,
  patron: DeskPatron,
  now: Date,
  timeZone: string,
  counts?: { overdue: number },
): Promise<PatronBlock[]> {
  const blocks: PatronBlock[] = patron.manualBlocks.map((b) => ({
    kind: 'manual',
    code: 'PATRON_BLOCKED',
    message: `Blocked: ${b.reason}`,
    blockId: b.id,
  }));
  const today = localDateOf(now, timeZone);
  if (patron.expiresOn < today)
    blocks.push({
      kind: 'expired',
      code: 'PATRON_EXPIRED',
      message: `Membership expired on ${patron.expiresOn}; renew it first`,
    });
  const limit = patron.category.fineLimitMinor;
  if (limit !== null) {
    const { balanceMinor, disputedMinor } = await ctx.ports.fines.balanceOf(trx, patron.id);
    const owed = balanceMinor - disputedMinor;
    if (owed > limit)
      blocks.push({
        kind: 'fines',
        code: 'PATRON_FINES_OVER_LIMIT',
        message: `Owes ${formatMinor(owed, ctx.currency)}, over the limit of ${formatMinor(limit, ctx.currency)}`,
      });
  }
  const overdue =
    counts?.overdue ?? (await repo.countOpenLoans(trx, patron.id, now.toISOString(), null)).overdue;
  if (overdue > 0)
    blocks.push({
      kind: 'overdue',
      code: 'PATRON_HAS_OVERDUES',
      message: `${overdue} overdue item${overdue === 1 ? '' : 's'}; return or renew ${overdue === 1 ? 'it' : 'them'} first`,
    });
  return blocks;
}

/**
 * Holds of other patrons that this copy is needed for: waiting holds on the record (title-level, or on
 * this very item) beyond what the other copies on the shelf can fill. Zero when nobody else is waiting.
 */
export async function holdsNeedingItem(
  trx: Executor,
  item: Pick<CirculationItem, 'id' | 'recordId'>,
  patronId: string,
  today: string,
): Promise<number> {
  const holds = (await repo.findWaitingHolds(trx, item.recordId, item.id)).filter(
    (h) => h.patron_id !== patronId && !(h.suspended_until !== null && h.suspended_until >= today),
  );
  if (holds.length === 0) return 0;
  if (holds.some((h) => h.item_id === item.id)) return holds.length;
  const others = (await itemsOfRecordForHolds(trx, item.recordId)).filter(
    (i) => i.id !== item.id && i.isCirculating && i.status === 'available',
  ).length;
  return Math.max(0, holds.length - others);
}
