import { describe, expect, it } from 'vitest';
import {
  allocate,
  allocationOrder,
  isPositiveAmount,
  type LedgerAllocation,
  type LedgerLine,
  ledgerProblems,
  type OpenCharge,
  summarize,
} from './ledger.ts';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

const charge = (id: string, createdAt: string, outstandingMinor: number, disputed = false): OpenCharge => ({
  id,
  createdAt,
  outstandingMinor,
  disputed,
});

describe('allocating a credit over charges', () => {
  const charges = [
    charge('c', '2026-01-03T00:00:00.000Z', 300),
    charge('a', '2026-01-01T00:00:00.000Z', 100),
    charge('d', '2026-01-01T00:00:00.000Z', 50, true),
    charge('b', '2026-01-01T00:00:00.000Z', 200),
  ];

  it('covers the oldest first, by creation time and then id, disputed charges last', () => {
    expect(allocationOrder(charges).map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(allocate(250, charges)).toEqual({
      allocations: [
        { chargeId: 'a', amountMinor: 100 },
        { chargeId: 'b', amountMinor: 150 },
      ],
      restMinor: 0,
    });
  });

  it('covers the charges asked for first, disputed or not, then the rest in the usual order', () => {
    expect(allocate(400, charges, ['d', 'c']).allocations).toEqual([
      { chargeId: 'd', amountMinor: 50 },
      { chargeId: 'c', amountMinor: 300 },
      { chargeId: 'a', amountMinor: 50 },
    ]);
  });

  it('never gives a charge more than is outstanding, and returns what is left over', () => {
    expect(allocate(1000, charges)).toEqual({
      allocations: [
        { chargeId: 'a', amountMinor: 100 },
        { chargeId: 'b', amountMinor: 200 },
        { chargeId: 'c', amountMinor: 300 },
        { chargeId: 'd', amountMinor: 50 },
      ],
      restMinor: 350,
    });
    expect(allocate(0, charges)).toEqual({ allocations: [], restMinor: 0 });
    expect(allocate(10, [charge('z', '2026-01-01T00:00:00.000Z', 0)])).toEqual({
      allocations: [],
      restMinor: 10,
    });
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 60])('refuses to allocate %s', (amount) => {
    expect(() => allocate(amount, charges)).toThrow(RangeError);
  });

  it.each([
    [1, true],
    [Number.MAX_SAFE_INTEGER, true],
    [0, false],
    [-5, false],
    [2.5, false],
    [Number.MAX_SAFE_INTEGER + 1, false],
    ['100', false],
    [null, false],
  ])('takes %s as an amount: %s', (amount, ok) => {
    expect(isPositiveAmount(amount)).toBe(ok);
  });

  it('holds its promises on 2,000 random cases', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = random(seed);
      const list = Array.from({ length: r.int(0, 8) }, (_, i) =>
        charge(
          `id${r.int(0, 99)}-${i}`,
          `2026-01-0${r.int(1, 4)}T00:00:00.000Z`,
          r.chance(0.1) ? 0 : r.int(1, 5000),
          r.chance(0.3),
        ),
      );
      const first = list.filter(() => r.chance(0.2)).map((c) => c.id);
      const amount = r.int(0, 20000);
      const { allocations, restMinor } = allocate(amount, list, first);
      const total = list.reduce((s, c) => s + c.outstandingMinor, 0);
      const given = allocations.reduce((s, a) => s + a.amountMinor, 0);
      const context = `seed ${seed}`;
      // Everything is allocated that can be, and nothing more.
      expect(given, context).toBe(Math.min(amount, total));
      expect(restMinor, context).toBe(amount - given);
      const order = allocationOrder(list, first);
      const position = new Map(order.map((c, i) => [c.id, i]));
      for (const a of allocations) {
        const c = list.find((x) => x.id === a.chargeId)!;
        expect(a.amountMinor, context).toBeGreaterThan(0);
        expect(a.amountMinor, context).toBeLessThanOrEqual(c.outstandingMinor);
      }
      // Greedy in order: a charge gets money only when every charge before it is covered in full.
      const got = new Map(allocations.map((a) => [a.chargeId, a.amountMinor]));
      let short = false;
      for (const c of order) {
        const g = got.get(c.id) ?? 0;
        if (short) expect(g, context).toBe(0);
        if (g < c.outstandingMinor) short = true;
      }
      // Chosen charges first, then undisputed before disputed, each group oldest first.
      for (let i = 1; i < order.length; i++) {
        const [p, q] = [order[i - 1]!, order[i]!];
        const rank = (c: OpenCharge) => (first.includes(c.id) ? 0 : c.disputed ? 2 : 1);
        expect(rank(p) < rank(q) || (rank(p) === rank(q) && p.createdAt <= q.createdAt), context).toBe(true);
      }
      expect(position.size, context).toBe(list.length);
    }
  });
});

