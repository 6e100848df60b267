import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { checkOutTo } from '../desk/Desk.tsx';
import { fullName, PatronSummary } from '../desk/PatronSummary.tsx';
import { formatLocalDate } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Patron, PatronAtDesk } from '../types.ts';
import { AccountSection } from './AccountSection.tsx';
import { BlocksSection, MembershipSection } from './BlocksSection.tsx';
import { HistorySection, HoldsSection } from './HoldsSection.tsx';

/**
 * One patron: the record, the desk's view of loans, holds, blocks and balance, and the work staff do
 * on it — the account (payments, waivers, disputes), manual blocks, membership and card, contact
 * details, holds and the loan history — each section as its permissions allow.
 */
export function PatronView({ id }: { id: string }) {
  const { t, language } = useI18n();
  const { can, branch, branchName } = useSession();
  const { query } = useLocation();
  const [patron, setPatron] = useState<Patron | null>(null);
  const [desk, setDesk] = useState<PatronAtDesk | null>(null);
  const [error, setError] = useState<string | null>(null);
  const registered = query.get('registered') === '1';

  // Loads the record and the desk's view; called again after a change elsewhere on the page (the
  // cleanup only matters when the page itself changes: a late answer for another patron is dropped).
  const load = useCallback(() => {
    let live = true;
    Promise.all([
      call<Patron>('patron', { params: { id } }),
      call<PatronAtDesk>('patronAtDesk', { params: { id }, query: { branchId: branch.id } }),
    ]).then(
      ([p, d]) => {
        if (!live) return;
        setError(null);
        setPatron(p);
        setDesk(d);
      },
      (e: unknown) => live && setError(errorText(e, t)),
    );
    return () => {
      live = false;
    };
  }, [id, branch.id, t]);
  const refresh = useCallback(() => void load(), [load]);

  useEffect(load, [load]);

  if (error)
    return (
      <>
        <PageHeading title={t('patron.title')}>{t('patron.title')}</PageHeading>
        <ErrorMessage text={error} />
        <p>
          <Link href="/staff/patrons">{t('patrons.back')}</Link>
        </p>
      </>
    );
  if (!patron || !desk)
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );

  const rows: [string, string][] = [
    [t('patron.card'), patron.cardBarcode],
    [t('patron.category'), desk.patron.category.name],
    [t('patron.homeBranch'), branchName(patron.homeBranchId)],
    [t('patron.expires'), formatLocalDate(patron.expiresOn, language)],
    [t('patron.birthDate'), patron.birthDate ? formatLocalDate(patron.birthDate, language) : '—'],
    [t('patron.email'), patron.email ?? '—'],
    [t('patron.phone'), patron.phone ?? '—'],
    [t('patron.address'), patron.address ?? '—'],
    [t('patron.noticeChannel'), t(`channel.${patron.noticeChannel}`)],
    [t('patron.status'), t(`patronStatus.${patron.status}`)],
  ];

  return (
    <>
      <PageHeading title={fullName(patron)}>{fullName(patron)}</PageHeading>
      <div role="status">
        {registered && <p className="ok-box">{t('register.done', { card: patron.cardBarcode })}</p>}
      </div>
      {can('circulation.desk') && patron.status === 'active' && (
        <p>
          <button type="button" onClick={() => checkOutTo(patron.cardBarcode)}>
            {t('patron.checkOutTo')}
          </button>
        </p>
      )}
      <section aria-labelledby="patron-details">
        <h2 id="patron-details">{t('patron.details')}</h2>
        <dl className="facts">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {patron.notes && (
          <>
            <h3>{t('patron.notes')}</h3>
            <p className="notes">{patron.notes}</p>
          </>
        )}
      </section>
      <PatronSummary desk={desk} heading={t('patron.atDesk')} />
      {can('patrons.read') && <AccountSection patronId={patron.id} onChanged={refresh} />}
      {can('patrons.manage') && <BlocksSection patronId={patron.id} onChanged={refresh} />}
      {can('patrons.manage') && (
        <MembershipSection
          patron={patron}
          onChanged={(p) => {
            setPatron(p);
            refresh();
          }}
        />
      )}
      {can('circulation.desk') && <HoldsSection patronId={patron.id} onChanged={refresh} />}
      {can('patrons.read') && <HistorySection patronId={patron.id} keepHistory={patron.keepHistory} />}
      <p>
        <Link href="/staff/patrons">{t('patrons.back')}</Link>
      </p>
    </>
  );
}
