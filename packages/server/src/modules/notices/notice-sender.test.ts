import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import { createNoticeService, MAX_ATTEMPTS, RETRY_DELAYS_MINUTES } from './notice-service.ts';
import {
  closedPort,
  insertTestPatron,
  SMTP_PASSWORD,
  startSmtpServer,
  type TestPatron,
} from './notices.test-support.ts';

const MINUTE = 60_000;
const FROM = 'Main Library <notices@library.example>';

/** A logger that keeps every entry as text, to prove what is (not) logged. */
function recordingLogger(lines: string[]): Logger {
  const write = (obj: object, msg?: string) => lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  const log: Logger = { info: write, warn: write, error: write, debug: write, child: () => log };
  return log;
}

describe.each(testDialects())('sending notices on %s', (dialect) => {
  const clock = fixedClock('2026-12-08T15:00:00.000Z');
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let ada: TestPatron;
  let bob: TestPatron;
  let seq = 0;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { clock, env: { SMTP_URL: smtp.url, NOTICE_FROM: FROM } });
    const main = await makeBranch(t.app, 'MAIN');
    ada = await insertTestPatron(t.app, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      branchId: main.id,
    });
    bob = await insertTestPatron(t.app, {
      firstName: 'Bob',
      lastName: 'Bounce',
      email: 'bob@bounce.example',
      branchId: main.id,
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** Queues an overdue notice for `patron` in one app's transaction; returns its id. */
  async function queue(app = t.app, patron = ada): Promise<string> {
    const key = `overdue1:loan-${++seq}`;
    const { noticeId } = await app.database.db.transaction().execute((trx) =>
      app.services.notices.enqueue(trx, clock.now(), {
        patron,
        kind: 'overdue1',
        dedupeKey: key,
        data: { items: [{ title: `Book ${seq}`, dueDate: '2026-12-01', daysOverdue: 7 }] },
        branch: { name: 'Main Library' },
      }),
    );
    return noticeId!;
  }

  const received = (id: string) => smtp.messages.filter((m) => m.messageId === `<${id}@library.example>`);

  it('sends a queued notice once, with its subject, body, recipient and Message-ID', async () => {
    const id = await queue();
    expect(await t.app.services.notices.sendDue()).toEqual({ sent: 1, failed: 0, retrying: 0 });
    const [mail, ...more] = received(id);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('Overdue: please return your items');
    expect(mail!.text).toContain('Dear Ada Lovelace,');
    expect(mail!.text).toContain(`- Book ${seq} (was due 2026-12-01, 7 days overdue)`);
    expect(mail!.to).toMatchObject({ value: [{ address: 'ada@example.org' }] });
    expect(mail!.from).toMatchObject({
      value: [{ address: 'notices@library.example', name: 'Main Library' }],
    });
    const notice = await t.app.services.notices.getNotice(id);
    expect(notice).toMatchObject({ status: 'sent', attempts: 1, sentAt: '2026-12-08T15:00:00.000Z' });

    const count = smtp.messages.length;
    expect(await t.app.services.notices.sendDue()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(smtp.messages.length).toBe(count);
  });

  it('retries a refused notice with backoff, gives up after the last attempt, and sends it when retried by hand', async () => {
    smtp.rejectRecipients((to) => to.endsWith('@bounce.example'));
    const id = await queue(t.app, bob);
    const notices = t.app.services.notices;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await notices.sendDue();
      const notice = await notices.getNotice(id);
      expect(notice.attempts).toBe(attempt);
      expect(notice.lastError).toMatch(/^550 /);
      if (attempt < MAX_ATTEMPTS) {
        expect(result).toEqual({ sent: 0, failed: 0, retrying: 1 });
        const delay = RETRY_DELAYS_MINUTES[attempt - 1]! * MINUTE;
        expect(notice).toMatchObject({
          status: 'pending',
          nextAttemptAt: new Date(clock.now().getTime() + delay).toISOString(),
        });
        // Not due again before its time.
        clock.advance(delay - 1);
        expect(await notices.sendDue()).toEqual({ sent: 0, failed: 0, retrying: 0 });
        clock.advance(1);
      } else {
        expect(result).toEqual({ sent: 0, failed: 1, retrying: 0 });
        expect(notice.status).toBe('failed');
      }
    }
    clock.advance(24 * 60 * MINUTE);
    expect(await notices.sendDue()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(received(id)).toHaveLength(0);

    smtp.rejectRecipients(null);
    expect(await notices.retry(testActor, id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await notices.sendDue()).toMatchObject({ sent: 1 });
    expect(received(id)).toHaveLength(1);
    const [audit] = await t.app.services.audit.list({ entityType: 'notice', entityId: id, limit: 1 });
    expect(audit?.action).toBe('notice.retried');
  });

  it('keeps notices queued while the mail server is down, and never logs the SMTP password', async () => {
    const id = await queue();
    const lines: string[] = [];
    const down = createNoticeService({
      db: t.app.database.db,
      clock,
      config: {
        smtp_url: `smtp://notices:${SMTP_PASSWORD}@127.0.0.1:${await closedPort()}`,
        notice_from: FROM,
      },
      log: recordingLogger(lines),
    });
    expect(await down.sendDue()).toEqual({ sent: 0, failed: 0, retrying: 1 });
    const notice = await down.getNotice(id);
    expect(notice).toMatchObject({ status: 'pending', attempts: 1 });
    expect(notice.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(SMTP_PASSWORD);
    expect(notice.lastError).not.toContain(SMTP_PASSWORD);

    clock.advance(RETRY_DELAYS_MINUTES[0]! * MINUTE);
    expect(await t.app.services.notices.sendDue()).toMatchObject({ sent: 1 });
    expect(received(id)).toHaveLength(1);
  });

  it('leaves e-mail notices pending without SMTP_URL and says why', async () => {
    const id = await queue();
    const unset = createNoticeService({
      db: t.app.database.db,
      clock,
      config: { smtp_url: undefined, notice_from: FROM },
      log: recordingLogger([]),
    });
    expect(await unset.sendDue()).toEqual({
      sent: 0,
      failed: 0,
      retrying: 0,
      notSent: '1 e-mail notice waits: set SMTP_URL to send them',
    });
    expect(await unset.getNotice(id)).toMatchObject({ status: 'pending', attempts: 0 });
    const bad = createNoticeService({
      db: t.app.database.db,
      clock,
      config: { smtp_url: 'http://mail.example', notice_from: FROM },
      log: recordingLogger([]),
    });
    await expect(bad.sendDue()).rejects.toMatchObject({ code: 'INVALID_SMTP_URL' });
    expect(await t.app.services.notices.sendDue()).toMatchObject({ sent: 1 });
  });
});
