import { type FormEvent, useEffect, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { SearchResponse } from '../types.ts';
import { ExportLinks } from './ExportLinks.tsx';

const PAGE_SIZE = 20;

/** Searching the catalog (the same query language as the public catalog); each hit links to its record. */
export function CatalogSearch({ query }: { query: URLSearchParams }) {
  const { t } = useI18n();
  const { branchName, can } = useSession();
  const q = query.get('q') ?? '';
  const offset = Math.max(0, Number(query.get('offset') ?? '0') || 0);
  const [text, setText] = useState(q);
  const [result, setResult] = useState<SearchResponse | null>(null);
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
    call<SearchResponse>('catalogSearch', { query: { q, limit: PAGE_SIZE, offset } })
      .then(
        (r) => live && setResult(r),
        (e: unknown) => live && setError(errorText(e, t)),
      )
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [q, offset, t]);

  function submit(event: FormEvent) {
    event.preventDefault();
    navigate(`/staff/catalog?q=${encodeURIComponent(text.trim())}`);
  }
  const go = (o: number) => navigate(`/staff/catalog?q=${encodeURIComponent(q)}&offset=${o}`);

  return (
    <>
      <PageHeading title={t('catalog.title')}>{t('catalog.title')}</PageHeading>
      {can('catalog.edit') && (
        <p>
          <Link href="/staff/catalog/import">{t('import.link')}</Link>
        </p>
      )}
      <search>
        <form className="inline-form" onSubmit={submit} aria-busy={busy}>
          <label htmlFor="catalog-q">{t('catalog.query')}</label>
          <input
            id="catalog-q"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={1000}
            autoComplete="off"
            aria-describedby="catalog-q-hint"
          />
          <button type="submit">{t('catalog.search')}</button>
          <p id="catalog-q-hint" className="hint">
            {t('catalog.hint')}
          </p>
        </form>
      </search>
      <ErrorMessage text={error} />
      <div role="status" aria-live="polite">
        {result && q && t('catalog.found', { count: result.total, q })}
      </div>
      {result && result.hits.length > 0 && (
        <ol className="hits" start={offset + 1}>
          {result.hits.map((hit) => (
            <li key={hit.id}>
              <Link href={`/staff/catalog/records/${hit.id}`}>{hit.title}</Link>
              <p className="note">
                {[hit.responsibility ?? hit.authors.join('; '), hit.publisher, hit.year, hit.format]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
              {hit.availability.length > 0 && (
                <p>
                  {hit.availability
                    .map((a) =>
                      t('catalog.available', {
                        branch: branchName(a.branchId),
                        available: a.available,
                        total: a.total,
                      }),
                    )
                    .join(' · ')}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
      {result && result.total > PAGE_SIZE && (
        <nav className="pager" aria-label={t('pager.label')}>
          <button type="button" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE_SIZE))}>
            {t('pager.previous')}
          </button>
          <span>
            {t('pager.range', {
              from: offset + 1,
              to: Math.min(offset + PAGE_SIZE, result.total),
              total: result.total,
            })}
          </span>
          <button
            type="button"
            disabled={offset + PAGE_SIZE >= result.total}
            onClick={() => go(offset + PAGE_SIZE)}
          >
            {t('pager.next')}
          </button>
        </nav>
      )}
      {can('catalog.edit') && (
        <section aria-labelledby="catalog-export-heading">
          <h2 id="catalog-export-heading">{t('export.searchHeading')}</h2>
          <ExportLinks key={q} q={q} />
        </section>
      )}
    </>
  );
}
