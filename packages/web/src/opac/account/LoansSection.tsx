import type { Static } from '@sinclair/typebox';
import type { Loan, RenewResponse } from '@stacks/contract';
import { useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { useBranches } from '../branches.ts';
import { OPAC_ENDPOINTS } from '../endpoints.ts';
import { formatInstant } from '../format.ts';
import { Link } from '../router.tsx';
import { errorText, LiveMessage, type Outcome } from '../ui.tsx';
import { usePatronRequest } from './use-patron-request.ts';

type Renewed = Static<typeof RenewResponse>;
type Loaded = { state: 'loading' } | { state: 'ready'; loans: Loan[] } | { state: 'failed'; error: string };

/** My loans, each with its due date and a Renew button; a refusal is announced with its reason. */
export function LoansSection() {
  const { t, language } = useI18n();
  const call = usePatronRequest();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { branchName } = useBranches();

  useEffect(() => {
    let live = true;
    call<Loan[]>(OPAC_ENDPOINTS.myLoans)
      .then((loans) => live && setLoaded({ state: 'ready', loans }))
      .catch((error: unknown) => live && setLoaded({ state: 'failed', error: errorText(error, t) }));
    return () => {
      live = false;
    };
  }, [call, t]);

  async function renew(loan: Loan) {
    if (busy) return;
    setBusy(loan.id);
    setOutcome(null);
    try {
      const answer = await call<Renewed>(OPAC_ENDPOINTS.myRenew, { params: { id: loan.id } });
      setLoaded((now) =>
        now.state === 'ready'
          ? { state: 'ready', loans: now.loans.map((l) => (l.id === loan.id ? answer.loan : l)) }
          : now,
      );
      setOutcome({
        kind: 'ok',
        text: (t, language) =>
          [
            t('loans.renewed', { title: loan.title, due: formatInstant(answer.loan.dueAt, language) }),
            answer.dueDateNote,
          ]
            .filter(Boolean)
            .join(' '),
      });
    } catch (error) {
      setOutcome({
        kind: 'error',
        text: (t) => t('loans.notRenewed', { title: loan.title, reason: errorText(error, t) }),
      });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="loans-heading" className="account-section">
      <h2 id="loans-heading" tabIndex={-1}>
        {t('loans.heading')}
      </h2>
      <LiveMessage outcome={outcome} />
      {loaded.state === 'loading' ? (
        <p>{t('common.loading')}</p>
      ) : loaded.state === 'failed' ? (
        <p className="message message-error">{loaded.error}</p>
      ) : loaded.loans.length === 0 ? (
        <p>{t('loans.none')}</p>
      ) : (
        <ul className="cards">
          {loaded.loans.map((loan) => {
            const titleId = `loan-${loan.id}`;
            return (
              <li key={loan.id} className={loan.overdue ? 'card overdue' : 'card'}>
                <h3 id={titleId}>
                  <Link to={`/record/${loan.recordId}`}>{loan.title}</Link>
                </h3>
                {loan.author ? <p className="byline">{loan.author}</p> : null}
                <p>
                  {loan.overdue ? <strong className="badge">{t('loans.overdue')}</strong> : null}{' '}
                  {t('loans.due', { due: formatInstant(loan.dueAt, language) })}
                </p>
                <p className="meta">
                  {t('loans.from', { branch: branchName(loan.branchId) })}
                  {' · '}
                  {t(
                    `loans.renewals.${loan.renewals === 0 ? 'zero' : loan.renewals === 1 ? 'one' : 'other'}`,
                    { n: loan.renewals },
                  )}
                </p>
                <button
                  type="button"
                  onClick={() => renew(loan)}
                  aria-describedby={titleId}
                  aria-disabled={busy !== null}
                >
                  {busy === loan.id ? t('loans.renewing') : t('loans.renew')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** My reading history (only when I chose to keep it): the titles I borrowed, newest first. */
export function HistorySection() {
  const { t, language } = useI18n();
  const call = usePatronRequest();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    call<Loan[]>(OPAC_ENDPOINTS.myLoans, { query: { which: 'history', pageSize: 50 } })
      .then((loans) => live && setLoaded({ state: 'ready', loans }))
      .catch((error: unknown) => live && setLoaded({ state: 'failed', error: errorText(error, t) }));
    return () => {
      live = false;
    };
  }, [call, t]);
  return (
    <section aria-labelledby="history-heading" className="account-section">
      <h2 id="history-heading">{t('history.heading')}</h2>
      {loaded.state === 'loading' ? (
        <p>{t('common.loading')}</p>
      ) : loaded.state === 'failed' ? (
        <p className="message message-error">{loaded.error}</p>
      ) : loaded.loans.length === 0 ? (
        <p>{t('history.none')}</p>
      ) : (
        <ul className="history">
          {loaded.loans.map((loan) => (
            <li key={loan.id}>
              <Link to={`/record/${loan.recordId}`}>{loan.title}</Link>
              {loan.author ? ` — ${loan.author}` : ''}{' '}
              <span className="meta">
                {t('history.borrowed', { date: formatInstant(loan.checkedOutAt, language) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
