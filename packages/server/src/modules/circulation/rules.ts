/**
 * The circulation rules matrix: branch x patron category x item type, any of them a wildcard, the most
 * specific rule winning. Pure: the service loads the rules, these functions choose and explain.
 */

import { MAX_AMOUNT_MINOR } from '../../kernel/money.ts';

export type LoanUnit = 'days' | 'hours';

/** One cell of the matrix. `null` in a scope field is a wildcard ("every branch", "every category"…). */
export interface CirculationRule {
  id: string;
  branchId: string | null;
  patronCategory: string | null;
  itemType: string | null;
  /** How long a loan lasts, in `loanUnit`; 0 means items under this rule do not go out. */
  loanPeriod: number;
  loanUnit: LoanUnit;
  renewalsAllowed: number;
  /** Length of each renewal; null: the loan period again. */
  renewalPeriod: number | null;
  /** Loans of this scope a patron may have at once; null: only the category's overall limit applies. */
  maxLoans: number | null;
  /** Overdue fine per day (day loans) or per hour (hourly loans), minor units. */
  finePerUnitMinor: number;
  /** Days (or hours) late without a fine; once past the grace period every late unit is charged. */
  graceUnits: number;
  /** Most an overdue fine on one loan can reach; null: no cap. */
  maxFineMinor: number | null;
  /** Holds a patron may have at once under this rule; 0: no holds. */
  holdsAllowed: number;
  /** Days a trapped hold waits on the hold shelf. */
  holdShelfDays: number;
  /** Days overdue after which the item is declared lost and billed; null: never automatically. */
  lostAfterDays: number | null;
  /** Added to the item's replacement price when it is billed as lost. */
  lostProcessingFeeMinor: number;
  /** Whether the lost fee is refunded when the item comes back. */
  refundLostOnReturn: boolean;
  /** Whether days the branch is closed count as late days. */
  chargeClosedDays: boolean;
}

/** What a loan is about: where, who, what. */
export interface RuleScope {
  branchId: string;
  patronCategory: string;
  itemType: string;
}

/** A rule considered for a scope, and why it does or does not apply. */
export interface RuleCandidate {
  rule: CirculationRule;
  /** Higher wins: branch counts 4, patron category 2, item type 1 (a rule naming the branch beats any that does not). */
  specificity: number;
  matches: boolean;
  /** One line per scope field, e.g. `branch: any`, `item type: DVD ≠ BOOK`. */
  reasons: string[];
}

/** Why a rule was chosen: every candidate and the winner. */
export interface RuleExplanation {
  scope: RuleScope;
  candidates: RuleCandidate[];
  winner: CirculationRule | null;
  summary: string;
}

/** How specific a rule is: branch 4, category 2, item type 1. */
export function specificity(rule: Pick<CirculationRule, 'branchId' | 'patronCategory' | 'itemType'>): number {
  return (rule.branchId ? 4 : 0) + (rule.patronCategory ? 2 : 0) + (rule.itemType ? 1 : 0);
}

function fieldReason(label: string, ruleValue: string | null, actual: string, names: (v: string) => string) {
  if (ruleValue === null) return { ok: true, reason: `${label}: any` };
  return ruleValue === actual
    ? { ok: true, reason: `${label}: ${names(ruleValue)}` }
    : { ok: false, reason: `${label}: ${names(ruleValue)} ≠ ${names(actual)}` };
}

/**
 * Every rule with whether it matches the scope, most specific first, and the winning rule (the most
 * specific match; the unique index on the three scope fields makes it unambiguous).
 */
