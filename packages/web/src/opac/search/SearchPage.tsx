import type { SearchResponse } from '@stacks/contract';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { request } from '../../common/api.ts';
import { type Translate, useI18n } from '../../common/i18n.ts';
import { sortByName, useBranches } from '../branches.ts';
import { type Hit, rememberHits } from '../catalog-data.ts';
import { OPAC_ENDPOINTS } from '../endpoints.ts';
import { formatName, languageName } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { errorText, PageHeading, useDocumentTitle } from '../ui.tsx';
import { rememberSearch } from './last-search.ts';
import {
  apiQuery,
  isActive,
  type ListFacet,
  PAGE_SIZE,
  parseSearch,
  type SearchState,
  SORTS,
  type Sort,
  searchHref,
  toggleFilter,
  withoutFilters,
} from './search-url.ts';

type Answer = { href: string; data: SearchResponse; error?: undefined } | { href: string; error: string };

/**
 * The catalog's front page: a search box, then results with their availability per branch, facets
 * that narrow them (checkboxes, so the keyboard works them with Space), sorting and pages. The whole
 * search is in the address, so every state can be bookmarked and back and forward step through it.
 */
export function SearchPage({ search }: { search: string }) {
  const { t, language } = useI18n();
  const state = useMemo(() => parseSearch(search), [search]);
  const href = searchHref(state);
  const active = isActive(state);
  const [draft, setDraft] = useState(state.q);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  const focusResults = useRef(false);
  const [attempt, setAttempt] = useState(0);
  const { branchName } = useBranches();

  useDocumentTitle(state.q ? t('search.titleWithQuery', { q: state.q }) : t('search.title'));

  // The address is the truth: back/forward to another search puts its words back in the box.
  useEffect(() => setDraft(state.q), [state.q]);
  useEffect(() => rememberSearch(active ? href : null), [active, href]);

  // `href` is the search's identity: it says everything `state` does.
  // biome-ignore lint/correctness/useExhaustiveDependencies: state and t are read through href
  useEffect(() => {
    if (!active) return;
    let live = true;
    request<SearchResponse>(OPAC_ENDPOINTS.search, { query: apiQuery(state) })
      .then((data) => {
        if (!live) return;
        rememberHits(data.hits);
        setAnswer({ href, data });
      })
      .catch((error: unknown) => {
        if (live) setAnswer({ href, error: errorText(error, t) });
      });
    return () => {
      live = false;
    };
  }, [href, active, attempt]);

  useEffect(() => {
    if (answer?.href === href && focusResults.current) {
      focusResults.current = false;
      resultsHeading.current?.focus();
    }
  }, [answer, href]);

  function submit(event: FormEvent) {
    event.preventDefault();
    // A new search starts without the previous one's filters, keeping the chosen order.
    const next = searchHref({ ...withoutFilters(state), q: draft.trim(), sort: state.sort });
    // The same search again (after a failure, say) asks the server again.
    if (next === href) setAttempt((n) => n + 1);
    else navigate(next);
  }

  const loading = active && answer?.href !== href;
  const data = answer && answer.error === undefined ? answer.data : null;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;

  return (
    <>
      <PageHeading>{t('search.heading')}</PageHeading>
      <search>
        <form className="search-form" onSubmit={submit}>
          <label htmlFor="q">{t('search.label')}</label>
          <div className="search-row">
            <input
              id="q"
              name="q"
              type="search"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-describedby="q-hint"
            />
            <button type="submit" className="primary">
              {t('search.submit')}
            </button>
          </div>
          <p id="q-hint" className="hint">
            {t('search.hint')}
          </p>
        </form>
      </search>

      {active ? (
        <div className="search-layout">
          {data ? (
            <Facets state={state} facets={data.facets} branchName={branchName} language={language} />
          ) : null}
          <section className="results" aria-labelledby="results-heading" aria-busy={loading}>
            <div className="results-bar">
              <h2 id="results-heading" ref={resultsHeading} tabIndex={-1}>
                {t('search.results')}
              </h2>
              <label className="sort">
                {t('search.sort')}{' '}
                <select
                  value={state.sort || (state.q ? 'relevance' : 'title')}
                  onChange={(e) => navigate(searchHref({ ...state, sort: e.target.value as Sort, page: 1 }))}
                >
                  {SORTS.map((sort) => (
                    <option key={sort} value={sort}>
                      {t(`sort.${sort}`)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <p role="status" className="result-count">
              {loading
                ? t('search.searching')
                : answer?.error
                  ? answer.error
                  : data
                    ? countText(data.total, state.q, t)
                    : ''}
            </p>
            {data && data.total > 0 ? (
              <ol className={loading ? 'hits stale' : 'hits'} start={(state.page - 1) * PAGE_SIZE + 1}>
                {data.hits.map((hit) => (
                  <HitEntry key={hit.id} hit={hit} branchName={branchName} />
                ))}
              </ol>
            ) : null}
            {data && pages > 1 ? (
              <nav className="pager" aria-label={t('search.pages')}>
                {state.page > 1 ? (
                  <Link
                    to={searchHref({ ...state, page: state.page - 1 })}
                    onClick={() => {
                      focusResults.current = true;
                    }}
                  >
                    {t('search.previous')}
                  </Link>
                ) : null}
                <span>{t('search.pageOf', { page: state.page, pages })}</span>
                {state.page < pages ? (
                  <Link
                    to={searchHref({ ...state, page: state.page + 1 })}
                    onClick={() => {
                      focusResults.current = true;
                    }}
                  >
                    {t('search.next')}
                  </Link>
                ) : null}
              </nav>
            ) : null}
          </section>
        </div>
      ) : (
        <p className="intro">{t('search.intro')}</p>
      )}
    </>
  );
}

function countText(total: number, q: string, t: Translate): string {
  if (total === 0) return q ? t('search.noneFor', { q }) : t('search.none');
  const key = total === 1 ? 'one' : 'other';
  return q ? t(`search.countFor.${key}`, { n: total, q }) : t(`search.count.${key}`, { n: total });
}

/** One result: title (to the record), who made it, what it is, and where a copy is on the shelf. */
function HitEntry({ hit, branchName }: { hit: Hit; branchName(id: string): string }) {
  const { t, language } = useI18n();
  const total = hit.availability.reduce((n, b) => n + b.total, 0);
  const available = hit.availability.reduce((n, b) => n + b.available, 0);
  const byline = hit.responsibility ?? hit.authors.join('; ');
  const meta = [
    formatName(hit.format, t),
    hit.year === null ? null : String(hit.year),
    hit.language ? languageName(hit.language, language) : null,
  ].filter(Boolean);
  return (
    <li className="hit">
      <h3>
        <Link to={`/record/${hit.id}`}>{hit.title}</Link>
      </h3>
      {byline ? <p className="byline">{byline}</p> : null}
      <p className="meta">{meta.join(' · ')}</p>
      <p className={available > 0 ? 'availability yes' : 'availability no'}>
        {total === 0
          ? t('avail.noCopies')
          : available > 0
            ? t(total === 1 ? 'avail.summary.one' : 'avail.summary.other', { available, total })
            : t(total === 1 ? 'avail.noneOnShelf.one' : 'avail.noneOnShelf.other', { total })}
      </p>
      {hit.availability.length > 0 ? (
        <ul className="branch-availability">
          {sortByName(hit.availability, branchName).map((b) => (
            <li key={b.branchId}>
              {t('avail.atBranch', {
                branch: branchName(b.branchId),
                available: b.available,
                total: b.total,
              })}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

const SHORT_LIST = 8;

/** The facets of the current results: choosing a value narrows the search (the address changes). */
function Facets({
  state,
  facets,
  branchName,
  language,
}: {
  state: SearchState;
  facets: SearchResponse['facets'];
  branchName(id: string): string;
  language: 'en' | 'es';
}) {
  const { t } = useI18n();
  const [open] = useState(() => globalThis.matchMedia?.('(min-width: 48em)').matches ?? true);
  const labels: Record<ListFacet, (value: string) => string> = {
    format: (v) => formatName(v, t),
    language: (v) => languageName(v, language),
    decade: (v) => t('facet.decadeValue', { decade: v }),
    subject: (v) => v,
    branch: (v) => branchName(v),
  };
  const order: ListFacet[] = ['format', 'language', 'decade', 'branch', 'subject'];
  const availableCount = facets.availability.find((f) => f.value === 'available')?.count ?? 0;
  const anyChosen = state.available || order.some((f) => state.filters[f].length > 0);
  return (
    <aside className="facets" aria-label={t('facet.heading')}>
      <details open={open}>
        <summary>{t('facet.heading')}</summary>
        {anyChosen ? (
          <p>
            <Link to={searchHref(withoutFilters(state))}>{t('facet.clear')}</Link>
          </p>
        ) : null}
        <fieldset>
          <legend>{t('facet.availability')}</legend>
          <label className="facet-value">
            <input
              type="checkbox"
              checked={state.available}
              onChange={() => navigate(searchHref({ ...state, available: !state.available, page: 1 }))}
            />{' '}
            {t('facet.availableNow')} <span className="count">({availableCount})</span>
          </label>
        </fieldset>
        {order.map((facet) => (
          <FacetGroup
            key={facet}
            facet={facet}
            state={state}
            counts={facets[facet]}
            label={labels[facet]}
            legend={t(`facet.${facet}`)}
          />
        ))}
      </details>
    </aside>
  );
}

function FacetGroup({
  facet,
  state,
  counts,
  label,
  legend,
}: {
  facet: ListFacet;
  state: SearchState;
  counts: { value: string; count: number }[];
  label(value: string): string;
  legend: string;
}) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const chosen = state.filters[facet];
  // Chosen values stay listed (to unchoose them) even when the narrowed results no longer count them.
  const values = [
    ...counts,
    ...chosen.filter((v) => !counts.some((c) => c.value === v)).map((value) => ({ value, count: 0 })),
  ];
  if (values.length === 0) return null;
  const shown = all ? values : values.slice(0, SHORT_LIST);
  return (
    <fieldset>
      <legend>{legend}</legend>
      <ul>
        {shown.map(({ value, count }) => (
          <li key={value}>
            <label className="facet-value">
              <input
                type="checkbox"
                checked={chosen.includes(value)}
                onChange={() => navigate(searchHref(toggleFilter(state, facet, value)))}
              />{' '}
              {label(value)} <span className="count">({count})</span>
            </label>
          </li>
        ))}
      </ul>
      {values.length > SHORT_LIST ? (
        <button type="button" className="link-button" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? t('facet.fewer') : t('facet.more', { n: values.length })}
        </button>
      ) : null}
    </fieldset>
  );
}
