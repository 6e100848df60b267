import { type RawBuilder, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';
import type { BibRecordRow } from '../../db/schema.ts';
import { CATALOG_CHANGES, insertRows, readCounters } from './catalog-repository.ts';
import {
  NotExpressible,
  positiveLeaves,
  RANK_GROUPS,
  rankTsquery,
  type SqlTree,
  toFts5,
  toSqlTree,
  toTsquery,
} from './search-compile.ts';
import { searchWithCopy } from './search-copy-repository.ts';
import type { QueryNode } from './search-query.ts';

/** The analysed text of one record, per indexed field (see search-text.ts). */
export interface SearchDocument {
  title: string;
  author: string;
  subject: string;
  series: string;
  other: string;
}

/** Adds (or replaces) many records in the search index at once, in the caller's transaction. */
export async function indexRecords(
  database: Database,
  trx: Executor,
  entries: { seq: number; doc: SearchDocument }[],
  isNew: boolean,
) {
  if (entries.length === 0) return;
  if (database.dialect === 'sqlite') {
    if (!isNew)
      await sql`delete from bib_search where rowid in (${sql.join(entries.map((e) => e.seq))})`.execute(trx);
    await insertRows(
      trx,
      'sqlite',
      'bib_search',
      entries.map(({ seq, doc }) => ({ rowid: seq, ...doc })),
    );
    return;
  }
  // One UPDATE … FROM (VALUES …) per 500 records: the analysed text goes in as parameters, the vectors
  // are built by PostgreSQL.
  for (let i = 0; i < entries.length; i += 500) {
    const values = entries
      .slice(i, i + 500)
      .map(
        ({ seq, doc }) =>
          sql`(${seq}::bigint, ${doc.title}, ${doc.author}, ${doc.subject}, ${doc.series}, ${doc.other})`,
      );
    await sql`update bib_records r set
      search_vector = setweight(to_tsvector('simple', v.title), 'A') || setweight(to_tsvector('simple', v.author), 'B')
        || setweight(to_tsvector('simple', v.subject), 'C') || setweight(to_tsvector('simple', v.other || ' ' || v.series), 'D'),
      series_vector = to_tsvector('simple', v.series)
      from (values ${sql.join(values)}) as v(seq, title, author, subject, series, other)
      where r.seq = v.seq`.execute(trx);
  }
}

/** Removes a record from the search index (PostgreSQL's vectors go with the row). */
export async function unindexRecord(database: Database, trx: Executor, seq: number) {
  if (database.dialect === 'sqlite') await sql`delete from bib_search where rowid = ${seq}`.execute(trx);
}

/** Narrowing by facet values; values within one facet are ORed, facets are ANDed. */
export interface SearchFilters {
  format?: string[];
  language?: string[];
  decade?: number[];
  branch?: string[];
  subject?: string[];
  /** Only records with an available item (at one of `branch` when given). */
  available?: boolean;
}

export type SearchSort = 'relevance' | 'title' | 'author' | 'date' | 'date_asc';

export interface SearchRequest {
  query: QueryNode | null;
  filters: SearchFilters;
  sort: SearchSort;
  limit: number;
  offset: number;
  /** How many values to count per facet. */
  facetLimit: number;
}

export interface FacetCount {
  value: string;
  count: number;
}

/** What a result list shows of a record (the MARC itself is not read for it). */
export type SearchRow = Pick<
  BibRecordRow,
  | 'id'
  | 'seq'
  | 'title'
  | 'responsibility'
  | 'authors'
  | 'pub_year'
  | 'format'
  | 'language'
  | 'publisher'
  | 'isbns'
> & { score: number };

export interface SearchPage {
  total: number;
  rows: SearchRow[];
  facets: Record<'format' | 'language' | 'decade' | 'branch' | 'subject' | 'availability', FacetCount[]>;
}

function sqliteLeaf(tree: SqlTree): RawBuilder<unknown> {
  switch (tree.type) {
    case 'leaf':
      return sql`f.seq in (select rowid from bib_search where bib_search match ${toFts5(tree.node)})`;
    case 'and':
    case 'or':
      return sql`(${sql.join(tree.children.map(sqliteLeaf), sql.raw(` ${tree.type} `))})`;
    case 'not':
      return sql`not ${sqliteLeaf(tree.child)}`;
  }
}

function postgresLeaf(tree: SqlTree): RawBuilder<unknown> {
  switch (tree.type) {
    case 'leaf': {
      const column = tree.node.field === 'series' ? sql.ref('r.series_vector') : sql.ref('r.search_vector');
      return sql`${column} @@ to_tsquery('simple', ${toTsquery(tree.node)})`;
    }
    case 'and':
    case 'or':
      return sql`(${sql.join(tree.children.map(postgresLeaf), sql.raw(` ${tree.type} `))})`;
    case 'not':
      return sql`not ${postgresLeaf(tree.child)}`;
  }
}

/**
 * The matching part of a search: a `from` clause and a `where` condition over `bib_records r`, plus a
 * relevance score (higher is better) for ranking.
 */
/**
 * The matching part of a search. `from` names the narrow facet table `f` (and, where needed, the match
 * `m` or the record table `r`); `rowsFrom` adds `bib_records r` for reading the page of records.
 * `score` is the relevance (higher is better).
 */
function matchClause(
  database: Database,
  query: QueryNode | null,
  purpose: 'rows' | 'counts' | 'stream' = 'rows',
) {
  const sqlite = database.dialect === 'sqlite';
  const none = {
    with: sql``,
    from: sql`bib_facets f`,
    rowsFrom: sql`bib_facets f join bib_records r on r.seq = f.seq`,
    where: sql`1 = 1`,
    score: sql`0`,
  };
  if (query === null) return none;
  let match: string | null = null;
  try {
    match = toFts5(query);
  } catch (error) {
    if (!(error instanceof NotExpressible)) throw error;
  }
  if (sqlite) {
    // Queries FTS5 cannot say in one expression match leaf by leaf, unranked (on both dialects).
    if (match === null) return { ...none, where: sqliteLeaf(toSqlTree(query)) };
    const points = RANK_GROUPS.map(
      (g) =>
        sql`(case when bm25(bib_search, ${sql.raw(g.fts5Weights)}) != 0 then ${sql.lit(g.points)} else 0 end)`,
    );
    // Materialised: the full-text match runs once per statement, never once per row of another index.
    return {
      with: sql`with m as materialized (select rowid as seq, ${sql.join(points, sql` + `)} as points
        from bib_search where bib_search match ${match}) `,
      from: sql`m join bib_facets f on f.seq = m.seq`,
      rowsFrom: sql`m join bib_facets f on f.seq = m.seq join bib_records r on r.seq = m.seq`,
      where: sql`1 = 1`,
      score: sql`m.points`,
    };
  }
  const pgFrom = sql`bib_records r join bib_facets f on f.seq = r.seq`;
  const where = postgresLeaf(toSqlTree(query));
  const leaves = positiveLeaves(query);
  const points = RANK_GROUPS.flatMap((g) => {
    const q = match === null ? null : rankTsquery(leaves, g);
    return q === null
      ? []
      : [sql`(case when r.search_vector @@ to_tsquery('simple', ${q}) then ${sql.lit(g.points)} else 0 end)`];
  });
  const score = points.length === 0 ? sql`0` : sql`(${sql.join(points, sql` + `)})`;
  // Record by record in seq order, so an export's page stops early.
  if (purpose === 'stream') return { with: sql``, from: pgFrom, rowsFrom: pgFrom, where, score };
  // Materialised: the match (a scan of the records for a common word) runs once per statement, not once
  // per facet; relevance is worked out only where the page needs it.
  return {
    with: sql`with m as materialized (select r.seq${purpose === 'rows' ? sql`, ${score} as points` : sql``}
      from bib_records r where ${where}) `,
    from: sql`m join bib_facets f on f.seq = m.seq`,
    rowsFrom: sql`m join bib_facets f on f.seq = m.seq join bib_records r on r.seq = m.seq`,
    where: sql`1 = 1`,
    score: purpose === 'rows' ? sql`m.points` : sql`0`,
  };
}

function filterClause(filters: SearchFilters): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (filters.format?.length) parts.push(sql`f.format in (${sql.join(filters.format)})`);
  if (filters.language?.length) parts.push(sql`f.language in (${sql.join(filters.language)})`);
  if (filters.decade?.length) parts.push(sql`f.decade in (${sql.join(filters.decade)})`);
  if (filters.subject?.length) {
    parts.push(
      sql`exists (select 1 from bib_subjects s where s.record_id = f.record_id and s.subject in (${sql.join(filters.subject)}))`,
    );
  }
  if (filters.branch?.length) {
    const available = filters.available ? sql`and i.status = 'available'` : sql``;
    parts.push(
      sql`exists (select 1 from items i where i.record_id = f.record_id and i.branch_id in (${sql.join(filters.branch)}) ${available})`,
    );
  } else if (filters.available) {
    parts.push(sql`f.available > 0`);
  }
  return parts.length === 0 ? sql`1 = 1` : sql.join(parts, sql` and `);
}

