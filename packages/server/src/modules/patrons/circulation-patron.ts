import type { Executor } from '../../db/database.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { PatronErrorCode } from './errors.ts';
import * as repo from './patron-repository.ts';

/**
 * A patron as circulation sees one at the desk or the self-check: who it is, how to send notices,
 * the category's limits and the manual blocks in force. Other refusals (fines, overdue items, an
 * expired card) are circulation's own rules applied to these facts.
 */
export interface CirculationPatron {
  id: string;
  cardBarcode: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  email: string | null;
  language: string;
  noticeChannel: 'email' | 'print';
  categoryCode: string;
  homeBranchId: string;
  expiresOn: string;
  keepHistory: boolean;
  status: 'active' | 'merged' | 'deleted';
  category: { code: string; name: string; loanLimit: number; fineLimitMinor: number | null };
  /** Manual blocks still in force, newest first. */
  manualBlocks: { id: string; reason: string; createdAt: string }[];
}

function fail(code: PatronErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

async function withBlocks(trx: Executor, row: repo.CirculationRow): Promise<CirculationPatron> {
  const blocks = await repo.findBlocks(trx, row.id, false);
  return {
    id: row.id,
    cardBarcode: row.card_barcode,
    firstName: row.first_name,
    lastName: row.last_name,
    birthDate: row.birth_date,
    email: row.email,
    language: row.language,
    noticeChannel: row.notice_channel === 'email' ? 'email' : 'print',
    categoryCode: row.category_code,
    homeBranchId: row.home_branch_id,
    expiresOn: row.expires_on,
    keepHistory: Boolean(row.keep_history),
    status: row.status as CirculationPatron['status'],
    category: {
      code: row.category_code,
      name: row.category_name,
      loanLimit: row.loan_limit,
      fineLimitMinor: row.fine_limit_minor,
    },
    manualBlocks: blocks.map((b) => ({ id: b.id, reason: b.reason, createdAt: b.created_at })),
  };
}

/** Refuses a card that was replaced, naming the day, so the desk asks for the current card. */
export function cardReplacedError(barcode: string, replacedAt: string | null): AppError {
  const day = replacedAt?.slice(0, 10) ?? 'an earlier day';
  return new AppError(
    'PATRON_CARD_REPLACED',
    `This card was replaced on ${day}; ask for the patron's current card`,
    { cardBarcode: barcode, replacedAt },
  );
}

/**
 * The patron holding the card `cardBarcode`, in the caller's transaction: two indexed queries (the
 * card with its patron and category, then the blocks in force). Refuses an unknown card
 * (PATRON_NOT_FOUND), a replaced one (PATRON_CARD_REPLACED) and a patron record no longer in use,
 * merged or deleted (PATRON_INACTIVE).
 */
export async function patronByCard(trx: Executor, cardBarcode: string): Promise<CirculationPatron> {
  const barcode = cardBarcode.trim();
  const row = await repo.findCirculationByCard(trx, barcode);
  if (!row) fail('PATRON_NOT_FOUND', `No patron has the card ${barcode}`, { cardBarcode: barcode });
  if (row.card_status !== 'active') throw cardReplacedError(barcode, row.card_replaced_at);
  if (row.status !== 'active')
    fail('PATRON_INACTIVE', 'This patron record is no longer in use; look the patron up by name', {
      patronId: row.id,
    });
  return withBlocks(trx, row);
}

/** The patron with the id, whatever their status, in the caller's transaction (PATRON_NOT_FOUND when none). */
export async function patronById(trx: Executor, id: string): Promise<CirculationPatron> {
  const row = await repo.findCirculationById(trx, id);
  if (!row) fail('PATRON_NOT_FOUND', `No patron has the id ${id}`, { patronId: id });
  return withBlocks(trx, row);
}
