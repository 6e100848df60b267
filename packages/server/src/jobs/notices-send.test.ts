import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/create-test-app.ts';
import { testDialects } from '../../test/dialects.ts';
import { makeBranch } from '../../test/factories.ts';
import { type App, createApp } from '../app.ts';
import { fixedClock } from '../kernel/clock.ts';
import { silentLogger } from '../kernel/logger.ts';
import { createNoticeService, SEND_LEASE_MINUTES } from '../modules/notices/index.ts';
import {
  insertTestPatron,
  startSmtpServer,
  type TestPatron,
} from '../modules/notices/notices.test-support.ts';

const MINUTE = 60_000;
const FROM = 'Main Library <notices@library.example>';

/**
 * The notice outbox across processes: what one process queued another sends, exactly once, whether
 * the first stopped before sending or in the middle of it. Each "process" is an app of its own on the
 * same database.
 */
describe.each(testDialects())('notices-send across processes on %s', (dialect) => {
  const clock = fixedClock('2026-12-08T15:00:00.000Z');
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let ada: TestPatron;
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
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** Another process on the same database. */
  const openProcess = () => createApp(t.config, { clock });

  async function queueOverdue(app: App): Promise<string> {
    const n = ++seq;
    const { noticeId } = await app.database.db.transaction().execute((trx) =>
      app.services.notices.enqueue(trx, clock.now(), {
        patron: ada,
        kind: 'overdue1',
        dedupeKey: `overdue1:loan-${n}`,
        data: { items: [{ title: `Book ${n}`, dueDate: '2026-12-01', daysOverdue: 7 }] },
      }),
    );
    return noticeId!;
  }

  const received = (id: string) => smtp.messages.filter((m) => m.messageId === `<${id}@library.example>`);

  it('acceptance: an overdue notice arrives once, and once after a crash between queueing and sending', async () => {
    const first = await openProcess();
    const sentRightAway = await queueOverdue(first);
    expect(await first.services.jobs.runNow('notices-send')).toMatchObject({
      ran: true,
      summary: { sent: 1 },
    });
    expect(received(sentRightAway)).toHaveLength(1);

    const queuedOnly = await queueOverdue(first);
    await first.close(); // the process ends before it sends
    expect(received(queuedOnly)).toHaveLength(0);

    const second = await openProcess();
    try {
      expect(await second.services.jobs.runNow('notices-send')).toEqual({
        ran: true,
        outcome: 'ok',
        summary: { sent: 1, failed: 0, retrying: 0 },
      });
      expect(await second.services.jobs.runNow('notices-send')).toMatchObject({ summary: { sent: 0 } });
    } finally {
      await second.close();
    }
    expect(received(queuedOnly)).toHaveLength(1);
    expect(received(sentRightAway)).toHaveLength(1);
    const [mail] = received(queuedOnly);
    expect(mail!.subject).toBe('Overdue: please return your items');
    expect(mail!.text).toContain(`- Book ${seq} (was due 2026-12-01, 7 days overdue)`);
  });

  it('acceptance: a notice a process claimed and then died sending is sent once, after the claim expires', async () => {
    const first = await openProcess();
    const id = await queueOverdue(first);
    // This process's mail server never answers: it claims the notice and hangs in the send…
    const hanging = createNoticeService({
      db: first.database.db,
      clock,
      config: { smtp_url: smtp.url, notice_from: FROM },
      log: silentLogger,
      mailer: () => ({ send: () => new Promise<void>(() => {}), close() {} }),
    });
    void hanging.sendDue();
    await expect.poll(async () => (await first.services.notices.getNotice(id)).status).toBe('sending');
    await first.close(); // …and dies there.

    const second = await openProcess();
    try {
      expect(await second.services.jobs.runNow('notices-send')).toMatchObject({ summary: { sent: 0 } });
      clock.advance(SEND_LEASE_MINUTES * MINUTE);
      expect(await second.services.jobs.runNow('notices-send')).toMatchObject({ summary: { sent: 0 } });
      clock.advance(1);
      expect(await second.services.jobs.runNow('notices-send')).toMatchObject({ summary: { sent: 1 } });
      expect(await second.services.jobs.runNow('notices-send')).toMatchObject({ summary: { sent: 0 } });
      expect(await second.services.notices.getNotice(id)).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      await second.close();
    }
    expect(received(id)).toHaveLength(1);
  });

  it('never sends a notice twice when two processes send at the same time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await queueOverdue(t.app));
    const other = await openProcess();
    try {
      const [a, b] = await Promise.all([t.app.services.notices.sendDue(), other.services.notices.sendDue()]);
      expect(a.sent + b.sent).toBe(12);
    } finally {
      await other.close();
    }
    for (const id of ids) expect(received(id)).toHaveLength(1);
  });
});
