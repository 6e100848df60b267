import { type FormEvent, useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { fullName } from '../desk/PatronSummary.tsx';
import { formatLocalDate } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { PatronSearchResponse } from '../types.ts';

const PAGE_SIZE = 25;

/** Finding patrons by name (words in any order), card barcode, e-mail or phone. The query is in the address. */
export function PatronSearch({ query }: { query: URLSearchParams }) {
  const { t, language } = useI18n();
  const { can, branchName } = useSession();
  const q = query.get('q') ?? '';
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const [text, setText] = useState(q);
  const [result, setResult] = useState<PatronSearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setText(q);
    if (!q) {
      setResult(null);
      return;
    }
    let live = true;
    setBusy(true);
    setError(null);
    call<PatronSearchResponse>('patronSearch', { query: { q, page, pageSize: PAGE_SIZE } })
      .then(
        (r) => live && setResult(r),
        (e: unknown) => live && setError(errorText(e, t)),
      )
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [q, page, t]);

  function submit(event: FormEvent) {
    event.preventDefault();
    navigate(`/staff/patrons?q=${encodeURIComponent(text.trim())}`);
  }

  const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
  const go = (p: number) => navigate(`/staff/patrons?q=${encodeURIComponent(q)}&page=${p}`);

  return (
    <>
      <PageHeading title={t('patrons.title')}>{t('patrons.title')}</PageHeading>
      {can('patrons.manage') && (
        <p>
          <Link href="/staff/patrons/new" className="button-link">
            {t('patrons.register')}
          </Link>
        </p>
      )}
      <search>
        <form className="inline-form" onSubmit={submit} aria-busy={busy}>
          <label htmlFor="patron-q">{t('patrons.query')}</label>
          <input
            id="patron-q"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={200}
            autoComplete="off"
          />
          <button type="submit">{t('patrons.search')}</button>
        </form>
      </search>
      <ErrorMessage text={error} />
      <div role="status" aria-live="polite">
        {result && q && t('patrons.found', { count: result.total, q })}
      </div>
      {result && result.patrons.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('patrons.results')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('patron.name')}</th>
                <th scope="col">{t('patron.card')}</th>
                <th scope="col">{t('patron.category')}</th>
                <th scope="col">{t('patron.homeBranch')}</th>
                <th scope="col">{t('patron.expires')}</th>
                <th scope="col">{t('patron.email')}</th>
              </tr>
            </thead>
            <tbody>
              {result.patrons.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link href={`/staff/patrons/${p.id}`}>{fullName(p)}</Link>
                  </td>
                  <td>{p.cardBarcode}</td>
                  <td>{p.categoryCode}</td>
                  <td>{branchName(p.homeBranchId)}</td>
                  <td>{formatLocalDate(p.expiresOn, language)}</td>
                  <td>{p.email ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result && pages > 1 && (
        <nav className="pager" aria-label={t('pager.label')}>
          <button type="button" disabled={page <= 1} onClick={() => go(page - 1)}>
            {t('pager.previous')}
          </button>
          <span>{t('pager.page', { page, pages })}</span>
          <button type="button" disabled={page >= pages} onClick={() => go(page + 1)}>
            {t('pager.next')}
          </button>
        </nav>
      )}
    </>
  );
}