const ORDER: Record<SearchSort, RawBuilder<unknown>> = {
  relevance: sql`score desc, f.title_length, f.seq`,
  title: sql`r.title_sort, r.seq`,
  author: sql`r.author_sort, r.title_sort, r.seq`,
  date: sql`f.pub_year desc, r.title_sort, r.seq`,
  date_asc: sql`f.pub_year, r.title_sort, r.seq`,
};

/**
 * Runs a search: one page of records, the total, and facet counts over the whole result. SQLite counts
 * and ranks in memory (`search-facets.ts`); PostgreSQL in SQL, with the whole catalog's facet counts
 * kept until the catalog changes.
 */
export async function searchRecords(
  database: Database,
  db: Executor,
  request: SearchRequest,
): Promise<SearchPage> {
  if (database.dialect === 'sqlite') return searchWithCopy(database, db, request);
  const wholeCatalog = request.query === null && !hasFilters(request.filters);
  if (!wholeCatalog) return searchRecordsSql(database, db, request);
  // The empty query's facets are the whole catalog's: counted once per catalog change, in any process.
  const cache = pgCaches.get(database) ?? { key: '', facets: null, total: 0 };
  pgCaches.set(database, cache);
  const changes = (await readCounters(db, [CATALOG_CHANGES])).get(CATALOG_CHANGES)!;
  const key = `${changes}:${request.facetLimit}`;
  if (cache.key === key && cache.facets !== null) {
    const page = await searchRecordsSql(database, db, request, false);
    return { ...page, total: cache.total, facets: cache.facets };
  }
  const page = await searchRecordsSql(database, db, request);
  // `changes` was read before counting: counts are never kept under an older number than they saw.
  Object.assign(cache, { key, facets: page.facets, total: page.total });
  return page;
}

