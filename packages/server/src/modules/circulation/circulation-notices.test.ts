import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestLibrary, type TestLibrary } from '../../../test/circulation-fixture.ts';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { startSmtpServer } from '../../../test/smtp-server.ts';
import { systemActor } from '../../kernel/actor.ts';
import { fixedClock } from '../../kernel/clock.ts';

const DESK = systemActor('desk');
const DAY = 86_400_000;

describe.each(testDialects())('circulation notices reach patrons on %s', (dialect) => {
  const clock = fixedClock('2026-12-04T15:00:00Z');
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let lib: TestLibrary;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, {
      clock,
      env: { SMTP_URL: smtp.url, NOTICE_FROM: 'Test Library <desk@library.example>' },
    });
    lib = await makeTestLibrary(t.app);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const run = async (name: string) => {
    const outcome = await t.app.services.jobs.runNow(name);
    expect(outcome.outcome, name).toBe('ok');
    return outcome.summary;
  };

  it('an overdue loan gets a courtesy notice, then one overdue notice, each sent once; a debt gets one bill a month', async () => {
    const ann = await lib.patron('Ann');
    const out = await t.app.services.circulation.circulation.checkout(DESK, {
      patronBarcode: ann.cardBarcode,
      itemBarcode: '3000001',
    });
    // A day before the due date: the courtesy notice.
    clock.set(new Date(Date.parse(out.loan.dueAt) - DAY));
    expect(await run('overdue-notices')).toMatchObject({ courtesy: 1 });
    expect(await run('notices-send')).toMatchObject({ sent: 1 });
    // Three days late: the first overdue notice; the job run again queues nothing new.
    clock.set(new Date(Date.parse(out.loan.dueAt) + 3 * DAY));
    expect(await run('overdue-notices')).toMatchObject({ overdue1: 1, courtesy: 0 });
    expect(await run('overdue-notices')).toMatchObject({ overdue1: 0 });
    expect(await run('notices-send')).toMatchObject({ sent: 1 });
    expect(await run('notices-send')).toMatchObject({ sent: 0 });
    expect(smtp.messages).toHaveLength(2);
    const overdue = smtp.messages[1]!;
    expect(overdue.to && 'text' in overdue.to ? overdue.to.text : '').toContain('ann@example.org');
    expect(overdue.text).toContain('A novel');
    expect(overdue.text).toContain('2026-12-26');

    // The fine accrues; the bill goes out once this month.
    await run('fines-accrual');
    expect(await run('fines-bills')).toMatchObject({ billed: 1 });
    expect(await run('fines-bills')).toMatchObject({ billed: 0 });
    await run('notices-send');
    expect(smtp.messages).toHaveLength(3);
    expect(smtp.messages[2]!.text).toMatch(/Overdue: A novel/);
  });
});
