import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant, formatMinor } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { useSession } from '../session.tsx';
import type { PatronCategory } from '../types.ts';
import { BackToAdmin, fieldToMinor, minorToField } from './AdminPage.tsx';
import type { CirculationRule, ItemType, RuleExplanation } from './types.ts';

type RuleBody = Omit<CirculationRule, 'id'>;

/** The rule form's fields, as typed (numbers and amounts as text; '' for "any" or "none"). */
interface Fields {
  branchId: string;
  patronCategory: string;
  itemType: string;
  loanPeriod: string;
  loanUnit: 'days' | 'hours';
  renewalsAllowed: string;
  renewalPeriod: string;
  maxLoans: string;
  finePerUnit: string;
  graceUnits: string;
  maxFine: string;
  holdsAllowed: string;
  holdShelfDays: string;
  lostAfterDays: string;
  lostProcessingFee: string;
  refundLostOnReturn: boolean;
  chargeClosedDays: boolean;
}

const EMPTY: Fields = {
  branchId: '',
  patronCategory: '',
  itemType: '',
  loanPeriod: '21',
  loanUnit: 'days',
  renewalsAllowed: '2',
  renewalPeriod: '',
  maxLoans: '',
  finePerUnit: '0.00',
  graceUnits: '0',
  maxFine: '',
  holdsAllowed: '5',
  holdShelfDays: '7',
  lostAfterDays: '',
  lostProcessingFee: '0.00',
  refundLostOnReturn: true,
  chargeClosedDays: false,
};

function toFields(rule: CirculationRule): Fields {
  const n = (value: number | null) => (value === null ? '' : String(value));
  return {
    branchId: rule.branchId ?? '',
    patronCategory: rule.patronCategory ?? '',
    itemType: rule.itemType ?? '',
    loanPeriod: String(rule.loanPeriod),
    loanUnit: rule.loanUnit,
    renewalsAllowed: String(rule.renewalsAllowed),
    renewalPeriod: n(rule.renewalPeriod),
    maxLoans: n(rule.maxLoans),
    finePerUnit: minorToField(rule.finePerUnitMinor),
    graceUnits: String(rule.graceUnits),
    maxFine: minorToField(rule.maxFineMinor),
    holdsAllowed: String(rule.holdsAllowed),
    holdShelfDays: String(rule.holdShelfDays),
    lostAfterDays: n(rule.lostAfterDays),
    lostProcessingFee: minorToField(rule.lostProcessingFeeMinor),
    refundLostOnReturn: rule.refundLostOnReturn,
    chargeClosedDays: rule.chargeClosedDays,
  };
}

/**
 * The form's fields as a rule, or the label key of the first field that is not a valid number or
 * amount (the server checks ranges and says so in its own words).
 */
function toBody(f: Fields): RuleBody | { invalid: string } {
  let invalid: string | null = null;
  const int = (text: string, label: string): number => {
    if (!/^\d+$/.test(text.trim())) invalid ??= label;
    return Number(text.trim());
  };
  const optInt = (text: string, label: string): number | null =>
    text.trim() === '' ? null : int(text, label);
  const money = (text: string, label: string): number => {
    const minor = fieldToMinor(text);
    if (minor === undefined) invalid ??= label;
    return minor ?? 0;
  };
  const optMoney = (text: string, label: string): number | null =>
    text.trim() === '' ? null : money(text, label);
  const body: RuleBody = {
    branchId: f.branchId || null,
    patronCategory: f.patronCategory || null,
    itemType: f.itemType || null,
    loanPeriod: int(f.loanPeriod, 'admin.rule.loanPeriod'),
    loanUnit: f.loanUnit,
    renewalsAllowed: int(f.renewalsAllowed, 'admin.rule.renewalsAllowed'),
    renewalPeriod: optInt(f.renewalPeriod, 'admin.rule.renewalPeriod'),
    maxLoans: optInt(f.maxLoans, 'admin.rule.maxLoans'),
    finePerUnitMinor: money(f.finePerUnit, 'admin.rule.finePerUnit'),
    graceUnits: int(f.graceUnits, 'admin.rule.graceUnits'),
    maxFineMinor: optMoney(f.maxFine, 'admin.rule.maxFine'),
    holdsAllowed: int(f.holdsAllowed, 'admin.rule.holdsAllowed'),
    holdShelfDays: int(f.holdShelfDays, 'admin.rule.holdShelfDays'),
    lostAfterDays: optInt(f.lostAfterDays, 'admin.rule.lostAfterDays'),
    lostProcessingFeeMinor: money(f.lostProcessingFee, 'admin.rule.lostProcessingFee'),
    refundLostOnReturn: f.refundLostOnReturn,
    chargeClosedDays: f.chargeClosedDays,
  };
  return invalid ? { invalid } : body;
}

