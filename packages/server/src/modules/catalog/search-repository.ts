import { type RawBuilder, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';
import type { BibRecordRow } from '../../db/schema.ts';
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
import type { QueryNode } from './search-query.ts';

/** The analysed text of one record, per indexed field (see search-text.ts). */
export interface SearchDocument {
  title: string;
  author: string;
  subject: string;
  series: string;
  other: string;
}

function postgresVectors(doc: SearchDocument) {
  return {
    search_vector: sql`setweight(to_tsvector('simple', ${doc.title}), 'A') || setweight(to_tsvector('simple', ${doc.author}), 'B')
      || setweight(to_tsvector('simple', ${doc.subject}), 'C') || setweight(to_tsvector('simple', ${doc.other} || ' ' || ${doc.series}), 'D')`,
    series_vector: sql`to_tsvector('simple', ${doc.series})`,
  };
}

/** Adds or replaces a record in the search index, in the caller's transaction. */
export async function indexRecord(
  database: Database,
  trx: Executor,
  seq: number,
  doc: SearchDocument,
  isNew: boolean,
) {
  await indexRecords(database, trx, [{ seq, doc }], isNew);
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
    for (let i = 0; i < entries.length; i += 500) {
      const rows = entries
        .slice(i, i + 500)
        .map(
          ({ seq, doc }) =>
            sql`(${seq}, ${doc.title}, ${doc.author}, ${doc.subject}, ${doc.series}, ${doc.other})`,
        );
      await sql`insert into bib_search (rowid, title, author, subject, series, other) values ${sql.join(rows)}`.execute(
        trx,
      );
    }
    return;
  }
  for (const { seq, doc } of entries) {
    const v = postgresVectors(doc);
    await sql`update bib_records set search_vector = ${v.search_vector}, series_vector = ${v.series_vector} where seq = ${seq}`.execute(
      trx,
    );
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

export interface SearchPage {
  total: number;
  rows: (BibRecordRow & { score: number })[];
  facets: Record<'format' | 'language' | 'decade' | 'branch' | 'subject' | 'availability', FacetCount[]>;
}

function sqliteLeaf(tree: SqlTree): RawBuilder<unknown> {
  switch (tree.type) {
    case 'leaf':
      return sql`r.seq in (select rowid from bib_search where bib_search match ${toFts5(tree.node)})`;
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
function matchClause(database: Database, query: QueryNode | null) {
  const none = { with: sql``, from: sql`bib_records r`, where: sql`1 = 1`, score: sql`0` };
  if (query === null) return none;
  let match: string | null = null;
  try {
    match = toFts5(query);
  } catch (error) {
    if (!(error instanceof NotExpressible)) throw error;
  }
  if (database.dialect === 'sqlite') {
    // Queries FTS5 cannot say in one expression match leaf by leaf, unranked (on both dialects).
    if (match === null) return { ...none, where: sqliteLeaf(toSqlTree(query)) };
    const points = RANK_GROUPS.map(
      (g) =>
        sql`(case when bm25(bib_search, ${sql.raw(g.fts5Weights)}) != 0 then ${sql.lit(g.points)} else 0 end)`,
    );
    // Materialised: the full-text match runs once, never once per candidate row of another index.
    return {
      with: sql`with m as materialized (select rowid as seq, ${sql.join(points, sql` + `)} as points
        from bib_search where bib_search match ${match}) `,
      from: sql`m join bib_records r on r.seq = m.seq`,
      where: sql`1 = 1`,
      score: sql`m.points`,
    };
  }
  const where = postgresLeaf(toSqlTree(query));
  if (match === null) return { ...none, where };
  const leaves = positiveLeaves(query);
  const points = RANK_GROUPS.flatMap((g) => {
    const q = rankTsquery(leaves, g);
    return q === null
      ? []
      : [sql`(case when r.search_vector @@ to_tsquery('simple', ${q}) then ${sql.lit(g.points)} else 0 end)`];
  });
  return {
    with: sql``,
    from: sql`bib_records r`,
    where,
    score: points.length === 0 ? sql`0` : sql`(${sql.join(points, sql` + `)})`,
  };
}

function filterClause(filters: SearchFilters): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (filters.format?.length) parts.push(sql`r.format in (${sql.join(filters.format)})`);
  if (filters.language?.length) parts.push(sql`r.language in (${sql.join(filters.language)})`);
  if (filters.decade?.length) {
    parts.push(
      sql`(${sql.join(
        filters.decade.map((d) => sql`(r.pub_year >= ${d} and r.pub_year < ${d + 10})`),
        sql` or `,
      )})`,
    );
  }
  if (filters.subject?.length) {
    parts.push(
      sql`exists (select 1 from bib_subjects s where s.record_id = r.id and s.subject in (${sql.join(filters.subject)}))`,
    );
  }
  if (filters.branch?.length || filters.available) {
    const branch = filters.branch?.length ? sql`and i.branch_id in (${sql.join(filters.branch)})` : sql``;
    const available = filters.available ? sql`and i.status = 'available'` : sql``;
    parts.push(sql`exists (select 1 from items i where i.record_id = r.id ${branch} ${available})`);
  }
  return parts.length === 0 ? sql`1 = 1` : sql.join(parts, sql` and `);
}

const ORDER: Record<SearchSort, RawBuilder<unknown>> = {
  relevance: sql`score desc, length(r.title), r.seq`,
  title: sql`r.title_sort, r.seq`,
  author: sql`r.author_sort, r.title_sort, r.seq`,
  date: sql`r.pub_year desc, r.title_sort, r.seq`,
  date_asc: sql`r.pub_year, r.title_sort, r.seq`,
};

/** Runs a search: one page of records, the total, and facet counts over the whole result. */
export async function searchRecords(
  database: Database,
  db: Executor,
  request: SearchRequest,
): Promise<SearchPage> {
  const match = matchClause(database, request.query);
  const where = sql`${match.where} and ${filterClause(request.filters)}`;
  const nullsLast =
    database.dialect === 'postgres' && request.sort.startsWith('date') ? sql` nulls last` : sql``;
  const [rows, total, format, language, decade, subject, branch, availability] = await Promise.all([
    sql<
      BibRecordRow & { score: number }
    >`${match.with}select r.*, ${match.score} as score from ${match.from} where ${where}
      order by ${ORDER[request.sort]}${nullsLast} limit ${request.limit} offset ${request.offset}`.execute(
      db,
    ),
    sql<{ n: number }>`${match.with}select count(*) as n from ${match.from} where ${where}`.execute(db),
    facet(sql`r.format`, match, where, request.facetLimit, db),
    facet(sql`r.language`, match, where, request.facetLimit, db),
    facet(sql`(r.pub_year / 10) * 10`, match, where, request.facetLimit, db),
    sql<FacetCount>`${match.with}select s.subject as value, count(*) as count from ${match.from} join bib_subjects s on s.record_id = r.id
      where ${where} group by s.subject order by count(*) desc, s.subject limit ${request.facetLimit}`.execute(
      db,
    ),
    sql<FacetCount>`${match.with}select i.branch_id as value, count(distinct r.id) as count from ${match.from} join items i on i.record_id = r.id
      where ${where} group by i.branch_id order by count(distinct r.id) desc, i.branch_id`.execute(db),
    sql<FacetCount>`${match.with}select case when exists (select 1 from items i where i.record_id = r.id and i.status = 'available')
      then 'available' else 'unavailable' end as value, count(*) as count from ${match.from} where ${where} group by 1 order by 1`.execute(
      db,
    ),
  ]);
  const counts = (r: { rows: FacetCount[] }) =>
    r.rows.map((row) => ({ value: String(row.value), count: Number(row.count) }));
  return {
    total: Number(total.rows[0]?.n ?? 0),
    rows: rows.rows.map((row) => ({ ...row, score: Number(row.score) })),
    facets: {
      format: counts(format),
      language: counts(language),
      decade: counts(decade),
      subject: counts(subject),
      branch: counts(branch),
      availability: counts(availability),
    },
  };
}

function facet(
  column: RawBuilder<unknown>,
  match: { with: RawBuilder<unknown>; from: RawBuilder<unknown> },
  where: RawBuilder<unknown>,
  limit: number,
  db: Executor,
) {
  return sql<FacetCount>`${match.with}select ${column} as value, count(*) as count from ${match.from} where ${where} and ${column} is not null
    group by ${column} order by count(*) desc, 1 limit ${limit}`.execute(db);
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
  const match = matchClause(database, query);
  const result = await sql<BibRecordRow>`${match.with}select r.* from ${match.from}
    where ${match.where} and ${filterClause(filters)} and r.seq > ${afterSeq} order by r.seq limit ${limit}`.execute(
    db,
  );
  return result.rows;
}
