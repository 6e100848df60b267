import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant, formatMinor } from '../format.ts';
import { ErrorMessage } from '../Page.tsx';
import { useSession } from '../session.tsx';
import type { AccountEntry, AccountPosting, Dispute, PatronAccount, PaymentResult } from './account-types.ts';
import { Feedback, TableWrap, TextField, useAction } from './action.tsx';
import { DisputesList } from './DisputesList.tsx';
import { endpointHref, newIdempotencyKey, parseMinor } from './money.ts';

const CREDIT_KINDS = new Set(['payment', 'waiver', 'writeoff', 'lost_returned', 'refund']);

/** Whether a line is a charge still owed (one a payment, waiver or dispute can be about). */
function isOwedCharge(line: AccountEntry): boolean {
  return !CREDIT_KINDS.has(line.kind) && line.outstandingMinor > 0;
}

/**
 * The patron's account at the desk: totals, every line (payments with their receipts), disputes, and
 * the forms to take a payment, waive charges, write off everything owed and refund credit (those three
 * with `fines.waive`), and record a dispute; the disputes are listed to be noted and resolved. `onChanged`
 * tells the page the balance moved (so the desk summary follows).
 */
export function AccountSection({ patronId, onChanged }: { patronId: string; onChanged(): void }) {
  const { t, language } = useI18n();
  const { can, branch } = useSession();
  const [account, setAccount] = useState<PatronAccount | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const action = useAction();
  const money = (minor: number) => formatMinor(minor, language);

  const load = useCallback(async () => {
    try {
      setAccount(await call<PatronAccount>('patronAccount', { params: { id: patronId } }));
      setLoadError(null);
    } catch (e) {
      setLoadError(errorText(e, t));
    }
  }, [patronId, t]);

  useEffect(() => {
    void load();
  }, [load]);

  const afterChange = async () => {
    await load();
    onChanged();
  };

  // ---- payment: one idempotency key per payment meant, kept for a retry, dropped once it went through
  const [payAmount, setPayAmount] = useState('');
  const [payMethod, setPayMethod] = useState<'cash' | 'card' | 'other'>('cash');
  const payKey = useRef<string | null>(null);
  const pay = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    if (payAmount.trim() === '') return action.refuse(t('account.amountNeeded'));
    const amountMinor = parseMinor(payAmount);
    if (amountMinor === null) return action.refuse(t('account.badAmount', { text: payAmount }));
    payKey.current ??= newIdempotencyKey();
    const idempotencyKey = payKey.current;
    await action.run(async () => {
      const result = await call<PaymentResult>('patronPayment', {
        params: { id: patronId },
        body: { amountMinor, method: payMethod, idempotencyKey },
      });
      payKey.current = null;
      setPayAmount('');
      await afterChange();
      return (
        <>
          {t('account.paid', {
            amount: money(amountMinor),
            receipt: result.receiptNumber,
            balance: money(result.balanceAfterMinor),
          })}{' '}
          <a href={endpointHref('paymentReceipt', { id: result.line.id })} target="_blank" rel="noopener">
            {t('account.printReceipt')}
          </a>
        </>
      );
    });
  };

  // ---- waiver
  const [waiveCharge, setWaiveCharge] = useState('');
  const [waiveAmount, setWaiveAmount] = useState('');
  const [waiveReason, setWaiveReason] = useState('');
  const waive = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy || !account) return;
    const chargeIds = waiveCharge ? [waiveCharge] : account.lines.filter(isOwedCharge).map((l) => l.id);
    if (chargeIds.length === 0) return action.refuse(t('account.nothingToWaive'));
    let amountMinor: number | null = null;
    if (waiveAmount.trim() !== '') {
      amountMinor = parseMinor(waiveAmount);
      if (amountMinor === null) return action.refuse(t('account.badAmount', { text: waiveAmount }));
    }
    if (!waiveReason.trim()) return action.refuse(t('account.reasonNeeded'));
    await action.run(async () => {
      const result = await call<AccountPosting>('patronWaiver', {
        params: { id: patronId },
        body: { chargeIds, amountMinor, reason: waiveReason.trim() },
      });
      setWaiveAmount('');
      setWaiveReason('');
      setWaiveCharge('');
      await afterChange();
      return t('account.waived', {
        amount: money(-result.line.amountMinor),
        balance: money(result.balanceAfterMinor),
      });
    });
  };

  // ---- dispute
  const [disputeCharge, setDisputeCharge] = useState('');
  const [complaint, setComplaint] = useState('');
  const dispute = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy || !account) return;
    const chargeIds = disputeCharge ? [disputeCharge] : account.lines.filter(isOwedCharge).map((l) => l.id);
    if (chargeIds.length === 0) return action.refuse(t('account.nothingToDispute'));
    if (!complaint.trim()) return action.refuse(t('account.complaintNeeded'));
    await action.run(async () => {
      await call<Dispute>('patronDispute', {
        params: { id: patronId },
        body: { chargeIds, complaint: complaint.trim() },
      });
      setComplaint('');
      setDisputeCharge('');
      await afterChange();
      return t('account.disputed.done');
    });
  };

  // ---- write-off of everything owed
  const [writeOffReason, setWriteOffReason] = useState('');
  const writeOff = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy || !account) return;
    if (account.totals.outstandingMinor <= 0) return action.refuse(t('account.nothingToWriteOff'));
    if (!writeOffReason.trim()) return action.refuse(t('account.writeOffReasonNeeded'));
    await action.run(async () => {
      const result = await call<AccountPosting>('patronWriteOff', {
        params: { id: patronId },
        body: { reason: writeOffReason.trim() },
      });
      setWriteOffReason('');
      await afterChange();
      return t('account.writtenOff', {
        amount: money(-result.line.amountMinor),
        balance: money(result.balanceAfterMinor),
      });
    });
  };

  // ---- refund out of the patron's unused credit
  const [refundAmount, setRefundAmount] = useState('');
  const [refundMethod, setRefundMethod] = useState<'cash' | 'card' | 'other'>('cash');
  const [refundReason, setRefundReason] = useState('');
  const refund = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy || !account) return;
    const credit = account.totals.creditMinor;
    if (credit <= 0) return action.refuse(t('account.noCredit'));
    if (refundAmount.trim() === '') return action.refuse(t('account.refundAmountNeeded'));
    const amountMinor = parseMinor(refundAmount);
    if (amountMinor === null) return action.refuse(t('account.badAmount', { text: refundAmount }));
    if (amountMinor > credit) return action.refuse(t('account.refundTooMuch', { credit: money(credit) }));
    if (!refundReason.trim()) return action.refuse(t('account.refundReasonNeeded'));
    await action.run(async () => {
      const result = await call<AccountPosting>('patronRefund', {
        params: { id: patronId },
        body: { amountMinor, method: refundMethod, reason: refundReason.trim() },
      });
      setRefundAmount('');
      setRefundReason('');
      await afterChange();
      return t('account.refunded', {
        amount: money(result.line.amountMinor),
        balance: money(result.balanceAfterMinor),
      });
    });
  };

  if (loadError)
    return (
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">{t('account.title')}</h2>
        <ErrorMessage text={loadError} />
      </section>
    );
  if (!account)
    return (
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">{t('account.title')}</h2>
        <p className="loading">{t('app.loading')}</p>
      </section>
    );

  const owed = account.lines.filter(isOwedCharge);
  const { totals } = account;
  const chargeOptions = (
    <>
      <option value="">{t('account.allCharges')}</option>
      {owed.map((l) => (
        <option key={l.id} value={l.id}>
          {t('account.chargeOption', { description: l.description, amount: money(l.outstandingMinor) })}
        </option>
      ))}
    </>
  );

  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">{t('account.title')}</h2>
      <dl className="facts">
        <div>
          <dt>{t('account.balance')}</dt>
          <dd className={totals.balanceMinor > 0 ? 'bad' : undefined} id="account-balance">
            {money(totals.balanceMinor)} {account.currency}
          </dd>
        </div>
        <div>
          <dt>{t('account.outstanding')}</dt>
          <dd>{money(totals.outstandingMinor)}</dd>
        </div>
        <div>
          <dt>{t('account.credit')}</dt>
          <dd>{money(totals.creditMinor)}</dd>
        </div>
        <div>
          <dt>{t('account.disputed')}</dt>
          <dd>{money(totals.disputedMinor)}</dd>
        </div>
      </dl>

      <Feedback done={action.done} error={action.error} />

      {can('fines.collect') && (
        <form className="form-grid" onSubmit={pay} aria-labelledby="pay-heading">
          <h3 id="pay-heading" className="actions">
            {t('account.payTitle')}
          </h3>
          <TextField
            id="pay-amount"
            label={t('account.amount')}
            value={payAmount}
            onChange={(value) => {
              payKey.current = null;
              setPayAmount(value);
            }}
            decimal
            hint={t('account.amountHint')}
          />
          <div className="field">
            <label htmlFor="pay-method">{t('account.method')}</label>
            <select
              id="pay-method"
              value={payMethod}
              onChange={(e) => {
                payKey.current = null;
                setPayMethod(e.target.value as 'cash' | 'card' | 'other');
              }}
            >
              <option value="cash">{t('account.method.cash')}</option>
              <option value="card">{t('account.method.card')}</option>
              <option value="other">{t('account.method.other')}</option>
            </select>
          </div>
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('account.pay')}
            </button>
          </div>
        </form>
      )}

      {can('fines.waive') && (
        <form className="form-grid" onSubmit={waive} aria-labelledby="waive-heading">
          <h3 id="waive-heading" className="actions">
            {t('account.waiveTitle')}
          </h3>
          <div className="field">
            <label htmlFor="waive-charge">{t('account.charge')}</label>
            <select id="waive-charge" value={waiveCharge} onChange={(e) => setWaiveCharge(e.target.value)}>
              {chargeOptions}
            </select>
          </div>
          <TextField
            id="waive-amount"
            label={t('account.waiveAmount')}
            value={waiveAmount}
            onChange={setWaiveAmount}
            decimal
            hint={t('account.waiveAmountHint')}
          />
          <TextField
            id="waive-reason"
            label={t('account.reason')}
            value={waiveReason}
            onChange={setWaiveReason}
            required
            maxLength={2000}
          />
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('account.waive')}
            </button>
          </div>
        </form>
      )}

      {can('fines.waive') && (
        <form className="form-grid" onSubmit={writeOff} aria-labelledby="writeoff-heading">
          <h3 id="writeoff-heading" className="actions">
            {t('account.writeOffTitle')}
          </h3>
          <p id="writeoff-hint" className="hint actions">
            {t('account.writeOffHint', { amount: money(totals.outstandingMinor) })}
          </p>
          <TextField
            id="writeoff-reason"
            label={t('account.writeOffReason')}
            value={writeOffReason}
            onChange={setWriteOffReason}
            required
            maxLength={2000}
            describedBy="writeoff-hint"
          />
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('account.writeOff')}
            </button>
          </div>
        </form>
      )}

      {can('fines.waive') && (
        <form className="form-grid" onSubmit={refund} aria-labelledby="refund-heading">
          <h3 id="refund-heading" className="actions">
            {t('account.refundTitle')}
          </h3>
          <TextField
            id="refund-amount"
            label={t('account.refundAmount')}
            value={refundAmount}
            onChange={setRefundAmount}
            decimal
            required
            hint={t('account.refundAmountHint', { credit: money(totals.creditMinor) })}
          />
          <div className="field">
            <label htmlFor="refund-method">{t('account.refundMethod')}</label>
            <select
              id="refund-method"
              value={refundMethod}
              onChange={(e) => setRefundMethod(e.target.value as 'cash' | 'card' | 'other')}
            >
              <option value="cash">{t('account.method.cash')}</option>
              <option value="card">{t('account.method.card')}</option>
              <option value="other">{t('account.method.other')}</option>
            </select>
          </div>
          <TextField
            id="refund-reason"
            label={t('account.refundReason')}
            value={refundReason}
            onChange={setRefundReason}
            required
            maxLength={2000}
          />
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('account.refund')}
            </button>
          </div>
        </form>
      )}

      {can('fines.collect') && (
        <form className="form-grid" onSubmit={dispute} aria-labelledby="dispute-heading">
          <h3 id="dispute-heading" className="actions">
            {t('account.disputeTitle')}
          </h3>
          <div className="field">
            <label htmlFor="dispute-charge">{t('account.charge')}</label>
            <select
              id="dispute-charge"
              value={disputeCharge}
              onChange={(e) => setDisputeCharge(e.target.value)}
            >
              {chargeOptions}
            </select>
          </div>
          <TextField
            id="dispute-complaint"
            label={t('account.complaint')}
            value={complaint}
            onChange={setComplaint}
            required
            maxLength={2000}
          />
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {t('account.dispute')}
            </button>
          </div>
        </form>
      )}

      <h3>{t('account.lines', { count: account.lines.length })}</h3>
      {account.lines.length === 0 ? (
        <p>{t('account.noLines')}</p>
      ) : (
        <TableWrap label={t('account.linesCaption')}>
          <table>
            <caption className="visually-hidden">{t('account.linesCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('account.when')}</th>
                <th scope="col">{t('account.what')}</th>
                <th scope="col">{t('account.amount')}</th>
                <th scope="col">{t('account.stillOwed')}</th>
                <th scope="col">{t('loan.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {account.lines.map((l) => (
                <tr key={l.id}>
                  <td>{formatInstant(l.createdAt, language, branch.timeZone)}</td>
                  <td>
                    {t(`account.kind.${l.kind}`)}: {l.description}
                    {l.reason && <span className="note"> · {l.reason}</span>}
                    {l.disputeId && <span className="note"> · {t('account.underDispute')}</span>}
                  </td>
                  <td>{money(l.amountMinor)}</td>
                  <td>{CREDIT_KINDS.has(l.kind) ? '—' : money(l.outstandingMinor)}</td>
                  <td>
                    {l.kind === 'payment' && can('fines.collect') ? (
                      <a href={endpointHref('paymentReceipt', { id: l.id })} target="_blank" rel="noopener">
                        {t('account.receiptFor', { amount: money(-l.amountMinor) })}
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}

      <DisputesList disputes={account.disputes} lines={account.lines} onChanged={afterChange} />
    </section>
  );
}
