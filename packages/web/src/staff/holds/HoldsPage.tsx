import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant, formatLocalDate } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { TableWrap } from '../patrons/action.tsx';
import { PlaceHoldForm } from '../patrons/HoldsSection.tsx';
import { useSession } from '../session.tsx';
import type { Hold, HoldShelf, PullListEntry, Transit } from '../types.ts';

/**
 * The desk branch's hold work: the pull list (copies to fetch from the shelves for waiting holds, in
 * shelf order), the hold shelf (ready for pickup, and expired or cancelled ones to clear), and the items
 * in transit to this branch (check them in when they arrive); and a form to place a hold for a patron
 * by card barcode (cancelling, suspending and resuming a patron's holds is on the patron's page).
 */
export function HoldsPage() {
  const { t, language } = useI18n();
  const { branch, branchName } = useSession();
  const [pull, setPull] = useState<PullListEntry[] | null>(null);
  const [shelf, setShelf] = useState<HoldShelf | null>(null);
  const [transits, setTransits] = useState<Transit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setBusy(true);
    setError(null);
    const params = { branchId: branch.id };
    Promise.all([
      call<PullListEntry[]>('pullList', { params }),
      call<HoldShelf>('holdShelf', { params }),
      call<Transit[]>('transits', { query: { toBranchId: branch.id } }),
    ])
      .then(
        ([p, s, tr]) => {
          setPull(p);
          setShelf(s);
          setTransits(tr);
        },
        (e: unknown) => setError(errorText(e, t)),
      )
      .finally(() => setBusy(false));
  }, [branch.id, t]);

  useEffect(load, [load]);

  const date = (d: string | null) => (d ? formatLocalDate(d, language) : '—');
  const holdRows = (holds: Hold[], caption: string) => (
    <TableWrap label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('holds.patron')}</th>
            <th scope="col">{t('holds.card')}</th>
            <th scope="col">{t('loan.title')}</th>
            <th scope="col">{t('loan.barcode')}</th>
            <th scope="col">{t('holds.keepUntil')}</th>
            <th scope="col">{t('holds.status')}</th>
          </tr>
        </thead>
        <tbody>
          {holds.map((h) => (
            <tr key={h.id}>
              <td>{h.patronName}</td>
              <td>{h.patronBarcode}</td>
              <td>{h.title}</td>
              <td>{h.itemBarcode ?? '—'}</td>
              <td>{date(h.shelfExpiresOn)}</td>
              <td>{t(`holdStatus.${h.status}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );

  return (
    <>
      <PageHeading title={t('holds.title', { branch: branch.name })}>
        {t('holds.title', { branch: branch.name })}
      </PageHeading>
      <p>
        <button type="button" onClick={load} disabled={busy}>
          {t('holds.refresh')}
        </button>
      </p>
      <ErrorMessage text={error} />
      <div role="status" className="visually-hidden">
        {busy ? t('app.loading') : ''}
      </div>

      <PlaceHoldForm onPlaced={load} headingLevel={2} />

      <section aria-labelledby="pull-heading">
        <h2 id="pull-heading">{t('holds.pullList', { count: pull?.length ?? 0 })}</h2>
        {pull && pull.length === 0 && <p>{t('holds.pullEmpty')}</p>}
        {pull && pull.length > 0 && (
          <TableWrap label={t('holds.pullCaption')}>
            <table>
              <caption className="visually-hidden">{t('holds.pullCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('item.callNumber')}</th>
                  <th scope="col">{t('item.location')}</th>
                  <th scope="col">{t('loan.title')}</th>
                  <th scope="col">{t('loan.barcode')}</th>
                  <th scope="col">{t('holds.pickup')}</th>
                </tr>
              </thead>
              <tbody>
                {pull.map((p) => (
                  <tr key={p.holdId}>
                    <td>{p.callNumber ?? '—'}</td>
                    <td>{p.location ?? '—'}</td>
                    <td>
                      {p.title}
                      {p.author && <span className="note"> · {p.author}</span>}
                    </td>
                    <td>{p.itemBarcode}</td>
                    <td>{branchName(p.pickupBranchId)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section aria-labelledby="shelf-heading">
        <h2 id="shelf-heading">{t('holds.shelf', { count: shelf?.ready.length ?? 0 })}</h2>
        {shelf && shelf.ready.length === 0 && <p>{t('holds.shelfEmpty')}</p>}
        {shelf && shelf.ready.length > 0 && holdRows(shelf.ready, t('holds.shelfCaption'))}
        <h3>{t('holds.toClear', { count: shelf?.toClear.length ?? 0 })}</h3>
        {shelf && shelf.toClear.length === 0 && <p>{t('holds.toClearEmpty')}</p>}
        {shelf && shelf.toClear.length > 0 && holdRows(shelf.toClear, t('holds.toClearCaption'))}
      </section>

      <section aria-labelledby="transit-heading">
        <h2 id="transit-heading">{t('holds.transits', { count: transits?.length ?? 0 })}</h2>
        {transits && transits.length === 0 && <p>{t('holds.transitsEmpty')}</p>}
        {transits && transits.length > 0 && (
          <TableWrap label={t('holds.transitsCaption')}>
            <table>
              <caption className="visually-hidden">{t('holds.transitsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('loan.title')}</th>
                  <th scope="col">{t('loan.barcode')}</th>
                  <th scope="col">{t('holds.from')}</th>
                  <th scope="col">{t('holds.reason')}</th>
                  <th scope="col">{t('holds.sent')}</th>
                </tr>
              </thead>
              <tbody>
                {transits.map((tr) => (
                  <tr key={tr.id}>
                    <td>{tr.title}</td>
                    <td>{tr.itemBarcode}</td>
                    <td>{branchName(tr.fromBranchId)}</td>
                    <td>{t(`transit.${tr.reason}`)}</td>
                    <td>{formatInstant(tr.sentAt, language, branch.timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
}
