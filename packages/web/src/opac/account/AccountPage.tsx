import { useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { formatDate } from '../format.ts';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { errorText, LiveMessage, type Outcome, PageHeading, useDocumentTitle } from '../ui.tsx';
import { DetailsSection } from './DetailsSection.tsx';
import { FinesSection } from './FinesSection.tsx';
import { HoldsSection } from './HoldsSection.tsx';
import { HistorySection, LoansSection } from './LoansSection.tsx';

/**
 * My account: the signed-in patron's loans (renew), holds (cancel, suspend, resume, change pickup),
 * fines and fees, reading history, contact details and notice preferences, and signing out.
 * Signed-out visitors are sent to sign in and brought back here.
 */
export function AccountPage() {
  const { t, language } = useI18n();
  const session = useSession();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  useDocumentTitle(t('account.title'));

  useEffect(() => {
    if (session.status === 'signed-out')
      navigate(`/login?next=${encodeURIComponent('/account')}`, { replace: true });
  }, [session.status]);

  if (session.status !== 'signed-in' || !session.me)
    return (
      <>
        <PageHeading>{t('account.title')}</PageHeading>
        <p role="status">{t('common.loading')}</p>
      </>
    );

  const { patron } = session.me;

  async function signOut() {
    try {
      await session.signOut();
      navigate('/');
    } catch (error) {
      setOutcome({ kind: 'error', text: (t) => errorText(error, t) });
    }
  }

  return (
    <>
      <div className="account-head">
        <div>
          <PageHeading>{t('account.title')}</PageHeading>
          <p>
            {t('account.signedInAs', {
              name: `${patron.firstName} ${patron.lastName}`,
              card: patron.cardBarcode,
            })}
            <br />
            {t('account.expires', { date: formatDate(patron.expiresOn, language) })}
          </p>
        </div>
        <button type="button" onClick={signOut}>
          {t('nav.signOut')}
        </button>
      </div>
      <LiveMessage outcome={outcome} />
      <nav aria-label={t('account.sections')} className="section-nav">
        <ul>
          <li>
            <a href="#loans-heading">{t('loans.heading')}</a>
          </li>
          <li>
            <a href="#holds-heading">{t('holds.heading')}</a>
          </li>
          <li>
            <a href="#fines-heading">{t('fines.heading')}</a>
          </li>
          {patron.keepHistory ? (
            <li>
              <a href="#history-heading">{t('history.heading')}</a>
            </li>
          ) : null}
          <li>
            <a href="#details-heading">{t('details.heading')}</a>
          </li>
        </ul>
      </nav>
      <LoansSection />
      <HoldsSection />
      <FinesSection />
      {patron.keepHistory ? <HistorySection /> : null}
      <DetailsSection />
    </>
  );
}
