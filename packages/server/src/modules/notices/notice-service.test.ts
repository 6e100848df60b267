import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import { fixedClock } from '../../kernel/clock.ts';
import type { Branch } from '../branches/index.ts';
import { insertTestPatron, type TestPatron } from './notices.test-support.ts';

const ITEMS = [
  { title: 'Kindred', dueDate: '2026-12-01', daysOverdue: 7 },
  { title: 'Beloved', dueDate: '2026-12-03', daysOverdue: 5 },
];

/**
 * The text a pdfkit PDF shows, one line per text-showing operator: its content streams inflated and the
 * hex strings of each TJ joined (pdfkit writes standard-font text as WinAnsi hex strings).
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(match[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const tj of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[^\]])*)\]\s*TJ/g))
      lines.push(
        [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)]
          .map((h) => Buffer.from(h[1]!, 'hex').toString('latin1'))
          .join(''),
      );
  }
  return lines.join('\n');
}

describe.each(testDialects())('notices on %s', (dialect) => {
  const clock = fixedClock('2026-12-08T15:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let main: Branch;
  let east: Branch;
  let ada: TestPatron;
  let rosa: TestPatron;
  let paper: TestPatron;
  let east1: TestPatron;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      clock,
      env: { NOTICE_FROM: 'Main Library <notices@library.example>' },
    });
    main = await makeBranch(t.app, 'MAIN');
    east = await makeBranch(t.app, 'EAST');
    ada = await insertTestPatron(t.app, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      branchId: main.id,
    });
    rosa = await insertTestPatron(t.app, {
      firstName: 'Rosa',
      lastName: 'Núñez',
      email: 'rosa@example.org',
      language: 'es-MX',
      branchId: main.id,
    });
    paper = await insertTestPatron(t.app, {
      firstName: 'Paul',
      lastName: 'Paper',
      email: null,
      noticeChannel: 'email',
      address: '12 Elm Street\nSpringfield, IL 62701',
      branchId: main.id,
    });
    east1 = await insertTestPatron(t.app, {
      firstName: 'Eve',
      lastName: 'Eastside',
      email: 'eve@example.org',
      noticeChannel: 'print',
      address: '1 East Road',
      branchId: east.id,
    });
  });
  afterAll(async () => t.close());
  const notices = () => t.app.services.notices;
  const enqueue = (n: Parameters<ReturnType<typeof notices>['enqueue']>[2]) =>
    t.app.database.db.transaction().execute((trx) => notices().enqueue(trx, clock.now(), n));

  it('renders the notice when queued and queues it once per dedupe key', async () => {
    const first = await enqueue({
      patron: ada,
      kind: 'overdue1',
      dedupeKey: 'overdue1:loan-1',
      data: { items: ITEMS },
      branch: { name: 'Main Library', phone: '555-0100' },
    });
    expect(first.queued).toBe(true);
    const again = await enqueue({
      patron: ada,
      kind: 'overdue1',
      dedupeKey: 'overdue1:loan-1',
      data: { items: [{ title: 'Something else' }] },
    });
    expect(again).toEqual({ queued: false, noticeId: null });
    const rows = await notices().list({ patronId: ada.id });
    expect(rows).toHaveLength(1);
    const [notice] = rows;
    expect(notice).toMatchObject({
      id: first.noticeId,
      kind: 'overdue1',
      channel: 'email',
      language: 'en',
      recipient: 'ada@example.org',
      subject: 'Overdue: please return your items',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: '2026-12-08T15:00:00.000Z',
      messageId: `<${first.noticeId}@library.example>`,
    });
    expect(notice!.body).toBe(
      'Dear Ada Lovelace,\n\nOur records show these items are overdue:\n\n' +
        '- Kindred (was due 2026-12-01, 7 days overdue)\n- Beloved (was due 2026-12-03, 5 days overdue)\n\n' +
        'Please return or renew them as soon as you can.\n\nMain Library\n555-0100\n',
    );
  });

  it('queues inside the caller’s transaction: a rollback leaves no notice', async () => {
    const before = await rowCounts(t.app.database.db);
    await expect(
      t.app.database.db.transaction().execute(async (trx) => {
        await notices().enqueue(trx, clock.now(), {
          patron: ada,
          kind: 'courtesy',
          dedupeKey: 'courtesy:rolled-back',
          data: { items: ITEMS },
        });
        throw new Error('the checkout failed after queueing');
      }),
    ).rejects.toThrow('checkout failed');
    expect(await rowCounts(t.app.database.db)).toEqual(before);
  });

  it('writes to a Spanish-speaking patron in Spanish, and falls back to English for other languages', async () => {
    await enqueue({
      patron: rosa,
      kind: 'hold_available',
      dedupeKey: 'hold:rosa',
      data: { title: 'Kindred', pickupBranch: 'Main', pickUpBy: '2026-12-15' },
    });
    const [spanish] = await notices().list({ patronId: rosa.id });
    expect(spanish).toMatchObject({ language: 'es', subject: 'Su reserva está lista: Kindred' });
    expect(spanish!.body).toContain('Estimado/a Rosa Núñez:');
    expect(spanish!.body).toContain('Por favor, recójalo antes del 2026-12-15.');

    const french = { ...ada, id: ada.id, language: 'fr' };
    await enqueue({
      patron: french,
      kind: 'card_replaced',
      dedupeKey: 'card:ada',
      data: { cardBarcode: '20001' },
    });
    const [english] = await notices().list({ patronId: ada.id, kind: 'card_replaced' });
    expect(english).toMatchObject({ language: 'en', subject: 'Your new library card' });
  });

  it('prints for a patron without an e-mail address or who prefers paper', async () => {
    await enqueue({ patron: paper, kind: 'overdue2', dedupeKey: 'overdue2:paper', data: { items: ITEMS } });
    await enqueue({
      patron: east1,
      kind: 'lost',
      dedupeKey: 'lost:eve',
      data: { total: '$32.00', items: [{ title: 'The Dispossessed', amount: '$32.00' }] },
    });
    const [p] = await notices().list({ patronId: paper.id });
    const [e] = await notices().list({ patronId: east1.id });
    expect(p).toMatchObject({ channel: 'print', recipient: 'Paul Paper' });
    expect(e).toMatchObject({ channel: 'print', recipient: 'Eve Eastside' });
  });

  it('uses the library’s own template over the built-in one, and the built-in one again once it is deleted', async () => {
    const saved = await notices().putTemplate(testActor, 'hold_available', 'es', {
      subject: '¡{{title}} le espera!',
      body: 'Hola {{firstName}}, recoja {{title}} en {{pickupBranch}}.',
    });
    expect(saved).toMatchObject({ source: 'custom', language: 'es', updatedAt: '2026-12-08T15:00:00.000Z' });
    await enqueue({
      patron: rosa,
      kind: 'hold_available',
      dedupeKey: 'hold:rosa:2',
      data: { title: 'Beloved', pickupBranch: 'Este' },
    });
    const [latest] = await notices().list({ patronId: rosa.id, limit: 1 });
    expect(latest).toMatchObject({
      subject: '¡Beloved le espera!',
      body: 'Hola Rosa, recoja Beloved en Este.\n',
    });

    const list = await notices().listTemplates();
    expect(list.filter((x) => x.kind === 'hold_available').map((x) => [x.language, x.source])).toEqual([
      ['en', 'built-in'],
      ['es', 'custom'],
    ]);
    const audit = await t.app.services.audit.list({ entityType: 'notice_template', limit: 5 });
    expect(audit.map((a) => a.action)).toEqual(['notice_template.saved']);

    await notices().deleteTemplate(testActor, 'hold_available', 'es');
    expect((await notices().getTemplate('hold_available', 'es')).source).toBe('built-in');
    await expect(notices().deleteTemplate(testActor, 'hold_available', 'es')).rejects.toMatchObject({
      code: 'NOTICE_TEMPLATE_NOT_FOUND',
    });
    await expect(notices().getTemplate('hold_available', 'fr')).rejects.toMatchObject({
      code: 'NOTICE_TEMPLATE_NOT_FOUND',
    });
    // A language with no built-in wording can have the library's own.
    await notices().putTemplate(testActor, 'card_replaced', 'fr', {
      subject: 'Nouvelle carte',
      body: 'Bonjour {{firstName}}',
    });
    expect((await notices().getTemplate('card_replaced', 'fr')).source).toBe('custom');
  });

  it.each([
    [{ subject: 'Hi {{nickname}}', body: 'x' }, '{{nickname}}'],
    [{ subject: 'Overdue', body: '{{#items}}- {{title}}' }, '{{#items}}'],
    [{ subject: 'Overdue', body: '{{#charges}}{{amount}}{{/charges}}' }, '{{#charges}}'],
    [{ subject: 'Two\nlines', body: 'x' }, undefined],
  ])('refuses the template %o with INVALID_TEMPLATE and saves nothing', async (text, placeholder) => {
    const before = await rowCounts(t.app.database.db);
    const refusal = notices().putTemplate(testActor, 'overdue1', 'en', text);
    await expect(refusal).rejects.toMatchObject({
      code: 'INVALID_TEMPLATE',
      ...(placeholder ? { details: expect.objectContaining({ placeholder }) } : {}),
    });
    await refusal.catch((error: Error) => {
      if (placeholder) expect(error.message).toContain(placeholder);
    });
    expect(await rowCounts(t.app.database.db)).toEqual(before);
  });

  it('refuses unknown kinds and malformed languages', async () => {
    await expect(notices().getTemplate('birthday', 'en')).rejects.toMatchObject({
      code: 'INVALID_NOTICE_KIND',
    });
    await expect(
      notices().putTemplate(testActor, 'courtesy', 'English!', { subject: 'x', body: 'y' }),
    ).rejects.toMatchObject({ code: 'INVALID_LANGUAGE' });
  });

  it('previews a template with sample data, or with the data given', async () => {
    const preview = await notices().previewTemplate({ kind: 'courtesy', language: 'es' });
    expect(preview.subject).toBe('Vencen pronto: materiales en préstamo');
    expect(preview.body).toContain('- The Left Hand of Darkness (vence el 2026-12-01)');
    const own = await notices().previewTemplate({
      kind: 'fines_bill',
      subject: 'You owe {{total}}',
      body: '{{#charges}}{{description}} {{amount}}\n{{/charges}}',
      data: { total: '$1.00', charges: [{ description: 'Overdue', amount: '$1.00' }] },
    });
    expect(own).toEqual({ subject: 'You owe $1.00', body: 'Overdue $1.00\n' });
    await expect(
      notices().previewTemplate({ kind: 'fines_bill', body: '{{#charges}}' }),
    ).rejects.toMatchObject({ code: 'INVALID_TEMPLATE' });
  });

  it('prints a branch’s pending print notices as a PDF, one page each, and marks them printed once', async () => {
    const pdf = await notices().printBatch(testActor, { branchId: main.id });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1);
    const text = pdfText(pdf);
    expect(text).toContain('Paul Paper');
    expect(text).toContain('12 Elm Street');
    expect(text).toContain('Springfield, IL 62701');
    expect(text).toContain('2026-12-08');
    expect(text).toContain('Second notice: overdue items');
    expect(text).toContain('Kindred (was due 2026-12-01, 7 days overdue)');
    expect(text).not.toContain('Eve Eastside');
    const [printed] = await notices().list({ patronId: paper.id });
    expect(printed).toMatchObject({ status: 'printed', sentAt: '2026-12-08T15:00:00.000Z' });
    const [eve] = await notices().list({ patronId: east1.id });
    expect(eve!.status).toBe('pending');
    const [audit] = await t.app.services.audit.list({ entityType: 'notice', limit: 1 });
    expect(audit).toMatchObject({ action: 'notice.print_batch', changes: { count: 1 } });

    const before = await rowCounts(t.app.database.db);
    await expect(notices().printBatch(testActor, { branchId: main.id })).rejects.toMatchObject({
      code: 'NOTHING_TO_PRINT',
    });
    expect(await rowCounts(t.app.database.db)).toEqual(before);
    // Without a branch, every branch's letters.
    const all = await notices().printBatch(testActor);
    expect(all.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(pdfText(all)).toContain('Eve Eastside');
    expect((await notices().list({ patronId: east1.id }))[0]!.status).toBe('printed');
  });

  it('lists the outbox newest first with filters and paging', async () => {
    const all = await notices().list({});
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect([...all].sort((a, b) => (a.id < b.id ? 1 : -1)).map((n) => n.id)).toEqual(all.map((n) => n.id));
    const page1 = await notices().list({ limit: 2 });
    const page2 = await notices().list({ limit: 2, before: page1[1]!.id });
    expect([...page1, ...page2].map((n) => n.id)).toEqual(all.slice(0, 4).map((n) => n.id));
    expect((await notices().list({ status: 'printed' })).map((n) => n.patronId).sort()).toEqual(
      [paper.id, east1.id].sort(),
    );
    expect((await notices().listForPatron(rosa.id)).every((n) => n.patronId === rosa.id)).toBe(true);
  });

  it('retries only a failed notice', async () => {
    const [pending] = await notices().list({ patronId: ada.id, kind: 'overdue1' });
    await expect(notices().retry(testActor, pending!.id)).rejects.toMatchObject({
      code: 'NOTICE_NOT_RETRYABLE',
      details: { status: 'pending' },
    });
    await expect(notices().retry(testActor, '01900000-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOTICE_NOT_FOUND',
    });
  });
});
