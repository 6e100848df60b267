import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { insertPatron } from '../../modules/fines/test-fixtures.ts';

const UNKNOWN = '01900000-0000-7000-8000-000000000000';

describe.each(testDialects())('fines routes on %s', (dialect) => {
  const clock = fixedClock('2026-11-30T14:00:00.000Z');
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let desk: string;
  let supervisor: string;
  let reader: string;
  let patron: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, { clock });
    await makeStaffUser(s.app, 'desk', ['patrons.read', 'fines.collect']);
    await makeStaffUser(s.app, 'super', ['patrons.read', 'fines.collect', 'fines.waive']);
    await makeStaffUser(s.app, 'reader', ['patrons.read']);
    desk = await s.login('desk');
    supervisor = await s.login('super');
    reader = await s.login('reader');
    patron = await insertPatron(s.app, { first: 'Ada', last: 'Lovelace' });
    await s.app.database.db.transaction().execute((trx) =>
      s.app.services.fines.postCharge(
        trx,
        clock.now(),
        { type: 'system', name: 'test' },
        {
          patronId: patron,
          kind: 'overdue',
          amountMinor: 350,
          description: 'Overdue: Dune',
        },
      ),
    );
    clock.advance(60_000);
  });
  afterAll(async () => s.close());

  const post = (cookie: string, url: string, payload: object, headers: Record<string, string> = {}) =>
    s.as(cookie, { method: 'POST', url, payload, headers });
  const get = (cookie: string, url: string) => s.as(cookie, { method: 'GET', url });

  it('takes a fee and a payment, retried with an Idempotency-Key, and prints its receipt', async () => {
    const fee = await post(desk, `/api/patrons/${patron}/fees`, {
      kind: 'damage',
      amountMinor: 1200,
      description: 'Torn cover',
    });
    expect(fee.statusCode).toBe(201);
    expect(fee.json()).toMatchObject({ kind: 'damage', amountMinor: 1200, currency: 'USD' });
    clock.advance(60_000);

    const before = await rowCounts(s.app.database.db);
    const pay = () =>
      post(
        desk,
        `/api/patrons/${patron}/payments`,
        { amountMinor: 500, method: 'cash' },
        { 'idempotency-key': 'till-7' },
      );
    const first = await pay();
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ method: 'cash', balanceAfterMinor: 1050 });
    expect(first.json().applied.map((a: { amountMinor: number }) => a.amountMinor)).toEqual([350, 150]);
    const afterFirst = await rowCounts(s.app.database.db);
    expect(afterFirst.account_lines).toBe(before.account_lines! + 1);
    const again = await pay();
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await rowCounts(s.app.database.db)).toEqual(afterFirst);

    const differing = await post(
      desk,
      `/api/patrons/${patron}/payments`,
      { amountMinor: 5, method: 'cash', idempotencyKey: 'a' },
      { 'idempotency-key': 'b' },
    );
    expect(differing.statusCode).toBe(400);
    expect(differing.json().error.code).toBe('INVALID_IDEMPOTENCY_KEY');

    const account = await get(desk, `/api/patrons/${patron}/account`);
    expect(account.statusCode).toBe(200);
    expect(account.json().totals).toEqual({
      balanceMinor: 1050,
      outstandingMinor: 1050,
      creditMinor: 0,
      disputedMinor: 0,
    });
    expect(account.json().lines.map((l: { kind: string }) => l.kind)).toEqual([
      'payment',
      'damage',
      'overdue',
    ]);

    const payment = await get(desk, `/api/payments/${first.json().line.id}`);
    expect(payment.json().receiptNumber).toBe(first.json().receiptNumber);
    const receipt = await get(desk, `/api/payments/${first.json().line.id}/receipt.pdf`);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/pdf');
    expect(receipt.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await get(desk, `/api/payments/${UNKNOWN}/receipt.pdf`)).statusCode).toBe(404);
  });

  it('disputes a charge, refuses a second dispute and a second resolution with 409', async () => {
    const account = (await get(desk, `/api/patrons/${patron}/account`)).json();
    const damage = account.lines.find((l: { kind: string }) => l.kind === 'damage');
    const opened = await post(desk, `/api/patrons/${patron}/disputes`, {
      chargeIds: [damage.id],
      complaint: 'The cover was torn when I borrowed it',
    });
    expect(opened.statusCode).toBe(201);
    const dispute = opened.json();
    expect(dispute).toMatchObject({ status: 'open', outstandingMinor: 1050 });

    const twice = await post(desk, `/api/patrons/${patron}/disputes`, {
      chargeIds: [damage.id],
      complaint: 'again',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('CHARGE_ALREADY_DISPUTED');

    const note = await post(desk, `/api/disputes/${dispute.id}/notes`, {
      text: 'Photo from checkout attached',
    });
    expect(note.statusCode).toBe(201);
    expect(note.json().notes).toHaveLength(1);
    expect((await get(reader, `/api/patrons/${patron}/disputes`)).json()).toHaveLength(1);
    expect((await get(reader, `/api/disputes/${dispute.id}`)).json().id).toBe(dispute.id);

    expect(
      (await post(desk, `/api/disputes/${dispute.id}/resolve`, { outcome: 'waived_whole', resolution: 'ok' }))
        .statusCode,
    ).toBe(403);
    const resolved = await post(supervisor, `/api/disputes/${dispute.id}/resolve`, {
      outcome: 'waived_part',
      amountMinor: 600,
      resolution: 'Half the damage was there before',
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'waived_part', waivedMinor: 600, outstandingMinor: 450 });
    const again = await post(supervisor, `/api/disputes/${dispute.id}/resolve`, {
      outcome: 'upheld',
      resolution: 'changed my mind',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('DISPUTE_CLOSED');
  });

  it('waives, writes off and refuses refunds beyond the credit', async () => {
    const fee = (
      await post(desk, `/api/patrons/${patron}/fees`, {
        kind: 'printing',
        amountMinor: 40,
        description: 'Prints',
      })
    ).json();
    const waiver = await post(supervisor, `/api/patrons/${patron}/waivers`, {
      chargeIds: [fee.id],
      amountMinor: 15,
      reason: 'Printer jammed',
    });
    expect(waiver.statusCode).toBe(201);
    expect(waiver.json()).toMatchObject({
      line: { kind: 'waiver', amountMinor: -15 },
      balanceAfterMinor: 475,
    });
    expect(
      (await post(desk, `/api/patrons/${patron}/waivers`, { chargeIds: [fee.id], reason: 'x' })).statusCode,
    ).toBe(403);
    const refund = await post(supervisor, `/api/patrons/${patron}/refunds`, {
      amountMinor: 1,
      method: 'cash',
      reason: 'none',
    });
    expect(refund.statusCode).toBe(422);
    expect(refund.json().error.code).toBe('REFUND_EXCEEDS_CREDIT');
    const writeOff = await post(supervisor, `/api/patrons/${patron}/write-off`, { reason: 'Moved abroad' });
    expect(writeOff.statusCode).toBe(201);
    expect(writeOff.json()).toMatchObject({
      line: { kind: 'writeoff', amountMinor: -475 },
      balanceAfterMinor: 0,
    });
  });

  it.each([
    [
      'a negative payment',
      'payments',
      { amountMinor: -5, method: 'cash' },
      400,
      'VALIDATION_FAILED',
      /amountMinor/,
    ],
    [
      'a fractional payment',
      'payments',
      { amountMinor: 1.5, method: 'cash' },
      400,
      'VALIDATION_FAILED',
      /integer/,
    ],
    [
      'a zero payment',
      'payments',
      { amountMinor: 0, method: 'cash' },
      400,
      'VALIDATION_FAILED',
      /amountMinor/,
    ],
    ['an unknown method', 'payments', { amountMinor: 5, method: 'gold' }, 400, 'VALIDATION_FAILED', /method/],
    [
      'a payment over the balance',
      'payments',
      { amountMinor: 5, method: 'cash' },
      422,
      'PAYMENT_EXCEEDS_BALANCE',
      /owes/,
    ],
    [
      'a payment for an unknown charge',
      'payments',
      { amountMinor: 5, method: 'cash', chargeIds: [UNKNOWN] },
      404,
      'CHARGE_NOT_FOUND',
      /no charge/,
    ],
    ['a waiver without a reason', 'waivers', { chargeIds: [UNKNOWN] }, 400, 'VALIDATION_FAILED', /reason/],
    [
      'a waiver with a blank reason',
      'waivers',
      { chargeIds: [UNKNOWN], reason: '   ' },
      400,
      'VALIDATION_FAILED',
      /reason/,
    ],
    [
      'a fee of a kind staff do not add',
      'fees',
      { kind: 'overdue', amountMinor: 5, description: 'd' },
      400,
      'VALIDATION_FAILED',
      /kind/,
    ],
    [
      'a dispute about nothing',
      'disputes',
      { chargeIds: [], complaint: 'c' },
      400,
      'VALIDATION_FAILED',
      /chargeIds/,
    ],
  ])('refuses %s and writes nothing', async (_name, path, payload, status, code, message) => {
    const before = await rowCounts(s.app.database.db);
    const res = await post(supervisor, `/api/patrons/${patron}/${path}`, payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message).toMatch(message);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it('answers 404 for an unknown patron and 403 without the permission, writing nothing', async () => {
    const before = await rowCounts(s.app.database.db);
    const missing = await get(desk, `/api/patrons/${UNKNOWN}/account`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('PATRON_NOT_FOUND');
    const res = await post(desk, `/api/patrons/${UNKNOWN}/payments`, { amountMinor: 5, method: 'cash' });
    expect(res.json().error.code).toBe('PATRON_NOT_FOUND');
    expect(
      (await post(reader, `/api/patrons/${patron}/payments`, { amountMinor: 5, method: 'cash' })).statusCode,
    ).toBe(403);
    expect(
      (
        await post(reader, `/api/patrons/${patron}/fees`, {
          kind: 'manual',
          amountMinor: 5,
          description: 'd',
        })
      ).statusCode,
    ).toBe(403);
    expect((await post(desk, `/api/patrons/${patron}/write-off`, { reason: 'r' })).statusCode).toBe(403);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });
});
