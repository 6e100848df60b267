/**
 * A catalog search as it lives in the page's address (`/?q=jazz&format=music&available=true&page=2`),
 * so back, forward, reload and shared links show the same results, and as it is sent to
 * `GET /api/catalog/search` (the same names; the page becomes `offset`).
 */

/** The facets a search can be narrowed by, each repeatable (chosen values of one facet are ORed). */
export const LIST_FACETS = ['format', 'language', 'decade', 'subject', 'branch'] as const;
export type ListFacet = (typeof LIST_FACETS)[number];

export const SORTS = ['relevance', 'title', 'author', 'date', 'date_asc'] as const;
export type Sort = (typeof SORTS)[number];

/** Results on one page. */
export const PAGE_SIZE = 20;

export interface SearchState {
  q: string;
  filters: Record<ListFacet, string[]>;
  /** Only records with a copy on the shelf. */
  available: boolean;
  /** Empty: the API's default (relevance with words, title without). */
  sort: Sort | '';
  page: number;
}

/** Reads a search from a query string (`?q=…`). Unknown or malformed parameters are ignored. */
export function parseSearch(search: string): SearchState {
  const params = new URLSearchParams(search);
  const filters = Object.fromEntries(
    LIST_FACETS.map((facet) => [facet, [...new Set(params.getAll(facet).filter(Boolean))]]),
  ) as Record<ListFacet, string[]>;
  filters.decade = filters.decade.filter((d) => /^\d{1,4}$/.test(d));
  const sort = params.get('sort') ?? '';
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    filters,
    available: params.get('available') === 'true',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : '',
    page: Number.isInteger(page) && page >= 1 && page <= 500 ? page : 1,
  };
}

/** The address of a search page (`/?q=…`), with only the parameters that say something. */
export function searchHref(state: SearchState): string {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const facet of LIST_FACETS) for (const value of state.filters[facet]) params.append(facet, value);
  if (state.available) params.set('available', 'true');
  if (state.sort) params.set('sort', state.sort);
  if (state.page > 1) params.set('page', String(state.page));
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/** Whether the state asks for anything (a query or a filter): an empty search page shows no results. */
export function isActive(state: SearchState): boolean {
  return (
    state.q.trim() !== '' || state.available || LIST_FACETS.some((facet) => state.filters[facet].length > 0)
  );
}

/** The query parameters of `GET /api/catalog/search` for a state. */
export function apiQuery(
  state: SearchState,
): Record<string, string | number | boolean | string[] | undefined> {
  return {
    q: state.q.trim() || undefined,
    ...state.filters,
    available: state.available || undefined,
    sort: state.sort || undefined,
    limit: PAGE_SIZE,
    offset: (state.page - 1) * PAGE_SIZE,
  };
}

/** A state with one facet value chosen or unchosen (back to the first page). */
export function toggleFilter(state: SearchState, facet: ListFacet, value: string): SearchState {
  const chosen = state.filters[facet];
  const next = chosen.includes(value) ? chosen.filter((v) => v !== value) : [...chosen, value];
  return { ...state, filters: { ...state.filters, [facet]: next }, page: 1 };
}

/** The same search with no filters. */
export function withoutFilters(state: SearchState): SearchState {
  return {
    ...state,
    available: false,
    page: 1,
    filters: Object.fromEntries(LIST_FACETS.map((f) => [f, []])) as unknown as Record<ListFacet, string[]>,
  };
}
