import { isUniqueViolation } from '../../db/errors.ts';
import type { CirculationRuleRow } from '../../db/schema.ts';
import type { Actor } from '../../kernel/actor.ts';
import { newId } from '../../kernel/ids.ts';
import { formatMinor } from '../../kernel/money.ts';
import { recordAudit } from '../audit/index.ts';
import { circulationItemByBarcode } from '../catalog/index.ts';
import * as repo from './circulation-repository.ts';
import { type CirculationContext, fail, toRule } from './context.ts';
import { computeDueDate } from './due-date.ts';
import { type CirculationRule, explainRules, type RuleExplanation, ruleProblems } from './rules.ts';

export type RuleInput = Omit<CirculationRule, 'id'>;

function toRow(id: string, input: RuleInput, at: string, createdAt = at): CirculationRuleRow {
  return {
    id,
    branch_id: input.branchId,
    patron_category: input.patronCategory,
    item_type: input.itemType,
    loan_period: input.loanPeriod,
    loan_unit: input.loanUnit,
    renewals_allowed: input.renewalsAllowed,
    renewal_period: input.renewalPeriod,
    max_loans: input.maxLoans,
    fine_per_unit_minor: input.finePerUnitMinor,
    grace_units: input.graceUnits,
    max_fine_minor: input.maxFineMinor,
    holds_allowed: input.holdsAllowed,
    hold_shelf_days: input.holdShelfDays,
    lost_after_days: input.lostAfterDays,
    lost_processing_fee_minor: input.lostProcessingFeeMinor,
    refund_lost_on_return: input.refundLostOnReturn,
    charge_closed_days: input.chargeClosedDays,
    created_at: createdAt,
    updated_at: at,
  };
}

/** What the explainer answers: which rule applies, why, and what it means for this loan. */
export interface RuleExplainerAnswer extends RuleExplanation {
  /** The outcome of a checkout now under the winning rule; null when no rule matches. */
  outcome: {
    dueAt: string;
    dueDateNote: string | null;
    loan: string;
    renewals: string;
    fine: string;
    limits: string;
    holds: string;
    lost: string;
  } | null;
}

