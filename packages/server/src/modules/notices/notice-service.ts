import type { Executor } from '../../db/database.ts';
import type { NoticeRow, NoticeTemplateRow } from '../../db/schema.ts';
import type { Actor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { Logger } from '../../kernel/logger.ts';
import { recordAudit } from '../audit/index.ts';
import { BUILT_IN_TEMPLATES, FALLBACK_LANGUAGE, type TemplateText } from './builtin-templates.ts';
import type { NoticeErrorCode } from './errors.ts';
import {
  isNoticeKind,
  NOTICE_KINDS,
  type NoticeKind,
  type NoticePlaceholders,
  placeholdersFor,
  sampleData,
} from './notice-kinds.ts';
import { noticeLettersPdf } from './notice-pdf.ts';
import * as repo from './notice-repository.ts';
import { renderTemplate, templateProblems } from './notice-template.ts';
import { describeSendError, type Mailer, smtpEndpoint, smtpMailer } from './smtp-mailer.ts';

/** How a notice reaches the patron. */
export type NoticeChannel = 'email' | 'print';

/** Where a notice is in the outbox. */
export type NoticeStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'printed';

/** One notice in the outbox, with its text as it was when queued. */
export interface Notice {
  id: string;
  patronId: string;
  kind: NoticeKind;
  channel: NoticeChannel;
  language: string;
  recipient: string | null;
  subject: string;
  body: string;
  dedupeKey: string;
  status: NoticeStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  messageId: string;
  sentAt: string | null;
  createdAt: string;
}

/** What a caller knows of the patron a notice goes to (the patrons module's record, in short). */
export interface NoticePatron {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  language: string;
  noticeChannel: 'email' | 'print';
}

/** A notice to queue. */
export interface NewNotice {
  patron: NoticePatron;
  kind: NoticeKind;
  /** What the notice is about, e.g. `overdue1:<loanId>`; a second enqueue with the same key is a no-op. */
  dedupeKey: string;
  /** Placeholder values; arrays of objects for list blocks. See {@link placeholdersFor}. */
  data: Record<string, unknown>;
  /** The branch that sends the notice (signs it), when there is one. */
  branch?: { name: string; email?: string | null; phone?: string | null } | null;
}

/** A template in force: the library's own wording or the built-in one. */
export interface NoticeTemplate {
  kind: NoticeKind;
  language: string;
  subject: string;
  body: string;
  source: 'custom' | 'built-in';
  updatedAt: string | null;
  placeholders: NoticePlaceholders;
}

/** What one run of {@link NoticeService.sendDue} did. */
export interface SendResult {
  sent: number;
  /** Gave up on these after the last attempt. */
  failed: number;
  /** Failed this time; tried again later. */
  retrying: number;
  /** Why nothing was sent although e-mail notices wait (mail is not set up). */
  notSent?: string;
}

/** The settings the notices module reads. */
export interface NoticeSettings {
  /** `smtp://user:pass@host:587`; unset keeps e-mail notices waiting. */
  smtp_url: string | undefined;
  /** The From address of notice e-mail, e.g. `Main Library <notices@library.example>`. */
  notice_from: string | undefined;
}

/** Minutes to wait after the 1st, 2nd, … failed attempt; after the 6th the notice has failed. */
export const RETRY_DELAYS_MINUTES = [1, 5, 30, 120, 720] as const;
/** Attempts before an e-mail notice is given up on. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length + 1;
/**
 * How long a sender holds a claimed notice before another may take it over: long enough for a round
 * of {@link SEND_BATCH} sends against a slow server (a send times out within about 100 s).
 */
export const SEND_LEASE_MINUTES = 10;
const SEND_LEASE_MS = SEND_LEASE_MINUTES * 60_000;
/** Notices claimed per round of sending. */
const SEND_BATCH = 20;

const LANGUAGE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;

function fail(code: NoticeErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

function toNotice(row: NoticeRow): Notice {
  return {
    id: row.id,
    patronId: row.patron_id,
    kind: row.kind as NoticeKind,
    channel: row.channel as NoticeChannel,
    language: row.language,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    dedupeKey: row.dedupe_key,
    status: row.status as NoticeStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    messageId: row.message_id,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

function checkKind(kind: string): asserts kind is NoticeKind {
  if (!isNoticeKind(kind))
    fail('INVALID_NOTICE_KIND', `"${kind}" is not a notice kind (kinds: ${NOTICE_KINDS.join(', ')})`, {
      kind,
    });
}

function checkLanguage(language: string): void {
  if (!LANGUAGE.test(language))
    fail('INVALID_LANGUAGE', `"${language}" is not a language tag such as en, es or pt-br`, { language });
}

/** The languages to look for a template in, best first: `es-mx` → es-mx, es, en. */
export function languageCandidates(language: string): string[] {
  const tag = language.trim().toLowerCase().replace(/_/g, '-');
  const out: string[] = [];
  if (tag !== '') out.push(tag);
  const primary = tag.split('-')[0];
  if (primary && !out.includes(primary)) out.push(primary);
  if (!out.includes(FALLBACK_LANGUAGE)) out.push(FALLBACK_LANGUAGE);
  return out;
}

/** Rendered text tidied for sending: no trailing spaces, at most one blank line in a row, one final newline. */
function tidyBody(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd());
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

function tidySubject(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The domain part of an address like `Name <user@example.org>`, for Message-IDs. */
function mailDomain(from: string | undefined): string {
  const match = from ? /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim()) : null;
  return match?.[1]?.toLowerCase() ?? 'stacks.invalid';
}

function checkTemplate(kind: NoticeKind, text: TemplateText): void {
  const placeholders = placeholdersFor(kind);
  const problems = [
    ...(/[\r\n]/.test(text.subject) ? ['the subject must be one line'] : []),
    ...templateProblems(text.subject, placeholders).map((p) => `subject: ${p}`),
    ...templateProblems(text.body, placeholders).map((p) => `body: ${p}`),
  ];
  if (problems.length > 0) {
    const placeholder = /\{\{[#/]?[A-Za-z][A-Za-z0-9_]*\}\}/.exec(problems[0]!)?.[0];
    fail('INVALID_TEMPLATE', `The template cannot be used: ${problems.join('; ')}`, {
      problems,
      ...(placeholder ? { placeholder } : {}),
    });
  }
}

/**
 * Notices to patrons: templates (built-in English and Spanish, overridable per library and language),
 * the outbox other modules queue into inside their own transaction, the e-mail sender that works the
 * outbox (claiming, retrying with backoff, never losing a notice), and print batches for patrons
 * without e-mail.
 */
export function createNoticeService(deps: {
  db: Executor;
  clock: Clock;
  config: NoticeSettings;
  log: Logger;
  /** How e-mail is sent; default SMTP through nodemailer to `config.smtp_url`. */
  mailer?: (url: string) => Mailer | Promise<Mailer>;
}) {
  const { db, clock, config } = deps;
  const log = deps.log.child({ module: 'notices' });
  const makeMailer = deps.mailer ?? smtpMailer;

  /** The template for `kind` in the first language of `languages` that has one, custom before built-in. */
  async function resolveTemplate(
    trx: Executor,
    kind: NoticeKind,
    languages: readonly string[],
  ): Promise<{ language: string; text: TemplateText; row: NoticeTemplateRow | null }> {
    const custom = await repo.findTemplates(trx, { kind, languages });
    for (const language of languages) {
      const row = custom.find((r) => r.language === language);
      if (row) return { language, text: { subject: row.subject, body: row.body }, row };
      const builtIn = BUILT_IN_TEMPLATES[language]?.[kind];
      if (builtIn) return { language, text: builtIn, row: null };
    }
    // The fallback language always has a built-in template.
    return { language: FALLBACK_LANGUAGE, text: BUILT_IN_TEMPLATES[FALLBACK_LANGUAGE]![kind], row: null };
  }

  function toTemplate(kind: NoticeKind, language: string, text: TemplateText, row: NoticeTemplateRow | null) {
    return {
      kind,
      language,
      subject: text.subject,
      body: text.body,
      source: row ? 'custom' : 'built-in',
      updatedAt: row?.updated_at ?? null,
      placeholders: placeholdersFor(kind),
    } satisfies NoticeTemplate;
  }

  async function getNotice(id: string): Promise<Notice> {
    const row = await repo.findNoticeById(db, id);
    if (!row) fail('NOTICE_NOT_FOUND', `No notice has the id ${id}`, { noticeId: id });
    return toNotice(row);
  }

  async function getTemplate(kind: string, language: string): Promise<NoticeTemplate> {
    checkKind(kind);
    checkLanguage(language);
    const [row] = await repo.findTemplates(db, { kind, languages: [language] });
    const text = row ?? BUILT_IN_TEMPLATES[language]?.[kind];
    if (!text)
      fail('NOTICE_TEMPLATE_NOT_FOUND', `There is no ${kind} template in ${language}`, { kind, language });
    return toTemplate(kind, language, { subject: text.subject, body: text.body }, row ?? null);
  }

  async function sendRound(url: string, from: string, mailer: Mailer, result: SendResult): Promise<number> {
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + SEND_LEASE_MS).toISOString();
    const claimed = await repo.claimDueEmails(db, now.toISOString(), leaseUntil, SEND_BATCH);
    for (const row of claimed) {
      const attempts = row.attempts + 1;
      let sendError: unknown = null;
      try {
        await mailer.send({
          from,
          to: row.recipient ?? '',
          subject: row.subject,
          text: row.body,
          messageId: row.message_id,
          date: clock.now(),
        });
      } catch (error) {
        sendError = error ?? new Error('the mail could not be sent');
      }
      if (sendError === null) {
        // Should this write fail, the claim runs out and the notice is sent again with the same
        // Message-ID: at least once, never lost.
        await repo.finishSend(db, row.id, leaseUntil, {
          status: 'sent',
          attempts,
          sent_at: clock.now().toISOString(),
          lease_until: null,
        });
        result.sent++;
      } else if (attempts >= MAX_ATTEMPTS) {
        await repo.finishSend(db, row.id, leaseUntil, {
          status: 'failed',
          attempts,
          last_error: describeSendError(sendError, url),
          lease_until: null,
        });
        result.failed++;
        log.warn({ noticeId: row.id, attempts }, 'notice e-mail failed for good');
      } else {
        const delay = RETRY_DELAYS_MINUTES[attempts - 1]! * 60_000;
        await repo.finishSend(db, row.id, leaseUntil, {
          status: 'pending',
          attempts,
          last_error: describeSendError(sendError, url),
          next_attempt_at: new Date(clock.now().getTime() + delay).toISOString(),
          lease_until: null,
        });
        result.retrying++;
        log.info({ noticeId: row.id, attempts }, 'notice e-mail failed; will retry');
      }
    }
    return claimed.length;
  }

  return {
    /**
     * Queues a notice inside the caller's transaction: renders the template now (so the text is what
     * was true when queued), picks the channel (e-mail when the patron prefers it and has an address,
     * else print) and writes the outbox row. A notice whose dedupe key is queued already is not queued
     * again (`queued: false`); that is never an error.
     */
    async enqueue(
      trx: Executor,
      now: Date,
      n: NewNotice,
    ): Promise<{ queued: boolean; noticeId: string | null }> {
      checkKind(n.kind);
      const { language, text } = await resolveTemplate(trx, n.kind, languageCandidates(n.patron.language));
      const data: Record<string, unknown> = {
        firstName: n.patron.firstName,
        lastName: n.patron.lastName,
        fullName: `${n.patron.firstName} ${n.patron.lastName}`.trim(),
        date: now.toISOString().slice(0, 10),
        branchName: n.branch?.name ?? '',
        branchEmail: n.branch?.email ?? '',
        branchPhone: n.branch?.phone ?? '',
        ...n.data,
      };
      const email = n.patron.email?.trim() ?? '';
      const channel: NoticeChannel = n.patron.noticeChannel === 'email' && email !== '' ? 'email' : 'print';
      const id = newId(now.getTime());
      const queued = await repo.insertNoticeOnce(trx, {
        id,
        patron_id: n.patron.id,
        kind: n.kind,
        channel,
        language,
        recipient: channel === 'email' ? email : `${n.patron.firstName} ${n.patron.lastName}`.trim(),
        subject: tidySubject(renderTemplate(text.subject, data)),
        body: tidyBody(renderTemplate(text.body, data)),
        dedupe_key: n.dedupeKey,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now.toISOString(),
        lease_until: null,
        last_error: null,
        message_id: `<${id}@${mailDomain(config.notice_from)}>`,
        sent_at: null,
        created_at: now.toISOString(),
      });
      return queued ? { queued: true, noticeId: id } : { queued: false, noticeId: null };
    },

    /**
     * Sends the e-mail notices that are due: claims them (so two processes never send the same one),
     * sends each with its stable Message-ID, and marks it sent; a failure is retried after 1 min, 5 min,
     * 30 min, 2 h and 12 h, and the notice fails after the sixth attempt. A sender that stopped
     * mid-send leaves its claim to expire, after which the notice is sent again. Without `SMTP_URL`
     * (or `NOTICE_FROM`) nothing is sent and notices keep waiting.
     */
    async sendDue(): Promise<SendResult> {
      const result: SendResult = { sent: 0, failed: 0, retrying: 0 };
      const url = config.smtp_url;
      const from = config.notice_from;
      if (url === undefined || from === undefined) {
        const waiting = await repo.countDueEmails(db, clock.now().toISOString());
        if (waiting > 0)
          result.notSent = `${waiting} e-mail notice${waiting === 1 ? '' : 's'} wait${waiting === 1 ? 's' : ''}: set ${url === undefined ? 'SMTP_URL' : 'NOTICE_FROM'} to send them`;
        return result;
      }
      const endpoint = smtpEndpoint(url);
      const mailer = await makeMailer(url);
      try {
        // Round after round until nothing is due; a notice that failed is due again only later.
        let claimed: number;
        do claimed = await sendRound(url, from, mailer, result);
        while (claimed === SEND_BATCH);
      } finally {
        mailer.close();
      }
      if (result.sent + result.failed + result.retrying > 0)
        log.info({ smtp: endpoint, ...result }, 'notices sent');
      return result;
    },

    /**
     * A PDF of every pending print notice (of patrons of `branchId`, when given), one page each, and
     * those notices marked printed in the same transaction: printed once, even when two desks print at
     * the same time. Refused with NOTHING_TO_PRINT when none wait.
     */
    async printBatch(actor: Actor, options: { branchId?: string } = {}): Promise<Buffer> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const waiting = await repo.findPendingPrints(trx, options.branchId);
        const marked = new Set(
          await repo.markPrinted(
            trx,
            waiting.map((n) => n.id),
            now.toISOString(),
          ),
        );
        const letters = waiting
          .filter((n) => marked.has(n.id))
          .map((n) => ({
            name: `${n.first_name} ${n.last_name}`.trim(),
            address: n.address,
            date: now.toISOString().slice(0, 10),
            subject: n.subject,
            body: n.body,
          }));
        if (letters.length === 0)
          fail('NOTHING_TO_PRINT', 'No print notices are waiting', { branchId: options.branchId ?? null });
        await recordAudit(trx, now, actor, {
          action: 'notice.print_batch',
          entityType: 'notice',
          changes: { count: letters.length, branchId: options.branchId ?? null, noticeIds: [...marked] },
        });
        return noticeLettersPdf(letters, now);
      });
    },

    /** Notices in the outbox, newest first; page with `before` = the last id seen. */
    async list(q: {
      status?: NoticeStatus;
      patronId?: string;
      kind?: NoticeKind;
      before?: string;
      limit?: number;
    }): Promise<Notice[]> {
      return (await repo.findNotices(db, { ...q, limit: Math.min(q.limit ?? 100, 500) })).map(toNotice);
    },

    /** A patron's notices, newest first. */
    async listForPatron(patronId: string, q: { before?: string; limit?: number } = {}): Promise<Notice[]> {
      return (await repo.findNotices(db, { ...q, patronId, limit: Math.min(q.limit ?? 100, 500) })).map(
        toNotice,
      );
    },

    /** One notice. */
    getNotice,

    /** Queues a failed notice again with a fresh set of attempts, due now. */
    async retry(actor: Actor, id: string): Promise<Notice> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await repo.findNoticeById(trx, id);
        if (!row) fail('NOTICE_NOT_FOUND', `No notice has the id ${id}`, { noticeId: id });
        if (!(await repo.requeueFailed(trx, id, now.toISOString())))
          fail('NOTICE_NOT_RETRYABLE', `Only a failed notice can be retried; this one is ${row.status}`, {
            noticeId: id,
            status: row.status,
          });
        await recordAudit(trx, now, actor, {
          action: 'notice.retried',
          entityType: 'notice',
          entityId: id,
          changes: { attempts: row.attempts, lastError: row.last_error },
        });
      });
      return getNotice(id);
    },

    /**
     * Every template in force: for each kind, the built-in English and Spanish ones or the library's
     * own in their place, and the library's templates in any other language.
     */
    async listTemplates(): Promise<NoticeTemplate[]> {
      const custom = await repo.findTemplates(db);
      const out: NoticeTemplate[] = [];
      for (const kind of NOTICE_KINDS) {
        const languages = new Set([
          ...Object.keys(BUILT_IN_TEMPLATES),
          ...custom.filter((r) => r.kind === kind).map((r) => r.language),
        ]);
        for (const language of [...languages].sort()) {
          const row = custom.find((r) => r.kind === kind && r.language === language) ?? null;
          const text = row ?? BUILT_IN_TEMPLATES[language]?.[kind];
          if (text) out.push(toTemplate(kind, language, { subject: text.subject, body: text.body }, row));
        }
      }
      return out;
    },

    /** The template in force for a kind and language (the library's own, else the built-in one). */
    getTemplate,

    /**
     * Saves the library's wording for a kind and language. Refused with INVALID_TEMPLATE naming the
     * problem when it uses a placeholder the kind does not have or a list block is not closed.
     */
    async putTemplate(
      actor: Actor,
      kind: string,
      language: string,
      text: { subject: string; body: string },
    ): Promise<NoticeTemplate> {
      checkKind(kind);
      checkLanguage(language);
      checkTemplate(kind, text);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const [before] = await repo.findTemplates(trx, { kind, languages: [language] });
        await repo.upsertTemplate(trx, {
          kind,
          language,
          subject: text.subject,
          body: text.body,
          updated_at: now.toISOString(),
        });
        await recordAudit(trx, now, actor, {
          action: 'notice_template.saved',
          entityType: 'notice_template',
          entityId: `${kind}:${language}`,
          changes: {
            from: before ? { subject: before.subject, body: before.body } : null,
            to: { subject: text.subject, body: text.body },
          },
        });
      });
      return getTemplate(kind, language);
    },

    /** Removes the library's wording; the built-in template (if any) applies again. */
    async deleteTemplate(actor: Actor, kind: string, language: string): Promise<void> {
      checkKind(kind);
      checkLanguage(language);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const [before] = await repo.findTemplates(trx, { kind, languages: [language] });
        if (!before || !(await repo.deleteTemplate(trx, kind, language)))
          fail('NOTICE_TEMPLATE_NOT_FOUND', `The library has no ${kind} template of its own in ${language}`, {
            kind,
            language,
          });
        await recordAudit(trx, now, actor, {
          action: 'notice_template.deleted',
          entityType: 'notice_template',
          entityId: `${kind}:${language}`,
          changes: { subject: before.subject, body: before.body },
        });
      });
    },

    /**
     * A template filled in with sample data (or `data`): the given wording, checked as when saving, or
     * the one in force for the language.
     */
    async previewTemplate(input: {
      kind: string;
      language?: string;
      subject?: string;
      body?: string;
      data?: Record<string, unknown>;
    }): Promise<{ subject: string; body: string }> {
      const { kind } = input;
      checkKind(kind);
      if (input.language !== undefined) checkLanguage(input.language);
      const inForce = await resolveTemplate(
        db,
        kind,
        languageCandidates(input.language ?? FALLBACK_LANGUAGE),
      );
      const text = { subject: input.subject ?? inForce.text.subject, body: input.body ?? inForce.text.body };
      checkTemplate(kind, text);
      const data = { ...sampleData(kind), ...input.data };
      return {
        subject: tidySubject(renderTemplate(text.subject, data)),
        body: tidyBody(renderTemplate(text.body, data)),
      };
    },
  };
}

/** The notices service. */
export type NoticeService = ReturnType<typeof createNoticeService>;
