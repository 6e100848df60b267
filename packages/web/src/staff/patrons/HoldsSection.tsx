import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant, formatLocalDate } from '../format.ts';
import { ErrorMessage } from '../Page.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Hold, Loan } from '../types.ts';
import { Feedback, TableWrap, useAction } from './action.tsx';

/**
 * The form to place a hold: for the patron given, or (without one) for the card barcode typed in. The
 * record id comes from the catalog (a link opens the search); pickup is at the desk's branch unless
 * another is chosen.
 */
export function PlaceHoldForm({
  patronId,
  onPlaced,
  initialRecordId = '',
  headingLevel = 3,
}: {
  patronId?: string;
  /** The form heading's level: 3 inside a patron's holds section, 2 on a page of its own sections. */
  headingLevel?: 2 | 3;
  onPlaced?(hold: Hold): void;
  initialRecordId?: string;
}) {
  const { t } = useI18n();
  const { branch, branches } = useSession();
  const action = useAction();
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const [card, setCard] = useState('');
  const [recordId, setRecordId] = useState(initialRecordId);
  const [pickup, setPickup] = useState(branch.id);

  const place = async (event: FormEvent) => {
    event.preventDefault();
    if (action.busy) return;
    if (!patronId && !card.trim()) return action.refuse(t('placeHold.cardNeeded'));
    if (!recordId.trim()) return action.refuse(t('placeHold.recordNeeded'));
    await action.run(async () => {
      const hold = await call<Hold>('holdPlace', {
        body: {
          ...(patronId ? { patronId } : { patronBarcode: card.trim() }),
          recordId: recordId.trim(),
          pickupBranchId: pickup,
        },
      });
      setRecordId('');
      setCard('');
      onPlaced?.(hold);
      return t('placeHold.placed', { title: hold.title, patron: hold.patronName });
    });
  };

  return (
    <form className="form-grid" onSubmit={place} aria-labelledby="place-hold-heading">
      <H id="place-hold-heading" className="actions">
        {t('placeHold.title')}
      </H>
      {!patronId && (
        <div className="field">
          <label htmlFor="hold-card">{t('placeHold.card')}</label>
          <input
            id="hold-card"
            autoComplete="off"
            maxLength={32}
            value={card}
            onChange={(e) => setCard(e.target.value)}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="hold-record">{t('placeHold.record')}</label>
        <input
          id="hold-record"
          autoComplete="off"
          value={recordId}
          aria-describedby="hold-record-hint"
          onChange={(e) => setRecordId(e.target.value)}
        />
        <span id="hold-record-hint" className="hint">
          {t('placeHold.recordHint')} <Link href="/staff/catalog">{t('placeHold.search')}</Link>
        </span>
      </div>
      <div className="field">
        <label htmlFor="hold-pickup">{t('placeHold.pickup')}</label>
        <select id="hold-pickup" value={pickup} onChange={(e) => setPickup(e.target.value)}>
          {branches.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          {t('placeHold.place')}
        </button>
      </div>
      <div className="actions">
        <Feedback done={action.done} error={action.error} />
      </div>
    </form>
  );
}

/**
 * One patron's holds with the desk's actions on each — cancel, suspend (a waiting hold keeps its place
 * but is not filled) and resume — and the form to place another.
 */
export function HoldsSection({ patronId, onChanged }: { patronId: string; onChanged(): void }) {
  const { t, language } = useI18n();
  const { branchName } = useSession();
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const action = useAction();

  const load = useCallback(async () => {
    try {
      setHolds(await call<Hold[]>('holdsList', { query: { patronId } }));
      setLoadError(null);
    } catch (e) {
      setLoadError(errorText(e, t));
    }
  }, [patronId, t]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = (hold: Hold, what: 'cancel' | 'suspend' | 'resume') =>
    action.run(async () => {
      const endpoint = what === 'cancel' ? 'holdCancel' : what === 'suspend' ? 'holdSuspend' : 'holdResume';
      await call<Hold>(endpoint, { params: { id: hold.id }, ...(what === 'resume' ? {} : { body: {} }) });
      await load();
      onChanged();
      const done = { cancel: 'cancelled', suspend: 'suspended', resume: 'resumed' }[what];
      return t(`holdAction.${done}`, { title: hold.title });
    });

  const suspended = (h: Hold) => h.status === 'waiting' && h.suspendedUntil !== null;

  return (
    <section aria-labelledby="patron-holds-heading">
      <h2 id="patron-holds-heading">{t('patronHolds.title', { count: holds?.length ?? 0 })}</h2>
      <ErrorMessage text={loadError} />
      <Feedback done={action.done} error={action.error} />
      {holds && holds.length === 0 && <p>{t('patronHolds.none')}</p>}
      {holds && holds.length > 0 && (
        <TableWrap label={t('patronHolds.caption')}>
          <table>
            <caption className="visually-hidden">{t('patronHolds.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('loan.title')}</th>
                <th scope="col">{t('holds.pickup')}</th>
                <th scope="col">{t('holds.status')}</th>
                <th scope="col">{t('loan.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {holds.map((h) => (
                <tr key={h.id}>
                  <td>{h.title}</td>
                  <td>{branchName(h.pickupBranchId)}</td>
                  <td>
                    {t(`holdStatus.${h.status}`)}
                    {suspended(h) && ` (${t('patronHolds.suspended')})`}
                    {h.queuePosition !== null && ` · ${t('patronHolds.position', { n: h.queuePosition })}`}
                    {h.shelfExpiresOn && ` · ${formatLocalDate(h.shelfExpiresOn, language)}`}
                  </td>
                  <td className="actions">
                    {h.status === 'waiting' && !suspended(h) && (
                      <button
                        type="button"
                        className="small secondary"
                        disabled={action.busy}
                        onClick={() => void act(h, 'suspend')}
                      >
                        {t('holdAction.suspend', { title: h.title })}
                      </button>
                    )}
                    {suspended(h) && (
                      <button
                        type="button"
                        className="small secondary"
                        disabled={action.busy}
                        onClick={() => void act(h, 'resume')}
                      >
                        {t('holdAction.resume', { title: h.title })}
                      </button>
                    )}
                    {['waiting', 'in_transit', 'ready'].includes(h.status) && (
                      <button
                        type="button"
                        className="small secondary"
                        disabled={action.busy}
                        onClick={() => void act(h, 'cancel')}
                      >
                        {t('holdAction.cancel', { title: h.title })}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <PlaceHoldForm
        patronId={patronId}
        onPlaced={() => {
          void load();
          onChanged();
        }}
      />
    </section>
  );
}

/** The patron's past loans, where the patron chose to keep their history (otherwise it is anonymised). */
export function HistorySection({ patronId, keepHistory }: { patronId: string; keepHistory: boolean }) {
  const { t, language } = useI18n();
  const { branch } = useSession();
  const [loans, setLoans] = useState<Loan[] | null>(null);
  const action = useAction();

  const show = () =>
    action.run(async () => {
      const found = await call<Loan[]>('patronLoans', {
        params: { id: patronId },
        query: { which: 'history', pageSize: 100 },
      });
      setLoans(found);
      return t('history.shown', { count: found.length });
    });

  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history.title')}</h2>
      {!keepHistory ? (
        <p>{t('history.notKept')}</p>
      ) : (
        <>
          {loans === null && (
            <p>
              <button type="button" className="secondary" onClick={() => void show()} disabled={action.busy}>
                {t('history.show')}
              </button>
            </p>
          )}
          <Feedback done={action.done} error={action.error} />
          {loans && loans.length > 0 && (
            <TableWrap label={t('history.caption')}>
              <table>
                <caption className="visually-hidden">{t('history.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('loan.title')}</th>
                    <th scope="col">{t('loan.barcode')}</th>
                    <th scope="col">{t('history.out')}</th>
                    <th scope="col">{t('history.returned')}</th>
                  </tr>
                </thead>
                <tbody>
                  {loans.map((l) => (
                    <tr key={l.id}>
                      <td>{l.title}</td>
                      <td>{l.itemBarcode}</td>
                      <td>{formatInstant(l.checkedOutAt, language, branch.timeZone)}</td>
                      <td>{l.returnedAt ? formatInstant(l.returnedAt, language, branch.timeZone) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </section>
  );
}
