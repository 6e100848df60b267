import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import type { Actor, StaffActor } from '../../kernel/actor.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import type { Account, FinesService } from './index.ts';
import { ledgerProblems } from './index.ts';
import { insertLoan, insertPatron } from './test-fixtures.ts';

function staff(...permissions: string[]): StaffActor {
  return { type: 'staff', id: newId(), username: 'desk', permissions: new Set(permissions), via: 'session' };
}

const desk = staff('patrons.read', 'fines.collect');
const supervisor = staff('patrons.read', 'fines.collect', 'fines.waive');
const system: Actor = { type: 'system', name: 'test' };
const MINUTE = 60_000;

/** The text a PDF shows, from its (deflated) content streams: pdfkit writes standard-font text as hex. */
export function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const source = pdf.toString('latin1');
  const streams = /stream\r?\n([\s\S]*?)\r?\nendstream/g;
  for (let m = streams.exec(source); m; m = streams.exec(source)) {
    let body: string;
    try {
      body = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      body = m[1]!;
    }
    for (const tj of body.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      out.push(
        [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)]
          .map((h) => Buffer.from(h[1]!, 'hex').toString('latin1'))
          .join(''),
      );
    }
  }
  return out.join('\n');
}

describe.each(testDialects())('fines and fees on %s', (dialect) => {
  const clock = fixedClock('2026-11-30T14:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const fines = (): FinesService => t.app.services.fines;
  const db = () => t.app.database.db;

  beforeAll(async () => {
    t = await createTestApp(dialect, { clock, env: { STACKS_CURRENCY: 'EUR' } });
  });
  afterAll(async () => t.close());

  /** Posts a charge the way circulation does: inside a transaction of its own (far below the limits). */
  async function charge(patronId: string, amountMinor: number, kind = 'overdue' as const, extra = {}) {
    clock.advance(MINUTE);
    return db()
      .transaction()
      .execute(
        async (trx) =>
          (await fines().postCharge(trx, clock.now(), system, {
            patronId,
            kind,
            amountMinor,
            description: `${kind} ${amountMinor}`,
            ...extra,
          }))!,
      );
  }

  /** The account, checked: the invariant holds, remaining amounts add up, balanceOf agrees. */
  async function account(patronId: string): Promise<Account> {
    const a = await fines().account(system, patronId);
    const allocations = new Map(a.lines.flatMap((l) => l.allocations).map((x) => [x.id, x]));
    const disputed = new Set(a.lines.filter((l) => l.disputeId !== null).map((l) => l.id));
    expect(ledgerProblems(a.lines, [...allocations.values()], disputed)).toEqual([]);
    expect(a.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(a.totals.balanceMinor);
    expect(a.lines.reduce((s, l) => s + l.outstandingMinor, 0)).toBe(a.totals.balanceMinor);
    const summary = await fines().balanceOf(db(), patronId);
    expect(summary).toEqual({
      balanceMinor: a.totals.balanceMinor,
      disputedMinor: a.totals.disputedMinor,
      creditMinor: a.totals.creditMinor,
    });
    for (const line of a.lines) expect(line.currency).toBe('EUR');
    return a;
  }

  it('partial payment, waiver, dispute upheld: the balance and history add up after each step', async () => {
    const patron = await insertPatron(t.app);
    const overdue = await charge(patron, 300);
    clock.advance(MINUTE);
    const damage = await fines().addFee(desk, patron, {
      kind: 'damage',
      amountMinor: 500,
      description: 'Water damage',
    });
    const manual = await charge(patron, 200, 'manual' as never);
    expect((await account(patron)).totals).toEqual({
      balanceMinor: 1000,
      outstandingMinor: 1000,
      creditMinor: 0,
      disputedMinor: 0,
    });

    clock.advance(MINUTE);
    const payment = await fines().pay(desk, patron, {
      amountMinor: 400,
      method: 'cash',
      note: 'at the desk',
    });
    expect(payment.applied.map((p) => [p.lineId, p.amountMinor])).toEqual([
      [overdue.id, 300],
      [damage.id, 100],
    ]);
    expect(payment).toMatchObject({ method: 'cash', balanceAfterMinor: 600 });
    expect(payment.line).toMatchObject({ kind: 'payment', amountMinor: -400, reason: 'at the desk' });
    expect(payment.receiptNumber).toMatch(/^20261130-[0-9A-F]{8}$/);
    let a = await account(patron);
    expect(a.totals.balanceMinor).toBe(600);
    expect(a.lines.map((l) => [l.kind, l.outstandingMinor])).toEqual([
      ['payment', 0],
      ['manual', 200],
      ['damage', 400],
      ['overdue', 0],
    ]);

    clock.advance(MINUTE);
    const waiver = await fines().waive(supervisor, patron, {
      chargeIds: [damage.id],
      reason: 'Damage was there before',
    });
    expect(waiver.line).toMatchObject({
      kind: 'waiver',
      amountMinor: -400,
      reason: 'Damage was there before',
    });
    expect(waiver.balanceAfterMinor).toBe(200);

    clock.advance(MINUTE);
    const dispute = await fines().openDispute(desk, patron, {
      chargeIds: [manual.id],
      complaint: 'I never printed that',
    });
    expect(dispute).toMatchObject({ status: 'open', chargeIds: [manual.id], outstandingMinor: 200 });
    a = await account(patron);
    expect(a.totals).toMatchObject({ balanceMinor: 200, disputedMinor: 200 });
    expect(a.lines.find((l) => l.id === manual.id)?.disputeId).toBe(dispute.id);
    await fines().addDisputeNote(desk, dispute.id, 'Checked the print log');

    clock.advance(MINUTE);
    const upheld = await fines().resolveDispute(supervisor, dispute.id, {
      outcome: 'upheld',
      resolution: 'The print log shows the job',
    });
    expect(upheld).toMatchObject({
      status: 'upheld',
      waivedMinor: 0,
      resolution: 'The print log shows the job',
    });
    expect(upheld.notes.map((n) => n.text)).toEqual(['Checked the print log']);
    a = await account(patron);
    expect(a.totals).toEqual({ balanceMinor: 200, outstandingMinor: 200, creditMinor: 0, disputedMinor: 0 });
    await expect(
      fines().resolveDispute(supervisor, dispute.id, { outcome: 'waived_whole', resolution: 'again' }),
    ).rejects.toMatchObject({ code: 'DISPUTE_CLOSED' });

    clock.advance(MINUTE);
    await fines().pay(desk, patron, { amountMinor: 200, method: 'card' });
    a = await account(patron);
    expect(a.totals.balanceMinor).toBe(0);
    expect(a.lines.map((l) => l.kind)).toEqual([
      'payment',
      'waiver',
      'payment',
      'manual',
      'damage',
      'overdue',
    ]);
    const actions = (
      await t.app.services.audit.list({ entityType: 'patron', entityId: patron, limit: 20 })
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['fines.charged', 'fines.payment_taken', 'fines.waived']));
  });

  it('dispute waived in part: payments cover disputed charges last and the waiver goes to them', async () => {
    const patron = await insertPatron(t.app);
    const a1 = await charge(patron, 1000);
    const b1 = await charge(patron, 500);
    const dispute = await fines().openDispute(desk, patron, {
      chargeIds: [a1.id, b1.id],
      complaint: 'Was away',
    });
    const c1 = await charge(patron, 200);
    expect(await fines().balanceOf(db(), patron)).toEqual({
      balanceMinor: 1700,
      disputedMinor: 1500,
      creditMinor: 0,
    });

    clock.advance(MINUTE);
    const payment = await fines().pay(desk, patron, { amountMinor: 300, method: 'cash' });
    expect(payment.applied.map((p) => [p.lineId, p.amountMinor])).toEqual([
      [a1.id, 100],
      [c1.id, 200],
    ]);
    expect((await account(patron)).totals).toEqual({
      balanceMinor: 1400,
      outstandingMinor: 1400,
      creditMinor: 0,
      disputedMinor: 1400,
    });

    const before = await rowCounts(db());
    await expect(
      fines().resolveDispute(supervisor, dispute.id, {
        outcome: 'waived_part',
        amountMinor: 1401,
        resolution: 'x',
      }),
    ).rejects.toMatchObject({ code: 'WAIVER_EXCEEDS_OUTSTANDING' });
    await expect(
      fines().resolveDispute(supervisor, dispute.id, { outcome: 'waived_part', resolution: 'no amount' }),
    ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    await expect(
      fines().resolveDispute(desk, dispute.id, { outcome: 'waived_part', amountMinor: 1, resolution: 'x' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await rowCounts(db())).toEqual(before);

    clock.advance(MINUTE);
    const resolved = await fines().resolveDispute(supervisor, dispute.id, {
      outcome: 'waived_part',
      amountMinor: 1000,
      resolution: 'Away for two of the three weeks',
    });
    expect(resolved).toMatchObject({ status: 'waived_part', waivedMinor: 1000, outstandingMinor: 400 });
    const a = await account(patron);
    expect(a.totals).toEqual({ balanceMinor: 400, outstandingMinor: 400, creditMinor: 0, disputedMinor: 0 });
    const waiver = a.lines.find((l) => l.kind === 'waiver')!;
    expect(waiver).toMatchObject({ amountMinor: -1000, reason: 'Away for two of the three weeks' });
    expect(waiver.allocations.map((x) => [x.chargeId, x.amountMinor])).toEqual([
      [a1.id, 900],
      [b1.id, 100],
    ]);
    await expect(
      fines().resolveDispute(supervisor, dispute.id, { outcome: 'upheld', resolution: 'again' }),
    ).rejects.toMatchObject({ code: 'DISPUTE_CLOSED' });
    // The charges are free for a new dispute now.
    const again = await fines().openDispute(desk, patron, { chargeIds: [b1.id], complaint: 'Still wrong' });
    const whole = await fines().resolveDispute(supervisor, again.id, {
      outcome: 'waived_whole',
      resolution: 'Fine',
    });
    expect(whole).toMatchObject({ status: 'waived_whole', waivedMinor: 400, outstandingMinor: 0 });
    expect((await account(patron)).totals.balanceMinor).toBe(0);
  });

  it('a retried payment (same idempotency key) writes one line and answers the same', async () => {
    const patron = await insertPatron(t.app);
    await charge(patron, 700);
    const first = await fines().pay(desk, patron, {
      amountMinor: 250,
      method: 'card',
      idempotencyKey: 'pay-1',
    });
    const before = await rowCounts(db());
    clock.advance(MINUTE);
    const second = await fines().pay(desk, patron, {
      amountMinor: 250,
      method: 'card',
      idempotencyKey: 'pay-1',
    });
    expect(second).toEqual(first);
    expect(await rowCounts(db())).toEqual(before);
    await expect(
      fines().pay(desk, patron, { amountMinor: 300, method: 'card', idempotencyKey: 'pay-1' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_CONFLICT' });
    const other = await insertPatron(t.app);
    await charge(other, 700);
    const counts = await rowCounts(db());
    await expect(
      fines().pay(desk, other, { amountMinor: 250, method: 'card', idempotencyKey: 'pay-1' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_CONFLICT' });
    expect(await rowCounts(db())).toEqual(counts);

    // Concurrent retries of one request: one payment.
    const [x, y] = await Promise.all([
      fines().pay(desk, patron, { amountMinor: 50, method: 'cash', idempotencyKey: 'pay-2' }),
      fines().pay(desk, patron, { amountMinor: 50, method: 'cash', idempotencyKey: 'pay-2' }),
    ]);
    expect(x).toEqual(y);
    expect((await account(patron)).lines.filter((l) => l.kind === 'payment')).toHaveLength(2);

    // The same key sent for two patrons at once: one payment, the other refused, on either path
    // (seen in the transaction, or caught as a unique violation when both insert at once).
    const third = await insertPatron(t.app);
    await charge(third, 700);
    const both = await Promise.allSettled([
      fines().pay(desk, other, { amountMinor: 10, method: 'cash', idempotencyKey: 'pay-3' }),
      fines().pay(desk, third, { amountMinor: 10, method: 'cash', idempotencyKey: 'pay-3' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'IDEMPOTENCY_KEY_CONFLICT',
    });

    // Fees and posted charges too.
    const fee = {
      kind: 'printing' as const,
      amountMinor: 30,
      description: 'Prints',
      idempotencyKey: 'fee-1',
    };
    const f1 = await fines().addFee(desk, patron, fee);
    expect(await fines().addFee(desk, patron, fee)).toEqual(f1);
    const c1 = await charge(patron, 40, 'overdue', { idempotencyKey: 'accrual-1' });
    expect(await charge(patron, 40, 'overdue', { idempotencyKey: 'accrual-1' })).toEqual(c1);
    expect((await account(patron)).totals.balanceMinor).toBe(700 - 250 - 50 + 30 + 40);
  });

  it('concurrent payments against the same charge never cover it twice', async () => {
    for (let round = 0; round < 5; round++) {
      const patron = await insertPatron(t.app);
      const c = await charge(patron, 500);
      const results = await Promise.allSettled([
        fines().pay(desk, patron, { amountMinor: 500, method: 'cash', chargeIds: [c.id] }),
        fines().pay(desk, patron, { amountMinor: 500, method: 'card', chargeIds: [c.id] }),
        fines().pay(desk, patron, { amountMinor: 300, method: 'card' }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r.reason as { code: string }).code);
      expect(
        refused.every((code) => ['PAYMENT_EXCEEDS_BALANCE', 'CHARGE_NOT_OUTSTANDING'].includes(code)),
      ).toBe(true);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      const a = await account(patron);
      const covered = a.lines.find((l) => l.id === c.id)!.allocations.reduce((s, x) => s + x.amountMinor, 0);
      expect(covered).toBeLessThanOrEqual(500);
      expect(a.totals.balanceMinor).toBeGreaterThanOrEqual(0);
      expect(a.totals.creditMinor).toBe(0);
    }
  });

  it('concurrent disputes and resolutions: one wins, the other is refused', async () => {
    const patron = await insertPatron(t.app);
    const c = await charge(patron, 500);
    const opened = await Promise.allSettled([
      fines().openDispute(desk, patron, { chargeIds: [c.id], complaint: 'one' }),
      fines().openDispute(desk, patron, { chargeIds: [c.id], complaint: 'two' }),
    ]);
    expect(opened.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = opened.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'CHARGE_ALREADY_DISPUTED' });
    const dispute = (opened.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>)
      .value;
    const resolved = await Promise.allSettled([
      fines().resolveDispute(supervisor, dispute.id, { outcome: 'waived_whole', resolution: 'a' }),
      fines().resolveDispute(supervisor, dispute.id, { outcome: 'waived_whole', resolution: 'b' }),
    ]);
    expect(resolved.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((resolved.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'DISPUTE_CLOSED',
    });
    const a = await account(patron);
    expect(a.lines.filter((l) => l.kind === 'waiver')).toHaveLength(1);
    expect(a.totals.balanceMinor).toBe(0);
  });

  it('a lost item back: the outstanding part is reversed, the paid part becomes refundable credit, once', async () => {
    const patron = await insertPatron(t.app);
    const { loanId, itemId } = await insertLoan(t.app, patron);
    const lost = await charge(patron, 2000, 'lost' as never, { loanId, itemId });
    const processing = await charge(patron, 500, 'lost_processing' as never, { loanId, itemId });
    const overdue = await charge(patron, 300, 'overdue', { loanId, itemId });
    clock.advance(MINUTE);
    await fines().pay(desk, patron, { amountMinor: 1200, method: 'cash', chargeIds: [lost.id] });
    await fines().waive(supervisor, patron, { chargeIds: [lost.id], amountMinor: 100, reason: 'goodwill' });
    // lost: 1200 paid, 100 waived, 700 outstanding.
    const reverse = () =>
      db()
        .transaction()
        .execute((trx) =>
          fines().reverseLoanCharges(trx, clock.now(), system, {
            patronId: patron,
            loanId,
            kinds: ['lost'],
            description: 'Lost item returned',
          }),
        );
    clock.advance(MINUTE);
    expect(await reverse()).toEqual({ creditedMinor: 1900 });
    let a = await account(patron);
    expect(a.lines.find((l) => l.id === lost.id)?.outstandingMinor).toBe(0);
    expect(a.totals).toEqual({
      balanceMinor: 800 - 1200,
      outstandingMinor: 800,
      creditMinor: 1200,
      disputedMinor: 0,
    });
    const reversal = a.lines.find((l) => l.kind === 'lost_returned')!;
    expect(reversal).toMatchObject({ amountMinor: -1900, loanId, itemId, outstandingMinor: -1200 });

    // Again (a retried check-in), and for kinds that include it: nothing more for the lost fee.
    const before = await rowCounts(db());
    expect(await reverse()).toEqual({ creditedMinor: 0 });
    expect(await rowCounts(db())).toEqual(before);
    const both = await db()
      .transaction()
      .execute((trx) =>
        fines().reverseLoanCharges(trx, clock.now(), system, {
          patronId: patron,
          loanId,
          kinds: ['lost', 'lost_processing'],
          description: 'Lost item returned',
        }),
      );
    expect(both).toEqual({ creditedMinor: 500 });
    a = await account(patron);
    expect(a.lines.find((l) => l.id === processing.id)?.outstandingMinor).toBe(0);
    expect(a.lines.find((l) => l.id === overdue.id)?.outstandingMinor).toBe(300);

    // The credit is refundable, never beyond what there is.
    await expect(
      fines().refund(supervisor, patron, { amountMinor: 1201, method: 'cash', reason: 'too much' }),
    ).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_CREDIT' });
    clock.advance(MINUTE);
    const refund = await fines().refund(supervisor, patron, {
      amountMinor: 1000,
      method: 'cash',
      reason: 'Book back',
    });
    expect(refund.line).toMatchObject({ kind: 'refund', amountMinor: 1000 });
    expect(refund.applied).toEqual([expect.objectContaining({ lineId: reversal.id, amountMinor: 1000 })]);
    a = await account(patron);
    expect(a.totals).toEqual({
      balanceMinor: 100,
      outstandingMinor: 300,
      creditMinor: 200,
      disputedMinor: 0,
    });
  });

  it('writes off the whole outstanding balance, disputed charges included', async () => {
    const patron = await insertPatron(t.app);
    await charge(patron, 120);
    const c2 = await charge(patron, 80);
    await fines().openDispute(desk, patron, { chargeIds: [c2.id], complaint: 'no' });
    clock.advance(MINUTE);
    const w = await fines().writeOff(supervisor, patron, { reason: 'Uncollectable after two years' });
    expect(w.line).toMatchObject({ kind: 'writeoff', amountMinor: -200 });
    expect((await account(patron)).totals).toEqual({
      balanceMinor: 0,
      outstandingMinor: 0,
      creditMinor: 0,
      disputedMinor: 0,
    });
    await expect(fines().writeOff(supervisor, patron, { reason: 'again' })).rejects.toMatchObject({
      code: 'NOTHING_OUTSTANDING',
    });
  });

  it('lets a patron read their own account and dispute their own charges, and nothing of anyone else', async () => {
    const patron = await insertPatron(t.app);
    const other = await insertPatron(t.app);
    const mine = await charge(patron, 100);
    const theirs = await charge(other, 100);
    const me: Actor = { type: 'patron', patronId: patron };
    expect((await fines().account(me, patron)).totals.balanceMinor).toBe(100);
    await expect(fines().account(me, other)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const d = await fines().openDispute(me, patron, { chargeIds: [mine.id], complaint: 'Returned on time' });
    expect(d.createdBy).toBe(`patron:${patron}`);
    expect((await fines().addDisputeNote(me, d.id, 'Receipt attached')).notes).toHaveLength(1);
    expect((await fines().listDisputes(me, patron)).map((x) => x.id)).toEqual([d.id]);
    const before = await rowCounts(db());
    await expect(
      fines().openDispute(me, patron, { chargeIds: [theirs.id], complaint: 'x' }),
    ).rejects.toMatchObject({ code: 'CHARGE_NOT_FOUND' });
    await expect(
      fines().openDispute(me, other, { chargeIds: [theirs.id], complaint: 'x' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(fines().pay(me, patron, { amountMinor: 100, method: 'card' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      fines().resolveDispute(me, d.id, { outcome: 'waived_whole', resolution: 'I say so' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const stranger: Actor = { type: 'patron', patronId: other };
    await expect(fines().addDisputeNote(stranger, d.id, 'hi')).rejects.toMatchObject({
      code: 'DISPUTE_NOT_FOUND',
    });
    await expect(fines().dispute(stranger, d.id)).rejects.toMatchObject({ code: 'DISPUTE_NOT_FOUND' });
    expect(await rowCounts(db())).toEqual(before);
  });

  describe('refuses bad input clearly and writes nothing', () => {
    let patron: string;
    let otherCharge: string;
    let open: string;
    let paidOff: string;
    beforeAll(async () => {
      patron = await insertPatron(t.app);
      const other = await insertPatron(t.app);
      otherCharge = (await charge(other, 100)).id;
      paidOff = (await charge(patron, 50)).id;
      await fines().pay(desk, patron, { amountMinor: 50, method: 'cash' });
      open = (await charge(patron, 400)).id;
    });
    const unknown = '01900000-0000-7000-8000-000000000000';
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        'a negative payment',
        () => fines().pay(desk, patron, { amountMinor: -5, method: 'cash' }),
        'INVALID_AMOUNT',
      ],
      [
        'a zero payment',
        () => fines().pay(desk, patron, { amountMinor: 0, method: 'cash' }),
        'INVALID_AMOUNT',
      ],
      [
        'a fractional payment',
        () => fines().pay(desk, patron, { amountMinor: 2.5, method: 'cash' }),
        'INVALID_AMOUNT',
      ],
      [
        'an unsafe payment',
        () => fines().pay(desk, patron, { amountMinor: 2 ** 60, method: 'cash' }),
        'INVALID_AMOUNT',
      ],
      [
        'a payment over the balance',
        () => fines().pay(desk, patron, { amountMinor: 401, method: 'cash' }),
        'PAYMENT_EXCEEDS_BALANCE',
      ],
      [
        'a payment by cheque',
        () => fines().pay(desk, patron, { amountMinor: 1, method: 'cheque' as never }),
        'INVALID_PAYMENT_METHOD',
      ],
      [
        'a payment for an unknown charge',
        () => fines().pay(desk, patron, { amountMinor: 1, method: 'cash', chargeIds: [unknown] }),
        'CHARGE_NOT_FOUND',
      ],
      [
        "a payment for someone else's charge",
        () => fines().pay(desk, patron, { amountMinor: 1, method: 'cash', chargeIds: [otherCharge] }),
        'CHARGE_NOT_FOUND',
      ],
      [
        'a payment for a paid charge',
        () => fines().pay(desk, patron, { amountMinor: 1, method: 'cash', chargeIds: [paidOff] }),
        'CHARGE_NOT_OUTSTANDING',
      ],
      [
        'a payment with a reserved key',
        () =>
          fines().pay(desk, patron, { amountMinor: 1, method: 'cash', idempotencyKey: 'stacks:reversal:x' }),
        'INVALID_IDEMPOTENCY_KEY',
      ],
      [
        'a payment for nobody',
        () => fines().pay(desk, unknown, { amountMinor: 1, method: 'cash' }),
        'PATRON_NOT_FOUND',
      ],
      [
        'a payment without fines.collect',
        () => fines().pay(staff('patrons.read'), patron, { amountMinor: 1, method: 'cash' }),
        'FORBIDDEN',
      ],
      [
        'a waiver without a reason',
        () => fines().waive(supervisor, patron, { chargeIds: [open], reason: '  ' }),
        'INVALID_REASON',
      ],
      [
        'a waiver of no charges',
        () => fines().waive(supervisor, patron, { chargeIds: [], reason: 'r' }),
        'INVALID_CHARGES',
      ],
      [
        "a waiver of someone else's charge",
        () => fines().waive(supervisor, patron, { chargeIds: [otherCharge], reason: 'r' }),
        'CHARGE_NOT_FOUND',
      ],
      [
        'a waiver beyond what is owed',
        () => fines().waive(supervisor, patron, { chargeIds: [open], amountMinor: 401, reason: 'r' }),
        'WAIVER_EXCEEDS_OUTSTANDING',
      ],
      [
        'a negative waiver',
        () => fines().waive(supervisor, patron, { chargeIds: [open], amountMinor: -1, reason: 'r' }),
        'INVALID_AMOUNT',
      ],
      [
        'a waiver of a paid charge',
        () => fines().waive(supervisor, patron, { chargeIds: [paidOff], reason: 'r' }),
        'NOTHING_OUTSTANDING',
      ],
      [
        'a waiver by the desk',
        () => fines().waive(desk, patron, { chargeIds: [open], reason: 'r' }),
        'FORBIDDEN',
      ],
      [
        'a write-off without a reason',
        () => fines().writeOff(supervisor, patron, { reason: '' }),
        'INVALID_REASON',
      ],
      [
        'a refund without credit',
        () => fines().refund(supervisor, patron, { amountMinor: 1, method: 'cash', reason: 'r' }),
        'REFUND_EXCEEDS_CREDIT',
      ],
      [
        'a refund without a reason',
        () => fines().refund(supervisor, patron, { amountMinor: 1, method: 'cash', reason: '' }),
        'INVALID_REASON',
      ],
      [
        'a fee of a kind staff do not add',
        () => fines().addFee(desk, patron, { kind: 'overdue' as never, amountMinor: 5, description: 'd' }),
        'INVALID_CHARGE_KIND',
      ],
      [
        'a fee without a description',
        () => fines().addFee(desk, patron, { kind: 'manual', amountMinor: 5, description: '' }),
        'INVALID_DESCRIPTION',
      ],
      [
        'a fee for an unknown item',
        () =>
          fines().addFee(desk, patron, { kind: 'damage', amountMinor: 5, description: 'd', itemId: unknown }),
        'ITEM_NOT_FOUND',
      ],
      [
        'a zero fee',
        () => fines().addFee(desk, patron, { kind: 'manual', amountMinor: 0, description: 'd' }),
        'INVALID_AMOUNT',
      ],
      [
        'a dispute without a complaint',
        () => fines().openDispute(desk, patron, { chargeIds: [open], complaint: '' }),
        'INVALID_COMPLAINT',
      ],
      [
        'a dispute about a paid charge',
        () => fines().openDispute(desk, patron, { chargeIds: [paidOff], complaint: 'c' }),
        'CHARGE_NOT_OUTSTANDING',
      ],
      [
        'a dispute naming a charge twice',
        () => fines().openDispute(desk, patron, { chargeIds: [open, open], complaint: 'c' }),
        'INVALID_CHARGES',
      ],
      ['a note on no dispute', () => fines().addDisputeNote(desk, unknown, 'text'), 'DISPUTE_NOT_FOUND'],
      [
        'a resolution of no dispute',
        () => fines().resolveDispute(supervisor, unknown, { outcome: 'upheld', resolution: 'r' }),
        'DISPUTE_NOT_FOUND',
      ],
      [
        'a charge posted for a credit kind',
        () =>
          db()
            .transaction()
            .execute((trx) =>
              fines().postCharge(trx, clock.now(), system, {
                patronId: patron,
                kind: 'payment' as never,
                amountMinor: 5,
                description: 'd',
              }),
            ),
        'INVALID_CHARGE_KIND',
      ],
      [
        'a charge posted for nobody',
        () =>
          db()
            .transaction()
            .execute((trx) =>
              fines().postCharge(trx, clock.now(), system, {
                patronId: unknown,
                kind: 'overdue',
                amountMinor: 5,
                description: 'd',
              }),
            ),
        'PATRON_NOT_FOUND',
      ],
      ['a receipt for a charge', () => fines().receiptPdf(desk, open), 'PAYMENT_NOT_FOUND'],
    ];
    it.each(cases)('%s', async (_name, run, code) => {
      const before = await rowCounts(db());
      await expect(run()).rejects.toMatchObject({ code });
      expect(await rowCounts(db())).toEqual(before);
    });

    it('refuses a second open dispute on a charge, and a resolution amount for a whole outcome', async () => {
      const d = await fines().openDispute(desk, patron, { chargeIds: [open], complaint: 'c' });
      const before = await rowCounts(db());
      await expect(
        fines().openDispute(desk, patron, { chargeIds: [open], complaint: 'c2' }),
      ).rejects.toMatchObject({
        code: 'CHARGE_ALREADY_DISPUTED',
        details: { chargeIds: [open], disputeIds: [d.id] },
      });
      await expect(
        fines().resolveDispute(supervisor, d.id, {
          outcome: 'waived_whole',
          amountMinor: 5,
          resolution: 'r',
        }),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
      await expect(
        fines().resolveDispute(supervisor, d.id, { outcome: 'dismissed' as never, resolution: 'r' }),
      ).rejects.toMatchObject({ code: 'INVALID_OUTCOME' });
      await expect(
        fines().resolveDispute(supervisor, d.id, { outcome: 'upheld', resolution: ' ' }),
      ).rejects.toMatchObject({ code: 'INVALID_RESOLUTION' });
      expect(await rowCounts(db())).toEqual(before);
    });
  });

  it('prints a receipt: library, patron, what was paid against which charges, balance after', async () => {
    const patron = await insertPatron(t.app, { first: 'Zoë', last: 'Łukasiewicz' });
    await charge(patron, 1250, 'overdue', { description: 'Overdue: The Hobbit' });
    await charge(patron, 300, 'overdue', { description: 'Overdue: Dune' });
    clock.advance(MINUTE);
    const payment = await fines().pay(desk, patron, { amountMinor: 1400, method: 'card' });
    const pdf = await fines().receiptPdf(desk, payment.line.id, {
      createdAt: new Date('2026-11-30T00:00:00Z'),
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('Test Library');
    expect(text).toContain(`Receipt no. ${payment.receiptNumber}`);
    expect(text).toContain('Zoë Lukasiewicz');
    expect(text).toContain('12.50 EUR');
    expect(text).toContain('1.50 EUR');
    expect(text).toContain('14.00 EUR');
    expect(text).toContain('Overdue: The Hobbit');
    expect(text).toContain('Balance still owed');
    expect(text).toContain('America/New_York');
    // Same payment, same bytes.
    expect(
      await fines().receiptPdf(desk, payment.line.id, { createdAt: new Date('2026-11-30T00:00:00Z') }),
    ).toEqual(pdf);
    await expect(
      fines().receiptPdf({ type: 'patron', patronId: newId() }, payment.line.id),
    ).rejects.toMatchObject({
      code: 'PAYMENT_NOT_FOUND',
    });
  });

  it('moves lines and disputes to another patron on merge, and the accounts still add up', async () => {
    const from = await insertPatron(t.app);
    const to = await insertPatron(t.app);
    const c = await charge(from, 100);
    await charge(to, 50);
    await fines().openDispute(desk, from, { chargeIds: [c.id], complaint: 'merge me' });
    await fines().pay(desk, from, { amountMinor: 40, method: 'cash' });
    await db()
      .transaction()
      .execute((trx) => fines().movePatronLines(trx, from, to));
    expect((await account(from)).lines).toEqual([]);
    const merged = await account(to);
    expect(merged.totals).toEqual({
      balanceMinor: 110,
      outstandingMinor: 110,
      creditMinor: 0,
      disputedMinor: 60,
    });
    expect(merged.disputes).toHaveLength(1);
    const exported = await fines().exportPatronData(db(), to);
    expect(exported.currency).toBe('EUR');
    expect(exported.lines.map((l) => l.kind).sort()).toEqual(['overdue', 'overdue', 'payment']);
    expect(exported.disputes.map((d) => d.complaint)).toEqual(['merge me']);
  });

  it('keeps the invariant through a random sequence of every operation', async () => {
    const patron = await insertPatron(t.app);
    const { loanId, itemId } = await insertLoan(t.app, patron);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const disputes: string[] = [];
    for (let step = 0; step < 60; step++) {
      const a = await account(patron);
      const open = a.lines.filter((l) => l.amountMinor > 0 && l.kind !== 'refund' && l.outstandingMinor > 0);
      const pick = () => open[rnd(open.length)]!;
      const op = rnd(9);
      clock.advance(MINUTE);
      try {
        if (op <= 1 || open.length === 0)
          await charge(patron, 1 + rnd(900), rnd(3) === 0 ? ('lost' as never) : 'overdue', {
            loanId,
            itemId,
          });
        else if (op === 2)
          await fines().pay(desk, patron, {
            amountMinor: 1 + rnd(a.totals.outstandingMinor),
            method: 'cash',
          });
        else if (op === 3) await fines().waive(supervisor, patron, { chargeIds: [pick().id], reason: 'r' });
        else if (op === 4)
          await db()
            .transaction()
            .execute((trx) =>
              fines().reverseLoanCharges(trx, clock.now(), system, {
                patronId: patron,
                loanId,
                kinds: ['lost'],
                description: 'back',
              }),
            );
        else if (op === 5 && a.totals.creditMinor > 0)
          await fines().refund(supervisor, patron, {
            amountMinor: 1 + rnd(a.totals.creditMinor),
            method: 'cash',
            reason: 'r',
          });
        else if (op === 6) {
          const c = pick();
          if (c.disputeId === null)
            disputes.push(
              (await fines().openDispute(desk, patron, { chargeIds: [c.id], complaint: 'c' })).id,
            );
        } else if (op === 7 && disputes.length > 0) {
          const d = disputes.splice(rnd(disputes.length), 1)[0]!;
          const outcome = (['upheld', 'waived_whole', 'waived_part'] as const)[rnd(3)]!;
          const current = (await fines().dispute(system, d)).outstandingMinor;
          await fines().resolveDispute(supervisor, d, {
            outcome: outcome === 'waived_part' && current === 0 ? 'upheld' : outcome,
            resolution: 'r',
            ...(outcome === 'waived_part' && current > 0 ? { amountMinor: 1 + rnd(current) } : {}),
          });
        } else if (op === 8 && rnd(4) === 0) await fines().writeOff(supervisor, patron, { reason: 'r' });
      } catch (error) {
        throw new Error(`step ${step} (op ${op}): ${String(error)}`);
      }
    }
    await account(patron);
  });
});