/** The circulation rules matrix: list, add, change, remove, and the rule explainer. */
export function createPolicyService(ctx: CirculationContext) {
  const { db, clock } = ctx;

  function check(input: RuleInput): void {
    const problems = ruleProblems(input);
    if (problems.length > 0) fail('INVALID_CIRCULATION_RULE', problems.join('; '), { problems });
  }

  async function scopeChecks(input: RuleInput): Promise<void> {
    if (input.branchId) await ctx.branch(input.branchId);
  }

  function mapUnique(error: unknown): never {
    if (isUniqueViolation(error))
      fail(
        'CIRCULATION_RULE_EXISTS',
        'A rule for this branch, patron category and item type exists already; change it instead',
      );
    if (error instanceof Error && /foreign key/i.test(error.message))
      fail('INVALID_CIRCULATION_RULE', 'The patron category or item type does not exist');
    throw error;
  }

  return {
    async list(): Promise<CirculationRule[]> {
      return (await repo.findRules(db)).map(toRule);
    },

    async create(actor: Actor, input: RuleInput): Promise<CirculationRule> {
      check(input);
      await scopeChecks(input);
      const now = clock.now();
      const id = newId(now.getTime());
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertRule(trx, toRow(id, input, now.toISOString()));
          await recordAudit(trx, now, actor, {
            action: 'rule.created',
            entityType: 'circulation_rule',
            entityId: id,
            changes: input,
          });
        });
      } catch (error) {
        mapUnique(error);
      }
      return { id, ...input };
    },

    async update(actor: Actor, id: string, changes: Partial<RuleInput>): Promise<CirculationRule> {
      const now = clock.now();
      const before = await repo.findRule(db, id);
      if (!before) fail('RULE_NOT_FOUND', `No circulation rule has the id ${id}`, { ruleId: id });
      const { id: _id, ...current } = toRule(before);
      const next = { ...current, ...changes };
      check(next);
      await scopeChecks(next);
      try {
        await db.transaction().execute(async (trx) => {
          // updated_at always moves forward, so every process's cached matrix sees the change (its
          // change marker is the count and the latest updated_at), even for two edits in one millisecond.
          const at = new Date(Math.max(now.getTime(), Date.parse(before.updated_at) + 1)).toISOString();
          await repo.updateRule(trx, id, toRow(id, next, at, before.created_at));
          await recordAudit(trx, now, actor, {
            action: 'rule.updated',
            entityType: 'circulation_rule',
            entityId: id,
            changes,
          });
        });
      } catch (error) {
        mapUnique(error);
      }
      return { id, ...next };
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await repo.findRule(trx, id);
        if (!before) fail('RULE_NOT_FOUND', `No circulation rule has the id ${id}`, { ruleId: id });
        await repo.deleteRule(trx, id);
        await recordAudit(trx, now, actor, {
          action: 'rule.deleted',
          entityType: 'circulation_rule',
          entityId: id,
          changes: { ...toRule(before) },
        });
      });
    },

    /**
     * Which rule applies to this patron (or category) and this item (or item type) at this branch, and
     * why: every candidate with its reasons, the winner, and what a checkout now would get.
     */
    async explain(q: {
      branchId: string;
      patronBarcode?: string;
      patronCategory?: string;
      itemBarcode?: string;
      itemType?: string;
    }): Promise<RuleExplainerAnswer> {
      const branch = await ctx.branch(q.branchId);
      const calendars = await ctx.calendars();
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        let category = q.patronCategory;
        if (q.patronBarcode) category = (await ctx.ports.patrons.byCard(trx, q.patronBarcode)).categoryCode;
        let itemType = q.itemType;
        if (q.itemBarcode) {
          const item = await circulationItemByBarcode(trx, q.itemBarcode);
          if (!item)
            fail('ITEM_NOT_FOUND', `No item has the barcode ${q.itemBarcode}`, {
              itemBarcode: q.itemBarcode,
            });
          itemType = item.itemType;
        }
        if (!category)
          fail(
            'INVALID_CIRCULATION_RULE',
            'Say which patron (patronBarcode) or patron category to explain for',
          );
        if (!itemType)
          fail('INVALID_CIRCULATION_RULE', 'Say which item (itemBarcode) or item type to explain for');
        const names = (kind: 'branch' | 'category' | 'itemType', value: string) =>
          kind === 'branch' ? (calendars.get(value)?.code ?? value) : value;
        const explanation = explainRules(
          await ctx.rules(trx),
          { branchId: branch.id, patronCategory: category, itemType },
          names,
        );
        const rule = explanation.winner;
        if (!rule) return { ...explanation, outcome: null };
        const money = (minor: number) => formatMinor(minor, ctx.currency);
        const unit = rule.loanUnit === 'hours' ? 'hour' : 'day';
        const due = computeDueDate(now, rule.loanPeriod, rule.loanUnit, branch);
        return {
          ...explanation,
          outcome: {
            dueAt: due.dueAt.toISOString(),
            dueDateNote: due.adjustment,
            loan: rule.loanPeriod === 0 ? 'does not go out (loan period 0)' : `${rule.loanPeriod} ${unit}s`,
            renewals: `${rule.renewalsAllowed} renewal${rule.renewalsAllowed === 1 ? '' : 's'} of ${rule.renewalPeriod ?? rule.loanPeriod} ${unit}s`,
            fine: `${money(rule.finePerUnitMinor)} per ${unit} after ${rule.graceUnits} ${unit}s' grace${rule.maxFineMinor === null ? ', no cap' : `, at most ${money(rule.maxFineMinor)}`}${rule.chargeClosedDays ? '' : '; closed days not charged'}`,
            limits:
              rule.maxLoans === null
                ? 'only the patron category’s loan limit'
                : `${rule.maxLoans} such items at once`,
            holds:
              rule.holdsAllowed === 0
                ? 'no holds'
                : `${rule.holdsAllowed} holds; ${rule.holdShelfDays} days on the hold shelf`,
            lost:
              rule.lostAfterDays === null
                ? 'never declared lost automatically'
                : `lost after ${rule.lostAfterDays} days overdue: replacement price + ${money(rule.lostProcessingFeeMinor)}${rule.refundLostOnReturn ? ', refunded if returned' : ''}`,
          },
        };
      });
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