export function explainRules(
  rules: readonly CirculationRule[],
  scope: RuleScope,
  names: (kind: 'branch' | 'category' | 'itemType', value: string) => string = (_k, v) => v,
): RuleExplanation {
  const candidates = rules
    .map((rule) => {
      const checks = [
        fieldReason('branch', rule.branchId, scope.branchId, (v) => names('branch', v)),
        fieldReason('patron category', rule.patronCategory, scope.patronCategory, (v) =>
          names('category', v),
        ),
        fieldReason('item type', rule.itemType, scope.itemType, (v) => names('itemType', v)),
      ];
      return {
        rule,
        specificity: specificity(rule),
        matches: checks.every((c) => c.ok),
        reasons: checks.map((c) => c.reason),
      };
    })
    .sort((a, b) => b.specificity - a.specificity || Number(b.matches) - Number(a.matches));
  const winner = candidates.find((c) => c.matches)?.rule ?? null;
  const scopeText = `${names('branch', scope.branchId)} / ${names('category', scope.patronCategory)} / ${names('itemType', scope.itemType)}`;
  const matching = candidates.filter((c) => c.matches).length;
  const summary = winner
    ? `${matching} of ${rules.length} rules match ${scopeText}; the most specific (${describeScope(winner, names)}) wins`
    : `No rule matches ${scopeText}; add a rule (a rule with every field "any" covers everything)`;
  return { scope, candidates, winner, summary };
}

/** The winning rule for a scope, or null. */
export function resolveRule(rules: readonly CirculationRule[], scope: RuleScope): CirculationRule | null {
  let best: CirculationRule | null = null;
  let bestScore = -1;
  for (const rule of rules) {
    if (rule.branchId !== null && rule.branchId !== scope.branchId) continue;
    if (rule.patronCategory !== null && rule.patronCategory !== scope.patronCategory) continue;
    if (rule.itemType !== null && rule.itemType !== scope.itemType) continue;
    const score = specificity(rule);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

/** `CENTRAL / any category / DVD`. */
export function describeScope(
  rule: Pick<CirculationRule, 'branchId' | 'patronCategory' | 'itemType'>,
  names: (kind: 'branch' | 'category' | 'itemType', value: string) => string = (_k, v) => v,
): string {
  return [
    rule.branchId ? names('branch', rule.branchId) : 'any branch',
    rule.patronCategory ? names('category', rule.patronCategory) : 'any category',
    rule.itemType ? names('itemType', rule.itemType) : 'any item type',
  ].join(' / ');
}

/** Problems with a rule's numbers, in words; empty when valid. */
export function ruleProblems(rule: Omit<CirculationRule, 'id'>): string[] {
  const problems: string[] = [];
  const whole = (name: string, value: number | null, min = 0, max = 100_000) => {
    if (value === null) return;
    if (!Number.isSafeInteger(value) || value < min || value > max)
      problems.push(`${name} must be a whole number from ${min} to ${max} (got ${value})`);
  };
  if (rule.loanUnit !== 'days' && rule.loanUnit !== 'hours')
    problems.push(`loanUnit must be "days" or "hours" (got ${String(rule.loanUnit)})`);
  whole('loanPeriod', rule.loanPeriod, 0, rule.loanUnit === 'hours' ? 24 * 366 : 3660);
  whole('renewalsAllowed', rule.renewalsAllowed, 0, 1000);
  whole('renewalPeriod', rule.renewalPeriod, 1, rule.loanUnit === 'hours' ? 24 * 366 : 3660);
  whole('maxLoans', rule.maxLoans, 0, 100_000);
  whole('finePerUnitMinor', rule.finePerUnitMinor, 0, 100_000_000);
  whole('graceUnits', rule.graceUnits, 0, 10_000);
  whole('maxFineMinor', rule.maxFineMinor, 0, MAX_AMOUNT_MINOR);
  whole('holdsAllowed', rule.holdsAllowed, 0, 100_000);
  whole('holdShelfDays', rule.holdShelfDays, 1, 366);
  whole('lostAfterDays', rule.lostAfterDays, 1, 3660);
  whole('lostProcessingFeeMinor', rule.lostProcessingFeeMinor, 0, MAX_AMOUNT_MINOR);
  return problems;
}
