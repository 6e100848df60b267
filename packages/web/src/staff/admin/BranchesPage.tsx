import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatLocalDate } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { useSession } from '../session.tsx';
import type { Branch } from '../types.ts';
import { BackToAdmin } from './AdminPage.tsx';
import type { ClosedDay, OpeningPeriod } from './types.ts';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** One row of the hours form per weekday; '' for closed. */
type Hours = Record<number, { opens: string; closes: string }>;

function toHours(periods: OpeningPeriod[]): Hours {
  const hours: Hours = {};
  for (const day of WEEKDAYS) {
    const first = periods.find((p) => p.weekday === day);
    hours[day] = { opens: first?.opens ?? '', closes: first?.closes ?? '' };
  }
  return hours;
}

/**
 * Branches and their calendar (`/staff/admin/branches`, branches.manage): a branch's weekly opening
 * hours (one period a day; empty for closed) and its closed days (its own and library-wide ones), which
 * the due-date calculation skips.
 */
export function BranchesPage() {
  const { t, language } = useI18n();
  const session = useSession();
  const [branches, setBranches] = useState<Branch[]>(session.branches);
  const [branchId, setBranchId] = useState(session.branch.id);
  const [hours, setHours] = useState<Hours>(() => toHours(session.branch.openingHours));
  const [closed, setClosed] = useState<ClosedDay[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const [everyBranch, setEveryBranch] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const dateRef = useRef<HTMLInputElement>(null);

  const branch = branches.find((b) => b.id === branchId);
  const day = (weekday: number) => t(`admin.weekday.${weekday}`);

  useEffect(() => {
    call<Branch[]>('branches').then(setBranches, (e: unknown) => setError(errorText(e, t)));
  }, [t]);

  const loadClosed = useCallback(() => {
    call<ClosedDay[]>('adminClosedDays', { query: { branchId } }).then(setClosed, (e: unknown) =>
      setError(errorText(e, t)),
    );
  }, [branchId, t]);
  useEffect(loadClosed, [loadClosed]);

  useEffect(() => {
    if (branch) setHours(toHours(branch.openingHours));
  }, [branch]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  async function saveHours(event: FormEvent) {
    event.preventDefault();
    if (!branch) return;
    const openingHours: OpeningPeriod[] = [];
    for (const weekday of WEEKDAYS) {
      const { opens, closes } = hours[weekday] ?? { opens: '', closes: '' };
      if (!opens && !closes) continue;
      if (!opens || !closes) {
        setError(t('admin.hours.incomplete', { day: day(weekday) }));
        return;
      }
      openingHours.push({ weekday, opens, closes });
    }
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const saved = await call<Branch>('adminOpeningHours', {
        params: { id: branch.id },
        body: { openingHours },
      });
      setBranches((list) => list.map((b) => (b.id === saved.id ? saved : b)));
      setStatus(t('admin.hours.saved', { branch: saved.name }));
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function addClosedDay(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const added = await call<ClosedDay>('adminClosedDayCreate', {
        body: { branchId: everyBranch ? null : branchId, date, reason: reason.trim() },
      });
      setStatus(
        t('admin.closed.added', { date: formatLocalDate(added.date, language), reason: added.reason }),
      );
      setDate('');
      setReason('');
      loadClosed();
      dateRef.current?.focus();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function removeClosedDay(day: ClosedDay) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await call('adminClosedDayDelete', { params: { id: day.id } });
      setStatus(t('admin.closed.removed', { date: formatLocalDate(day.date, language) }));
      setConfirming(null);
      loadClosed();
      dateRef.current?.focus();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const setTime = (weekday: number, which: 'opens' | 'closes') => (e: { target: { value: string } }) =>
    setHours((h) => ({
      ...h,
      [weekday]: { ...(h[weekday] ?? { opens: '', closes: '' }), [which]: e.target.value },
    }));

  return (
    <>
      <BackToAdmin />
      <PageHeading title={t('admin.branches.title')}>{t('admin.branches.title')}</PageHeading>
      <div className="field inline-field">
        <label htmlFor="admin-branch">{t('admin.branches.choose')}</label>
        <select id="admin-branch" value={branchId} onChange={(e) => setBranchId(e.target.value)}>
          {branches.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage text={error} />
      <div role="status" className={status ? 'ok-box' : undefined}>
        {status}
      </div>

      {branch && (
        <section aria-labelledby="hours-heading">
          <h2 id="hours-heading">{t('admin.hours.title', { branch: branch.name })}</h2>
          <p>{t('admin.hours.intro')}</p>
          <form onSubmit={saveHours}>
            <div className="table-wrap">
              <table className="admin-table hours-table">
                <caption className="visually-hidden">{t('admin.hours.caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.hours.day')}</th>
                    <th scope="col">{t('admin.hours.opens')}</th>
                    <th scope="col">{t('admin.hours.closes')}</th>
                  </tr>
                </thead>
                <tbody>
                  {WEEKDAYS.map((weekday) => (
                    <tr key={weekday}>
                      <th scope="row">{day(weekday)}</th>
                      <td>
                        <input
                          type="time"
                          aria-label={t('admin.hours.opensLabel', { day: day(weekday) })}
                          value={hours[weekday]?.opens ?? ''}
                          onChange={setTime(weekday, 'opens')}
                        />
                      </td>
                      <td>
                        <input
                          type="time"
                          aria-label={t('admin.hours.closesLabel', { day: day(weekday) })}
                          value={hours[weekday]?.closes ?? ''}
                          onChange={setTime(weekday, 'closes')}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p>
              <button type="submit" disabled={busy}>
                {t('admin.hours.save')}
              </button>
            </p>
          </form>
        </section>
      )}

      <section aria-labelledby="closed-heading">
        <h2 id="closed-heading">{t('admin.closed.title')}</h2>
        <p>{t('admin.closed.intro')}</p>
        {closed && closed.length === 0 && <p>{t('admin.closed.empty')}</p>}
        {closed && closed.length > 0 && (
          <div className="table-wrap">
            <table className="admin-table">
              <caption className="visually-hidden">{t('admin.closed.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.closed.date')}</th>
                  <th scope="col">{t('admin.closed.reason')}</th>
                  <th scope="col">{t('admin.closed.scope')}</th>
                  <th scope="col">{t('admin.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {closed.map((c) => (
                  <tr key={c.id}>
                    <td className="nowrap">{formatLocalDate(c.date, language)}</td>
                    <td>{c.reason}</td>
                    <td>
                      {c.branchId === null ? t('admin.closed.everyBranch') : session.branchName(c.branchId)}
                    </td>
                    <td className="nowrap">
                      {confirming === c.id ? (
                        <span className="confirm">
                          <span>{t('admin.closed.confirm')}</span>{' '}
                          <button
                            ref={confirmRef}
                            type="button"
                            className="small danger"
                            onClick={() => removeClosedDay(c)}
                            disabled={busy}
                          >
                            {t('admin.closed.yes')}
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
                        <button
                          type="button"
                          className="small secondary"
                          onClick={() => setConfirming(c.id)}
                          aria-label={t('admin.closed.removeLabel', {
                            date: formatLocalDate(c.date, language),
                          })}
                        >
                          {t('admin.remove')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form className="form-grid" onSubmit={addClosedDay}>
          <div className="field">
            <label htmlFor="closed-date">{t('admin.closed.date')}</label>
            <input
              ref={dateRef}
              id="closed-date"
              type="date"
              required
              value={date}
              onChange={(e) => setDate(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="closed-reason">{t('admin.closed.reason')}</label>
            <input id="closed-reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="closed-scope">{t('admin.closed.scope')}</label>
            <select
              id="closed-scope"
              value={everyBranch ? 'all' : 'branch'}
              onChange={(e) => setEveryBranch(e.target.value === 'all')}
            >
              <option value="branch">{t('admin.closed.thisBranch')}</option>
              <option value="all">{t('admin.closed.everyBranch')}</option>
            </select>
          </div>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t('admin.closed.add')}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
