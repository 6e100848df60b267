import type { PatronAccount } from '@stacks/contract';
import { useEffect, useState } from 'react';
import { ApiError } from '../../common/api.ts';
import { useI18n } from '../../common/i18n.ts';
import { OPAC_ENDPOINTS } from '../endpoints.ts';
import { formatInstant, formatMoney } from '../format.ts';
import { errorText } from '../ui.tsx';
import { usePatronRequest } from './use-patron-request.ts';

type Loaded =
  | { state: 'loading' }
  | { state: 'ready'; account: PatronAccount }
  | { state: 'unavailable' }
  | { state: 'failed'; error: string };

/**
 * My fines and fees: what I owe, any credit, and every charge and payment (newest first) with what is
 * still owed on each. Paying happens at the desk; the page says so.
 */
export function FinesSection() {
  const { t, language } = useI18n();
  const call = usePatronRequest();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    call<PatronAccount>(OPAC_ENDPOINTS.myAccount)
      .then((account) => live && setLoaded({ state: 'ready', account }))
      .catch((error: unknown) => {
        if (!live) return;
        // A server without the self-service account route: say where to ask instead.
        if (error instanceof ApiError && (error.status === 404 || error.status === 405))
          setLoaded({ state: 'unavailable' });
        else setLoaded({ state: 'failed', error: errorText(error, t) });
      });
    return () => {
      live = false;
    };
  }, [call, t]);

  const money = (minor: number, currency: string) => formatMoney(minor, currency, language);

  return (
    <section aria-labelledby="fines-heading" className="account-section">
      <h2 id="fines-heading">{t('fines.heading')}</h2>
      {loaded.state === 'loading' ? (
        <p>{t('common.loading')}</p>
      ) : loaded.state === 'unavailable' ? (
        <p>{t('fines.unavailable')}</p>
      ) : loaded.state === 'failed' ? (
        <p className="message message-error">{loaded.error}</p>
      ) : (
        <>
          <p className="balance">
            {loaded.account.totals.outstandingMinor > 0
              ? t('fines.owe', {
                  amount: money(loaded.account.totals.outstandingMinor, loaded.account.currency),
                })
              : t('fines.nothingOwed')}
            {loaded.account.totals.creditMinor > 0
              ? ` ${t('fines.credit', { amount: money(loaded.account.totals.creditMinor, loaded.account.currency) })}`
              : ''}
          </p>
          {loaded.account.totals.disputedMinor > 0 ? (
            <p>
              {t('fines.disputed', {
                amount: money(loaded.account.totals.disputedMinor, loaded.account.currency),
              })}
            </p>
          ) : null}
          {loaded.account.lines.length > 0 ? (
            <div className="table-scroll">
              <table>
                <caption>{t('fines.history')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('fines.date')}</th>
                    <th scope="col">{t('fines.description')}</th>
                    <th scope="col" className="number">
                      {t('fines.amount')}
                    </th>
                    <th scope="col" className="number">
                      {t('fines.stillOwed')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {loaded.account.lines.map((line) => (
                    <tr key={line.id}>
                      <td>{formatInstant(line.createdAt, language)}</td>
                      <td>
                        {line.description}
                        {line.disputeId ? <span className="note"> ({t('fines.underDispute')})</span> : null}
                      </td>
                      <td className="number">{money(line.amountMinor, line.currency)}</td>
                      <td className="number">
                        {line.outstandingMinor > 0 ? money(line.outstandingMinor, line.currency) : '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <p className="hint">{t('fines.payAtDesk')}</p>
        </>
      )}
    </section>
  );
}
