import { useI18n } from '../../common/i18n.ts';
import { formatInstant, formatLocalDate, formatMinor } from '../format.ts';
import { useSession } from '../session.tsx';
import type { PatronAtDesk } from '../types.ts';

/** A patron's full name as the desk shows it. */
export function fullName(patron: { firstName: string; lastName: string }): string {
  return `${patron.firstName} ${patron.lastName}`;
}

/**
 * The patron at a glance: card, category, expiry, blocks (manual and automatic), balance, loans with due
 * dates (overdue marked) and holds (ready ones first). `onRenew` adds a Renew button to each loan.
 */
export function PatronSummary({
  desk,
  onRenew,
  headingLevel = 2,
  heading,
}: {
  desk: PatronAtDesk;
  onRenew?: (itemBarcode: string) => void;
  headingLevel?: 2 | 3;
  /** The section's heading; the patron's name unless given. */
  heading?: string;
}) {
  const { t, language } = useI18n();
  const { branch, branchName } = useSession();
  const { patron, blocks, balance, loans, holds } = desk;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const Sub = headingLevel === 2 ? 'h3' : 'h4';
  const ready = holds.filter((h) => h.status === 'ready');
  const other = holds.filter((h) => h.status !== 'ready');
  const expired = blocks.some((b) => b.kind === 'expired');
  const owed = balance.balanceMinor;
  return (
    <section className="patron-summary" aria-labelledby="patron-summary-name">
      <H id="patron-summary-name">{heading ?? fullName(patron)}</H>
      <dl className="facts">
        <div>
          <dt>{t('patron.card')}</dt>
          <dd>{patron.cardBarcode}</dd>
        </div>
        <div>
          <dt>{t('patron.category')}</dt>
          <dd>{patron.category.name}</dd>
        </div>
        <div>
          <dt>{t('patron.expires')}</dt>
          <dd className={expired ? 'bad' : undefined}>
            {formatLocalDate(patron.expiresOn, language)}
            {expired && ` (${t('patron.expired')})`}
          </dd>
        </div>
        <div>
          <dt>{t('patron.balance')}</dt>
          <dd className={owed > 0 ? 'bad' : undefined}>
            {owed > 0
              ? t('patron.owes', { amount: formatMinor(owed, language) })
              : owed < 0
                ? t('patron.inCredit', { amount: formatMinor(-owed, language) })
                : t('patron.nothingOwed')}
            {balance.disputedMinor > 0 &&
              ` ${t('patron.disputed', { amount: formatMinor(balance.disputedMinor, language) })}`}
          </dd>
        </div>
      </dl>

      {blocks.length > 0 ? (
        <div className="blocks" role="note" aria-label={t('patron.blocks')}>
          <Sub>{t('patron.blocksCount', { count: blocks.length })}</Sub>
          <ul>
            {blocks.map((b) => (
              <li key={`${b.code}-${b.blockId ?? ''}`}>
                <strong>{t(`block.${b.kind}`)}:</strong> {b.message}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="good">{t('patron.noBlocks')}</p>
      )}

      <Sub>{t('patron.loans', { count: loans.length })}</Sub>
      {loans.length === 0 ? (
        <p>{t('patron.noLoans')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('loan.title')}</th>
                <th scope="col">{t('loan.barcode')}</th>
                <th scope="col">{t('loan.due')}</th>
                <th scope="col">{t('loan.renewals')}</th>
                {onRenew && (
                  <th scope="col">
                    <span className="visually-hidden">{t('loan.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {loans.map((loan) => (
                <tr key={loan.id} className={loan.overdue ? 'overdue' : undefined}>
                  <td>{loan.title}</td>
                  <td className="nowrap">{loan.itemBarcode}</td>
                  <td className="nowrap">
                    <time dateTime={loan.dueAt}>{formatInstant(loan.dueAt, language, branch.timeZone)}</time>
                    {loan.overdue && <strong className="tag bad-tag"> {t('loan.overdue')}</strong>}
                  </td>
                  <td>{loan.renewals}</td>
                  {onRenew && (
                    <td>
                      <button
                        type="button"
                        className="small"
                        aria-label={t('loan.renewTitle', { title: loan.title })}
                        onClick={() => onRenew(loan.itemBarcode)}
                      >
                        {t('loan.renew')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Sub>{t('patron.holdsReady', { count: ready.length })}</Sub>
      {ready.length === 0 ? (
        <p>{t('patron.noHoldsReady')}</p>
      ) : (
        <ul className="holds-ready">
          {ready.map((h) => (
            <li key={h.id}>
              <strong>{h.title}</strong>{' '}
              {t('hold.readyAt', {
                branch: branchName(h.pickupBranchId),
                date: h.shelfExpiresOn ? formatLocalDate(h.shelfExpiresOn, language) : '—',
              })}
              {h.itemBarcode && ` (${h.itemBarcode})`}
            </li>
          ))}
        </ul>
      )}
      {other.length > 0 && (
        <>
          <Sub>{t('patron.otherHolds', { count: other.length })}</Sub>
          <ul>
            {other.map((h) => (
              <li key={h.id}>
                {h.title}: {t(`holdStatus.${h.status}`)} ({branchName(h.pickupBranchId)})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