/**
 * An in-memory account driven the way the service drives the database one: the invariant in `ledger.ts`
 * must hold after every step of any sequence of charges, payments, waivers, write-offs, reversals,
 * refunds and disputes.
 */
class Model {
  lines: LedgerLine[] = [];
  allocations: LedgerAllocation[] = [];
  disputed = new Set<string>();
  reversed = new Set<string>();
  private n = 0;

  private add(kind: string, amountMinor: number): string {
    const id = `l${String(++this.n).padStart(4, '0')}`;
    this.lines.push({
      id,
      kind,
      amountMinor,
      createdAt: `2026-01-01T00:00:${String(this.n % 60).padStart(2, '0')}Z`,
    });
    return id;
  }
  private state() {
    return summarize(this.lines, this.allocations, this.disputed);
  }
  open(ids?: string[]): OpenCharge[] {
    const { remaining } = this.state();
    return this.lines
      .filter((l) => l.amountMinor > 0 && l.kind !== 'refund' && (!ids || ids.includes(l.id)))
      .map((l) => charge(l.id, l.createdAt, remaining.get(l.id)!, this.disputed.has(l.id)))
      .filter((c) => c.outstandingMinor > 0);
  }
  private credit(kind: string, amount: number, charges: OpenCharge[], first: string[] = []) {
    const { allocations, restMinor } = allocate(amount, charges, first);
    const id = this.add(kind, -amount);
    for (const a of allocations)
      this.allocations.push({ creditId: id, chargeId: a.chargeId, amountMinor: a.amountMinor });
    return restMinor;
  }
  charge(amount: number) {
    this.add('overdue', amount);
  }
  owed() {
    return this.state().totals.outstandingMinor;
  }
  creditLeft() {
    return this.state().totals.creditMinor;
  }
  pay(amount: number, first: string[]) {
    expect(this.credit('payment', amount, this.open(), first)).toBe(0);
  }
  waive(ids: string[], amount?: number) {
    const charges = this.open(ids).map((c) => ({ ...c, disputed: false }));
    const total = charges.reduce((s, c) => s + c.outstandingMinor, 0);
    if (total > 0) expect(this.credit('waiver', Math.min(amount ?? total, total), charges)).toBe(0);
  }
  writeOff() {
    if (this.owed() > 0) this.credit('writeoff', this.owed(), this.open());
  }
  reverse(chargeId: string) {
    if (this.reversed.has(chargeId)) return;
    this.reversed.add(chargeId);
    const { remaining } = this.state();
    const outstanding = remaining.get(chargeId)!;
    const paid = this.allocations
      .filter(
        (a) => a.chargeId === chargeId && this.lines.find((l) => l.id === a.creditId)!.kind === 'payment',
      )
      .reduce((s, a) => s + a.amountMinor, 0);
    if (outstanding + paid === 0) return;
    const id = this.add('lost_returned', -(outstanding + paid));
    if (outstanding > 0) this.allocations.push({ creditId: id, chargeId, amountMinor: outstanding });
  }
  refund(amount: number) {
    const { remaining } = this.state();
    const credits = this.lines
      .filter((l) => l.amountMinor < 0 && remaining.get(l.id)! < 0)
      .map((l) => charge(l.id, l.createdAt, -remaining.get(l.id)!));
    const { allocations } = allocate(amount, credits);
    const id = this.add('refund', amount);
    for (const a of allocations)
      this.allocations.push({ creditId: a.chargeId, chargeId: id, amountMinor: a.amountMinor });
  }
  problems() {
    return ledgerProblems(this.lines, this.allocations, this.disputed);
  }
}

