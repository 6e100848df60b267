import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useI18n } from '../../common/i18n.ts';
import { formatInstant, formatLocalDate } from '../format.ts';
import type { Branch, CheckinResponse, CheckoutResponse } from '../types.ts';

/**
 * What the printer gets: a sheet outside the app's root, shown only by the print stylesheet
 * (`@media print` hides the app and shows `.print-sheet`), so `window.print()` prints just the receipt
 * or slip on a narrow receipt printer or a page.
 */
export function PrintSheet({ children }: { children: ReactNode }) {
  return createPortal(<div className="print-sheet">{children}</div>, document.body);
}

/** The due-date receipt of one transaction at the desk: every item checked out, with its due date. */
export function Receipt({
  checkouts,
  branch,
  printedAt,
}: {
  checkouts: CheckoutResponse[];
  branch: Branch;
  printedAt: string;
}) {
  const { t, language } = useI18n();
  const patron = checkouts[0]?.patron;
  return (
    <div className="slip receipt">
      <p className="slip-kind">{t('receipt.title')}</p>
      <p>{branch.name}</p>
      {patron && <p>{t('receipt.patron', { name: patron.name, card: patron.cardBarcode })}</p>}
      <p>{formatInstant(printedAt, language, branch.timeZone)}</p>
      <ol className="receipt-items">
        {checkouts.map(({ loan }) => (
          <li key={loan.id}>
            <strong>{loan.title}</strong>
            <br />
            {loan.itemBarcode}
            <br />
            {t('receipt.due', { due: formatInstant(loan.dueAt, language, branch.timeZone) })}
          </li>
        ))}
      </ol>
      <p>{t('receipt.count', { count: checkouts.length })}</p>
      <p>{t('receipt.thanks')}</p>
    </div>
  );
}

/** Whether a check-in needs a slip: the item goes to the hold shelf or travels to another branch. */
export function needsSlip(result: CheckinResponse): boolean {
  return result.routing.action === 'hold_shelf' || result.routing.action === 'transit';
}

/** The hold slip (who the item waits for, until when) or transit slip (where it goes) of a check-in. */
export function Slip({ result, branch }: { result: CheckinResponse; branch: Branch }) {
  const { t, language } = useI18n();
  const { routing, item } = result;
  const itemLines = (
    <>
      <p>
        <strong>{item.title}</strong>
      </p>
      <p>{t('slip.item', { barcode: item.barcode })}</p>
      {item.callNumber && <p>{t('slip.callNumber', { callNumber: item.callNumber })}</p>}
    </>
  );
  if (routing.action === 'hold_shelf')
    return (
      <div className="slip">
        <p className="slip-kind">{t('slip.hold')}</p>
        <p className="slip-big">{routing.patronName ?? ''}</p>
        {routing.patronBarcode && <p>{t('slip.card', { card: routing.patronBarcode })}</p>}
        {routing.shelfExpiresOn && (
          <p>{t('slip.keepUntil', { date: formatLocalDate(routing.shelfExpiresOn, language) })}</p>
        )}
        <p>{t('slip.pickupAt', { branch: branch.name })}</p>
        {itemLines}
      </div>
    );
  return (
    <div className="slip">
      <p className="slip-kind">{t('slip.transit')}</p>
      <p className="slip-big">{t('slip.to', { branch: routing.toBranchName ?? '' })}</p>
      <p>{t('slip.from', { branch: branch.name })}</p>
      {routing.patronName ? (
        <p>{t('slip.forHold', { name: routing.patronName, card: routing.patronBarcode ?? '' })}</p>
      ) : (
        <p>{t('slip.goingHome')}</p>
      )}
      {itemLines}
    </div>
  );
}
