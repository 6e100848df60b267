import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';

describe.each(testDialects())('job routes on %s', (dialect) => {
  const clock = fixedClock('2026-12-08T15:00:00.000Z');
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let operator: string;
  let nobody: string;
  beforeAll(async () => {
    s = await createTestServer(dialect, { clock });
    await makeStaffUser(s.app, 'operator', ['jobs.run']);
    await makeStaffUser(s.app, 'nobody', ['patrons.read']);
    operator = await s.login('operator');
    nobody = await s.login('nobody');
    s.app.services.jobs.register({
      name: 'test-fails',
      description: 'always fails',
      schedule: { dailyAt: '02:00' },
      run: async () => {
        throw new Error('no luck');
      },
    });
  });
  afterAll(async () => s.close());

  it('lists the jobs, notices-send among them', async () => {
    expect((await s.as(nobody, { method: 'GET', url: '/api/jobs' })).statusCode).toBe(403);
    const res = await s.as(operator, { method: 'GET', url: '/api/jobs' });
    expect(res.statusCode).toBe(200);
    expect(res.json().find((j: { name: string }) => j.name === 'notices-send')).toEqual({
      name: 'notices-send',
      description: expect.any(String),
      schedule: { everyMinutes: 1 },
      running: false,
      lastStartedAt: null,
      lastFinishedAt: null,
      lastOutcome: null,
      lastSummary: null,
      nextRunAt: '2026-12-08T15:00:00.000Z',
    });
  });

  it('runs a job by hand and answers with its summary or its error', async () => {
    const ok = await s.as(operator, { method: 'POST', url: '/api/jobs/notices-send/run' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ran: true, outcome: 'ok', summary: { sent: 0, failed: 0, retrying: 0 } });
    const failed = await s.as(operator, { method: 'POST', url: '/api/jobs/test-fails/run' });
    expect(failed.json()).toEqual({ ran: true, outcome: 'error: no luck', summary: {} });
    const list = (await s.as(operator, { method: 'GET', url: '/api/jobs' })).json();
    expect(list.find((j: { name: string }) => j.name === 'test-fails')).toMatchObject({
      schedule: { dailyAt: '02:00' },
      lastOutcome: 'error: no luck',
      nextRunAt: '2026-12-09T02:00:00.000Z',
    });
    const unknown = await s.as(operator, { method: 'POST', url: '/api/jobs/no-such-job/run' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('JOB_NOT_FOUND');
    expect((await s.as(nobody, { method: 'POST', url: '/api/jobs/notices-send/run' })).statusCode).toBe(403);
  });

  it('answers 409 while another process holds the job’s lease', async () => {
    await s.app.database.db
      .updateTable('job_leases')
      .set({ holder: 'elsewhere:1', lease_until: '2026-12-08T15:10:00.000Z' })
      .where('name', '=', 'notices-send')
      .execute();
    const res = await s.as(operator, { method: 'POST', url: '/api/jobs/notices-send/run' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('JOB_LEASE_CONFLICT');
    const list = (await s.as(operator, { method: 'GET', url: '/api/jobs' })).json();
    expect(list.find((j: { name: string }) => j.name === 'notices-send').running).toBe(true);
  });
});