describe('the account invariant', () => {
  it('holds after every step of 500 random sequences of 40 operations', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const r = random(seed);
      const m = new Model();
      for (let step = 0; step < 40; step++) {
        const charges = m.lines.filter((l) => l.kind === 'overdue').map((l) => l.id);
        const op = r.int(0, 7);
        if (op <= 1 || charges.length === 0) m.charge(r.int(1, 3000));
        else if (op === 2 && m.owed() > 0)
          m.pay(
            r.int(1, m.owed()),
            charges.filter(() => r.chance(0.2)),
          );
        else if (op === 3)
          m.waive(
            charges.filter(() => r.chance(0.4)),
            r.chance(0.5) ? r.int(1, 2000) : undefined,
          );
        else if (op === 4 && r.chance(0.2)) m.writeOff();
        else if (op === 5) m.reverse(r.pick(charges));
        else if (op === 6 && m.creditLeft() > 0) m.refund(r.int(1, m.creditLeft()));
        else if (op === 7) {
          const c = r.pick(charges);
          if (m.disputed.has(c)) m.disputed.delete(c);
          else m.disputed.add(c);
        }
        const problems = m.problems();
        expect(problems, `seed ${seed} step ${step}`).toEqual([]);
        const { totals } = summarize(m.lines, m.allocations, m.disputed);
        expect(totals.balanceMinor).toBe(m.lines.reduce((s, l) => s + l.amountMinor, 0));
      }
    }
  });

  it('finds a ledger that does not add up', () => {
    const lines: LedgerLine[] = [
      { id: 'c1', kind: 'overdue', amountMinor: 100, createdAt: '2026-01-01T00:00:00.000Z' },
      { id: 'p1', kind: 'payment', amountMinor: -150, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'w1', kind: 'waiver', amountMinor: 20, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'r1', kind: 'refund', amountMinor: 10, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'x1', kind: 'bribe', amountMinor: 5, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'z1', kind: 'manual', amountMinor: 0, createdAt: '2026-01-02T00:00:00.000Z' },
    ];
    const allocations: LedgerAllocation[] = [
      { creditId: 'p1', chargeId: 'c1', amountMinor: 120 },
      { creditId: 'p1', chargeId: 'c1', amountMinor: -1 },
      { creditId: 'c1', chargeId: 'p1', amountMinor: 1 },
    ];
    const problems = ledgerProblems(lines, allocations);
    expect(problems).toEqual(
      expect.arrayContaining([
        'line c1: overdue covered beyond its amount by 18',
        'line w1: waiver must be negative',
        'line r1: refund not covered by credit',
        'line x1: unknown kind bribe',
        'line z1: amount 0 is not a non-zero whole number',
        'allocation p1->c1: amount -1 is not positive',
        'allocation c1->p1: c1 is not a credit of this account',
        'allocation c1->p1: p1 is not a charge of this account',
      ]),
    );
    expect(problems.some((p) => p.startsWith('line p1: payment has'))).toBe(true);
    expect(ledgerProblems(lines.slice(0, 1), [], new Set(['c1']))).toEqual([]);
  });

  it('sums an account: balance = outstanding − credit, disputed within outstanding', () => {
    const lines: LedgerLine[] = [
      { id: 'c1', kind: 'lost', amountMinor: 2000, createdAt: '2026-01-01T00:00:00.000Z' },
      { id: 'c2', kind: 'overdue', amountMinor: 300, createdAt: '2026-01-02T00:00:00.000Z' },
      { id: 'p1', kind: 'payment', amountMinor: -2000, createdAt: '2026-01-03T00:00:00.000Z' },
      { id: 'b1', kind: 'lost_returned', amountMinor: -2000, createdAt: '2026-01-04T00:00:00.000Z' },
      { id: 'r1', kind: 'refund', amountMinor: 500, createdAt: '2026-01-05T00:00:00.000Z' },
    ];
    const allocations: LedgerAllocation[] = [
      { creditId: 'p1', chargeId: 'c1', amountMinor: 2000 },
      { creditId: 'b1', chargeId: 'r1', amountMinor: 500 },
    ];
    const { remaining, totals } = summarize(lines, allocations, new Set(['c2']));
    expect(Object.fromEntries(remaining)).toEqual({ c1: 0, c2: 300, p1: 0, b1: -1500, r1: 0 });
    expect(totals).toEqual({
      balanceMinor: -1200,
      outstandingMinor: 300,
      creditMinor: 1500,
      disputedMinor: 300,
    });
    expect(ledgerProblems(lines, allocations, new Set(['c2']))).toEqual([]);
  });
});
