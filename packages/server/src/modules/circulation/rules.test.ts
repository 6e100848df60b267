import { describe, expect, it } from 'vitest';
import { type CirculationRule, describeScope, explainRules, resolveRule, ruleProblems } from './rules.ts';

function rule(
  id: string,
  scope: Partial<Pick<CirculationRule, 'branchId' | 'patronCategory' | 'itemType'>>,
  loanPeriod = 21,
): CirculationRule {
  return {
    id,
    branchId: null,
    patronCategory: null,
    itemType: null,
    ...scope,
    loanPeriod,
    loanUnit: 'days',
    renewalsAllowed: 2,
    renewalPeriod: null,
    maxLoans: null,
    finePerUnitMinor: 25,
    graceUnits: 0,
    maxFineMinor: 500,
    holdsAllowed: 10,
    holdShelfDays: 7,
    lostAfterDays: 60,
    lostProcessingFeeMinor: 500,
    refundLostOnReturn: true,
    chargeClosedDays: false,
  };
}

const RULES = [
  rule('default', {}),
  rule('dvd', { itemType: 'DVD' }, 7),
  rule('child', { patronCategory: 'CHILD' }, 14),
  rule('child-dvd', { patronCategory: 'CHILD', itemType: 'DVD' }, 3),
  rule('lakeside', { branchId: 'LAKESIDE' }, 28),
];

describe('the rules matrix', () => {
  it('picks the most specific matching rule', () => {
    const at = (branchId: string, patronCategory: string, itemType: string) =>
      resolveRule(RULES, { branchId, patronCategory, itemType })?.id;
    expect(at('CENTRAL', 'ADULT', 'BOOK')).toBe('default');
    expect(at('CENTRAL', 'ADULT', 'DVD')).toBe('dvd');
    expect(at('CENTRAL', 'CHILD', 'BOOK')).toBe('child');
    expect(at('CENTRAL', 'CHILD', 'DVD')).toBe('child-dvd');
    // A rule naming the branch beats category and item type together.
    expect(at('LAKESIDE', 'CHILD', 'DVD')).toBe('lakeside');
  });

  it('has no winner when nothing matches, and says how to fix it', () => {
    const explanation = explainRules([rule('dvd', { itemType: 'DVD' })], {
      branchId: 'CENTRAL',
      patronCategory: 'ADULT',
      itemType: 'BOOK',
    });
    expect(explanation.winner).toBeNull();
    expect(explanation.summary).toMatch(/No rule matches/);
    expect(explanation.candidates[0]!.reasons).toContain('item type: DVD ≠ BOOK');
  });

  it('explains every candidate with the reason it matches or not', () => {
    const names = (_kind: string, v: string) => (v === 'CHILD' ? 'Child' : v);
    const e = explainRules(RULES, { branchId: 'CENTRAL', patronCategory: 'CHILD', itemType: 'DVD' }, names);
    expect(e.winner?.id).toBe('child-dvd');
    expect(e.candidates.map((c) => [c.rule.id, c.matches])).toEqual([
      ['lakeside', false],
      ['child-dvd', true],
      ['child', true],
      ['dvd', true],
      ['default', true],
    ]);
    expect(e.candidates[0]!.reasons).toEqual([
      'branch: LAKESIDE ≠ CENTRAL',
      'patron category: any',
      'item type: any',
    ]);
    expect(e.summary).toBe(
      '4 of 5 rules match CENTRAL / Child / DVD; the most specific (any branch / Child / DVD) wins',
    );
    expect(describeScope(RULES[0]!)).toBe('any branch / any category / any item type');
  });

  it('names every bad number', () => {
    const { id: _id, ...good } = rule('x', {});
    expect(ruleProblems(good)).toEqual([]);
    expect(
      ruleProblems({
        ...good,
        loanPeriod: -1,
        finePerUnitMinor: 2.5,
        holdShelfDays: 0,
        loanUnit: 'weeks' as never,
      }),
    ).toEqual([
      'loanUnit must be "days" or "hours" (got weeks)',
      'loanPeriod must be a whole number from 0 to 3660 (got -1)',
      'finePerUnitMinor must be a whole number from 0 to 100000000 (got 2.5)',
      'holdShelfDays must be a whole number from 1 to 366 (got 0)',
    ]);
  });
});