/**
 * The circulation rules matrix (`/staff/admin/rules`, policies.manage): every rule with its scope
 * (branch, patron category, item type; "any" where the rule does not narrow it), add, change and
 * delete them; and the explainer, which shows which rule a patron and an item would get and why.
 */
export function RulesPage() {
  const { t, language } = useI18n();
  const { branches, branchName } = useSession();
  const [rules, setRules] = useState<CirculationRule[] | null>(null);
  const [categories, setCategories] = useState<PatronCategory[] | null>([]);
  const [itemTypes, setItemTypes] = useState<ItemType[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  /** The rule being edited: null for none, 'new' for a new one. */
  const [editing, setEditing] = useState<string | null>(null);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formHeadingRef = useRef<HTMLHeadingElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  const load = useCallback(() => {
    Promise.all([call<CirculationRule[]>('adminRules'), call<ItemType[]>('adminItemTypes')]).then(
      ([r, i]) => {
        setRules(r);
        setItemTypes(i);
      },
      (e: unknown) => setError(errorText(e, t)),
    );
    // Category names need patrons.read; without it the codes are shown and typed instead.
    call<PatronCategory[]>('patronCategories').then(setCategories, () => setCategories(null));
  }, [t]);
  useEffect(load, [load]);

  useEffect(() => {
    if (editing) formHeadingRef.current?.focus();
  }, [editing]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const any = t('admin.rule.any');
  const categoryName = (code: string | null) =>
    code === null ? any : (categories?.find((c) => c.code === code)?.name ?? code);
  const typeName = (code: string | null) =>
    code === null ? any : (itemTypes.find((i) => i.code === code)?.name ?? code);
  const branchLabel = (id: string | null) => (id === null ? any : branchName(id));
  const money = (minor: number | null) =>
    minor === null ? t('admin.rule.none') : formatMinor(minor, language);
  /** A number of days or hours, e.g. "1 day", "7 days". */
  const units = (count: number, unit: 'days' | 'hours') =>
    t(count === 1 ? `admin.rule.one.${unit}` : `admin.rule.many.${unit}`, { count });
  const describe = (rule: CirculationRule) =>
    t('admin.rule.describe', {
      branch: branchLabel(rule.branchId),
      category: categoryName(rule.patronCategory),
      type: typeName(rule.itemType),
    });

  function startAdd() {
    setFields(EMPTY);
    setEditing('new');
    setError(null);
    setStatus('');
  }
  function startEdit(rule: CirculationRule) {
    setFields(toFields(rule));
    setEditing(rule.id);
    setError(null);
    setStatus('');
  }
  function cancelEdit() {
    setEditing(null);
    addRef.current?.focus();
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const body = toBody(fields);
    if ('invalid' in body) {
      setError(t('admin.rule.invalidNumber', { field: t(body.invalid) }));
      return;
    }
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const saved =
        editing === 'new'
          ? await call<CirculationRule>('adminRuleCreate', { body })
          : await call<CirculationRule>('adminRuleUpdate', { params: { id: editing ?? '' }, body });
      setStatus(t(editing === 'new' ? 'admin.rule.added' : 'admin.rule.saved', { rule: describe(saved) }));
      setEditing(null);
      setRules(await call<CirculationRule[]>('adminRules'));
      addRef.current?.focus();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function remove(rule: CirculationRule) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await call('adminRuleDelete', { params: { id: rule.id } });
      setStatus(t('admin.rule.deleted', { rule: describe(rule) }));
      setConfirming(null);
      setRules(await call<CirculationRule[]>('adminRules'));
      addRef.current?.focus();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const set = (name: keyof Fields) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setFields((f) => ({
      ...f,
      [name]: e.target.type === 'checkbox' ? Boolean(e.target.checked) : e.target.value,
    }));
  const input = (name: keyof Fields, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`rule-${name}`}>{t(label)}</label>
      <input
        id={`rule-${name}`}
        inputMode={
          name.endsWith('Fee') || name.startsWith('fine') || name === 'maxFine' ? 'decimal' : 'numeric'
        }
        value={fields[name] as string}
        onChange={set(name)}
        aria-describedby={hint ? `rule-${name}-hint` : undefined}
      />
      {hint && (
        <span id={`rule-${name}-hint`} className="hint">
          {t(hint)}
        </span>
      )}
    </div>
  );

  return (
    <>
      <BackToAdmin />
      <PageHeading title={t('admin.rules.title')}>{t('admin.rules.title')}</PageHeading>
      <p>{t('admin.rules.intro')}</p>
      <ErrorMessage text={error} />
      <div role="status" className={status ? 'ok-box' : undefined}>
        {status}
      </div>

      <section aria-labelledby="rules-heading">
        <h2 id="rules-heading">{t('admin.rules.matrix')}</h2>
        {rules === null && !error && <p className="loading">{t('app.loading')}</p>}
        {rules && rules.length === 0 && <p>{t('admin.rules.empty')}</p>}
        {rules && rules.length > 0 && (
          <div className="table-wrap">
            <table className="admin-table">
              <caption className="visually-hidden">{t('admin.rules.matrix')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.rule.branch')}</th>
                  <th scope="col">{t('admin.rule.patronCategory')}</th>
                  <th scope="col">{t('admin.rule.itemType')}</th>
                  <th scope="col">{t('admin.rule.loan')}</th>
                  <th scope="col">{t('admin.rule.renewals')}</th>
                  <th scope="col">{t('admin.rule.fine')}</th>
                  <th scope="col">{t('admin.rule.grace')}</th>
                  <th scope="col">{t('admin.rule.cap')}</th>
                  <th scope="col">{t('admin.rule.holds')}</th>
                  <th scope="col">{t('admin.rule.lostAfter')}</th>
                  <th scope="col">{t('admin.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => (
                  <tr key={rule.id} className={editing === rule.id ? 'editing' : undefined}>
                    <td>{branchLabel(rule.branchId)}</td>
                    <td>{categoryName(rule.patronCategory)}</td>
                    <td>{typeName(rule.itemType)}</td>
                    <td>{units(rule.loanPeriod, rule.loanUnit)}</td>
                    <td>{rule.renewalsAllowed}</td>
                    <td>
                      {money(rule.finePerUnitMinor)} / {t(`admin.rule.per.${rule.loanUnit}`)}
                    </td>
                    <td>{units(rule.graceUnits, rule.loanUnit)}</td>
                    <td>{money(rule.maxFineMinor)}</td>
                    <td>{rule.holdsAllowed}</td>
                    <td>
                      {rule.lostAfterDays === null
                        ? t('admin.rule.never')
                        : units(rule.lostAfterDays, 'days')}
                    </td>
                    <td className="nowrap">
                      {confirming === rule.id ? (
                        <span className="confirm">
                          <span>{t('admin.rule.confirmDelete')}</span>{' '}
                          <button
                            ref={confirmRef}
                            type="button"
                            className="small danger"
                            onClick={() => remove(rule)}
                            disabled={busy}
                          >
                            {t('admin.yesDelete')}
                          </button>{' '}
                          <button
                            type="button"
                            className="small secondary"
                            onClick={() => setConfirming(null)}
                          >
                            {t('admin.cancel')}
                          </button>
                        </span>
                      ) : (
                        <>
                          <button
                            type="button"
                            className="small secondary"
                            onClick={() => startEdit(rule)}
                            aria-label={t('admin.rule.editLabel', { rule: describe(rule) })}
                          >
                            {t('admin.edit')}
                          </button>{' '}
                          <button
                            type="button"
                            className="small secondary"
                            onClick={() => setConfirming(rule.id)}
                            aria-label={t('admin.rule.deleteLabel', { rule: describe(rule) })}
                          >
                            {t('admin.delete')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <button ref={addRef} type="button" onClick={startAdd} disabled={editing === 'new'}>
            {t('admin.rule.add')}
          </button>
        </p>
      </section>

      {editing && (
        <section aria-labelledby="rule-form-heading">
          <h2 id="rule-form-heading" ref={formHeadingRef} tabIndex={-1}>
            {t(editing === 'new' ? 'admin.rule.addTitle' : 'admin.rule.editTitle')}
          </h2>
          <form className="form-grid" onSubmit={save} noValidate>
            <div className="field">
              <label htmlFor="rule-branchId">{t('admin.rule.branch')}</label>
              <select id="rule-branchId" value={fields.branchId} onChange={set('branchId')}>
                <option value="">{any}</option>
                {branches.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="rule-patronCategory">{t('admin.rule.patronCategory')}</label>
              {categories ? (
                <select
                  id="rule-patronCategory"
                  value={fields.patronCategory}
                  onChange={set('patronCategory')}
                >
                  <option value="">{any}</option>
                  {categories.map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name}
                    </option>
                  ))}
                </select>
              ) : (
                <>
                  <input
                    id="rule-patronCategory"
                    value={fields.patronCategory}
                    onChange={set('patronCategory')}
                    aria-describedby="rule-patronCategory-hint"
                  />
                  <span id="rule-patronCategory-hint" className="hint">
                    {t('admin.rule.categoryCodeHint')}
                  </span>
                </>
              )}
            </div>
            <div className="field">
              <label htmlFor="rule-itemType">{t('admin.rule.itemType')}</label>
              <select id="rule-itemType" value={fields.itemType} onChange={set('itemType')}>
                <option value="">{any}</option>
                {itemTypes.map((i) => (
                  <option key={i.code} value={i.code}>
                    {i.name}
                  </option>
                ))}
              </select>
            </div>
            {input('loanPeriod', 'admin.rule.loanPeriod')}
            <div className="field">
              <label htmlFor="rule-loanUnit">{t('admin.rule.loanUnit')}</label>
              <select id="rule-loanUnit" value={fields.loanUnit} onChange={set('loanUnit')}>
                <option value="days">{t('admin.rule.unit.days')}</option>
                <option value="hours">{t('admin.rule.unit.hours')}</option>
              </select>
            </div>
            {input('renewalsAllowed', 'admin.rule.renewalsAllowed')}
            {input('renewalPeriod', 'admin.rule.renewalPeriod', 'admin.rule.renewalPeriodHint')}
            {input('maxLoans', 'admin.rule.maxLoans', 'admin.rule.emptyNoLimit')}
            {input('finePerUnit', 'admin.rule.finePerUnit', 'admin.rule.moneyHint')}
            {input('graceUnits', 'admin.rule.graceUnits')}
            {input('maxFine', 'admin.rule.maxFine', 'admin.rule.emptyNoLimit')}
            {input('holdsAllowed', 'admin.rule.holdsAllowed')}
            {input('holdShelfDays', 'admin.rule.holdShelfDays')}
            {input('lostAfterDays', 'admin.rule.lostAfterDays', 'admin.rule.emptyNever')}
            {input('lostProcessingFee', 'admin.rule.lostProcessingFee', 'admin.rule.moneyHint')}
            <div className="field checkbox-field">
              <input
                id="rule-refundLostOnReturn"
                type="checkbox"
                checked={fields.refundLostOnReturn}
                onChange={set('refundLostOnReturn')}
              />
              <label htmlFor="rule-refundLostOnReturn">{t('admin.rule.refundLostOnReturn')}</label>
            </div>
            <div className="field checkbox-field">
              <input
                id="rule-chargeClosedDays"
                type="checkbox"
                checked={fields.chargeClosedDays}
                onChange={set('chargeClosedDays')}
              />
              <label htmlFor="rule-chargeClosedDays">{t('admin.rule.chargeClosedDays')}</label>
            </div>
            <div className="actions">
              <button type="submit" disabled={busy}>
                {t(editing === 'new' ? 'admin.rule.addSubmit' : 'admin.save')}
              </button>
              <button type="button" className="secondary" onClick={cancelEdit}>
                {t('admin.cancel')}
              </button>
            </div>
          </form>
        </section>
      )}

      <Explainer categories={categories} itemTypes={itemTypes} describe={describe} />
    </>
  );
}

/**
 * The rule explainer: for a branch, a patron (card or category) and an item (barcode or type), every
 * rule with whether it matches and why, the winner highlighted, and what a checkout now would get.
 */
function Explainer({
  categories,
  itemTypes,
  describe,
}: {
  categories: PatronCategory[] | null;
  itemTypes: ItemType[];
  describe(rule: CirculationRule): string;
}) {
  const { t, language } = useI18n();
  const { branch, branches } = useSession();
  const [branchId, setBranchId] = useState(branch.id);
  const [patronBarcode, setPatronBarcode] = useState('');
  const [patronCategory, setPatronCategory] = useState('');
  const [itemBarcode, setItemBarcode] = useState('');
  const [itemType, setItemType] = useState('');
  const [result, setResult] = useState<RuleExplanation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function explain(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await call<RuleExplanation>('adminRuleExplain', {
          query: {
            branchId,
            patronBarcode: patronBarcode.trim() || undefined,
            patronCategory: patronBarcode.trim() ? undefined : patronCategory || undefined,
            itemBarcode: itemBarcode.trim() || undefined,
            itemType: itemBarcode.trim() ? undefined : itemType || undefined,
          },
        }),
      );
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const timeZone = branches.find((b) => b.id === branchId)?.timeZone;
  return (
    <section aria-labelledby="explain-heading">
      <h2 id="explain-heading">{t('admin.explain.title')}</h2>
      <p>{t('admin.explain.intro')}</p>
      <form className="form-grid" onSubmit={explain}>
        <div className="field">
          <label htmlFor="explain-branch">{t('admin.rule.branch')}</label>
          <select id="explain-branch" value={branchId} onChange={(e) => setBranchId(e.target.value)}>
            {branches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="explain-patron">{t('admin.explain.patronBarcode')}</label>
          <input
            id="explain-patron"
            value={patronBarcode}
            onChange={(e) => setPatronBarcode(e.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="explain-category">{t('admin.explain.orCategory')}</label>
          {categories ? (
            <select
              id="explain-category"
              value={patronCategory}
              onChange={(e) => setPatronCategory(e.target.value)}
            >
              <option value="">{t('admin.explain.choose')}</option>
              {categories.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="explain-category"
              value={patronCategory}
              onChange={(e) => setPatronCategory(e.target.value.trim())}
              autoComplete="off"
            />
          )}
        </div>
        <div className="field">
          <label htmlFor="explain-item">{t('admin.explain.itemBarcode')}</label>
          <input
            id="explain-item"
            value={itemBarcode}
            onChange={(e) => setItemBarcode(e.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="explain-type">{t('admin.explain.orType')}</label>
          <select id="explain-type" value={itemType} onChange={(e) => setItemType(e.target.value)}>
            <option value="">{t('admin.explain.choose')}</option>
            {itemTypes.map((i) => (
              <option key={i.code} value={i.code}>
                {i.name}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('admin.explain.submit')}
          </button>
        </div>
      </form>
      <ErrorMessage text={error} />
      <div role="status">
        {result && (
          <p className={result.winner ? 'ok-box' : 'warning-box'}>
            {result.winner
              ? t('admin.explain.winner', { rule: describe(result.winner) })
              : t('admin.explain.noWinner')}{' '}
            {result.summary}
          </p>
        )}
      </div>
      {result && (
        <div className="explanation">
          {result.outcome && (
            <dl className="facts">
              <dt>{t('admin.explain.due')}</dt>
              <dd>
                {formatInstant(result.outcome.dueAt, language, timeZone)}
                {result.outcome.dueDateNote && <span className="note"> · {result.outcome.dueDateNote}</span>}
              </dd>
              <dt>{t('admin.rule.loan')}</dt>
              <dd>{result.outcome.loan}</dd>
              <dt>{t('admin.rule.renewals')}</dt>
              <dd>{result.outcome.renewals}</dd>
              <dt>{t('admin.rule.fine')}</dt>
              <dd>{result.outcome.fine}</dd>
              <dt>{t('admin.explain.limits')}</dt>
              <dd>{result.outcome.limits}</dd>
              <dt>{t('admin.rule.holds')}</dt>
              <dd>{result.outcome.holds}</dd>
              <dt>{t('admin.explain.lost')}</dt>
              <dd>{result.outcome.lost}</dd>
            </dl>
          )}
          <h3>{t('admin.explain.candidates')}</h3>
          <ul className="candidates">
            {result.candidates.map((c) => {
              const won = result.winner?.id === c.rule.id;
              return (
                <li key={c.rule.id} className={won ? 'winner' : c.matches ? 'matches' : 'no-match'}>
                  <strong>{describe(c.rule)}</strong>{' '}
                  <span className="tag">
                    {won
                      ? t('admin.explain.winnerTag')
                      : c.matches
                        ? t('admin.explain.matchesTag')
                        : t('admin.explain.noMatchTag')}
                  </span>{' '}
                  <span className="note">{t('admin.explain.specificity', { n: c.specificity })}</span>
                  <ul>
                    {c.reasons.map((r, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: reasons are fixed text, in order
                      <li key={i}>{r}</li>
                    ))}
                  </ul>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}