/** The whole catalog's total and facet counts on PostgreSQL, per database, with the change number read before counting. */
const pgCaches = new WeakMap<Database, { key: string; facets: SearchPage['facets'] | null; total: number }>();

function hasFilters(filters: SearchFilters): boolean {
  return Boolean(
    filters.format?.length ||
      filters.language?.length ||
      filters.decade?.length ||
      filters.branch?.length ||
      filters.subject?.length ||
      filters.available,
  );
}

/**
 * The search in SQL on either dialect: one statement for the page, one for the total and every facet.
 * With `withFacets` false only the page is read (the total too, which is one cheap count here).
 */
export async function searchRecordsSql(
  database: Database,
  db: Executor,
  request: SearchRequest,
  withFacets = true,
): Promise<SearchPage> {
  const match = matchClause(database, request.query);
  const counting = matchClause(database, request.query, 'counts');
  const where = sql`${match.where} and ${filterClause(request.filters)}`;
  const countWhere = sql`${counting.where} and ${filterClause(request.filters)}`;
  const nullsLast =
    database.dialect === 'postgres' && request.sort.startsWith('date') ? sql` nulls last` : sql``;
  const limit = request.facetLimit;
  // The total and every facet in one statement: on SQLite the match is materialised once for all of them.
  const part = (name: string, body: RawBuilder<unknown>) =>
    sql`select * from (select ${sql.lit(name)} as facet, ${body}) f_${sql.raw(name)}`;
  const facetSql = sql<{
    facet: string;
    value: string | number | null;
    count: number;
  }>`${counting.with}${sql.join(
    [
      part('total', sql`null as value, count(*) as count from ${counting.from} where ${countWhere}`),
      part(
        'format',
        sql`f.format as value, count(*) as count from ${counting.from} where ${countWhere}
        group by f.format order by count(*) desc, f.format limit ${limit}`,
      ),
      part(
        'language',
        sql`f.language as value, count(*) as count from ${counting.from} where ${countWhere} and f.language is not null
        group by f.language order by count(*) desc, f.language limit ${limit}`,
      ),
      part(
        'decade',
        sql`cast(f.decade as text) as value, count(*) as count from ${counting.from} where ${countWhere} and f.decade is not null
        group by f.decade order by count(*) desc, f.decade limit ${limit}`,
      ),
      part(
        'subject',
        sql`s.subject as value, count(*) as count from ${counting.from} join bib_subjects s on s.record_id = f.record_id
        where ${countWhere} group by s.subject order by count(*) desc, s.subject limit ${limit}`,
      ),
      part(
        'branch',
        sql`cast(i.branch_id as text) as value, count(distinct f.seq) as count from ${counting.from} join items i on i.record_id = f.record_id
        where ${countWhere} group by i.branch_id order by count(distinct f.seq) desc, 2`,
      ),
      part(
        'availability',
        sql`case when f.available > 0 then 'available' else 'unavailable' end as value, count(*) as count from ${counting.from} where ${countWhere} group by 2`,
      ),
    ],
    sql` union all `,
  )}`;
  // Ranking reads only the narrow facet rows; whole records are read for the one page shown.
  const rowsSql =
    request.sort === 'relevance'
      ? sql<BibRecordRow & { score: number }>`${match.with}select r.*, page.score from (
          select f.seq as page_seq, f.title_length as page_length, ${match.score} as score from ${match.from} where ${where}
          order by ${ORDER.relevance} limit ${request.limit} offset ${request.offset}) page
        join bib_records r on r.seq = page.page_seq order by page.score desc, page.page_length, r.seq`
      : sql<
          BibRecordRow & { score: number }
        >`${match.with}select r.*, ${match.score} as score from ${match.rowsFrom} where ${where}
          order by ${ORDER[request.sort]}${nullsLast} limit ${request.limit} offset ${request.offset}`;
  const [rows, facetRows] = await Promise.all([
    rowsSql.execute(db),
    withFacets ? facetSql.execute(db) : Promise.resolve({ rows: [] }),
  ]);
  const facets: SearchPage['facets'] = {
    format: [],
    language: [],
    decade: [],
    subject: [],
    branch: [],
    availability: [],
  };
  let total = 0;
  for (const row of facetRows.rows) {
    if (row.facet === 'total') total = Number(row.count);
    else
      facets[row.facet as keyof SearchPage['facets']].push({
        value: String(row.value),
        count: Number(row.count),
      });
  }
  facets.availability.sort((a, b) => (a.value < b.value ? -1 : 1));
  return { total, rows: rows.rows.map((row) => ({ ...row, score: Number(row.score) })), facets };
}

/** The next page of records matching `query`, in record order after `afterSeq`: for exports of any size. */
export async function recordsAfter(
  database: Database,
  db: Executor,
  query: QueryNode | null,
  filters: SearchFilters,
  afterSeq: number,
  limit: number,
): Promise<BibRecordRow[]> {
  const match = matchClause(database, query, 'stream');
  const result = await sql<BibRecordRow>`${match.with}select r.* from ${match.rowsFrom}
    where ${match.where} and ${filterClause(filters)} and f.seq > ${afterSeq} order by f.seq limit ${limit}`.execute(
    db,
  );
  return result.rows;
}
