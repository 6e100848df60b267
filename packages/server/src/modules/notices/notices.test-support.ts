import type { Executor } from '../../db/database.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { NoticePatron } from './notice-service.ts';

/**
 * Test support for the notices module (not shipped code): minimal patron rows, until the patrons
 * module's factories exist, and a real SMTP server on loopback that keeps what it receives.
 */

/** A patron as notices see it, plus their home branch. */
export interface TestPatron extends NoticePatron {
  homeBranchId: string;
}

/** Inserts a patron category (once) and a patron with just the columns the schema requires. */
export async function insertTestPatron(
  app: { database: { db: Executor }; clock: Clock },
  p: {
    firstName: string;
    lastName: string;
    email?: string | null;
    language?: string;
    noticeChannel?: 'email' | 'print';
    address?: string | null;
    branchId: string;
  },
): Promise<TestPatron> {
  const db = app.database.db;
  const now = app.clock.now();
  const at = now.toISOString();
  await db
    .insertInto('patron_categories')
    .values({
      code: 'NOTICETEST',
      name: 'Notice test patrons',
      loan_limit: 10,
      fine_limit_minor: null,
      enrolment_months: 12,
      age_min: null,
      age_max: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  const id = newId(now.getTime());
  const patron = {
    id,
    firstName: p.firstName,
    lastName: p.lastName,
    email: p.email ?? null,
    language: p.language ?? 'en',
    noticeChannel: p.noticeChannel ?? 'email',
    homeBranchId: p.branchId,
  };
  await db
    .insertInto('patrons')
    .values({
      id,
      card_barcode: `2${id.replace(/\D/g, '').slice(-13)}`,
      first_name: p.firstName,
      last_name: p.lastName,
      name_key: `${p.lastName} ${p.firstName}`.toLowerCase(),
      birth_date: null,
      email: patron.email,
      email_key: patron.email?.toLowerCase() ?? null,
      phone: null,
      address: p.address ?? null,
      category_code: 'NOTICETEST',
      home_branch_id: p.branchId,
      pin_hash: null,
      expires_on: '2030-01-01',
      notes: null,
      guarantor_id: null,
      notice_channel: patron.noticeChannel,
      language: patron.language,
      keep_history: false,
      status: 'active',
      merged_into_id: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return patron;
}

export { closedPort, SMTP_PASSWORD, SMTP_USER, startSmtpServer } from '../../../test/smtp-server.ts';
