import { type RawBuilder, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';
import { CATALOG_CHANGES, CATALOG_DELETIONS, CATALOG_TEXTS, readCounters } from './catalog-repository.ts';
import { NotExpressible, RANK_GROUPS, toFts5 } from './search-compile.ts';
import { difference, FacetCopy, intersect, parseSeqList, type SeqList, unionAll } from './search-facets.ts';
import type { QueryNode } from './search-query.ts';
import type { SearchFilters, SearchPage, SearchRequest, SearchSort } from './search-repository.ts';

/**
 * Search on SQLite with the in-memory facet copy (see `search-facets.ts`): the full-text index gives
 * the matches of each query word per column group, the copy filters, counts and ranks them, and only
 * the page of records shown is read from `bib_records`. Everything a search reads happens in one read
 * transaction, so the copy, the matches and the records are of the same moment.
 */

interface CopyState {
  copy: FacetCopy;
  /**
   * Matches of recent query words, most recently used last, while the records' texts stay as they were
   * (`catalog_texts` = `texts`): a common word is looked up in the full-text index once, not per search.
   */
  words: { texts: number; entries: Map<string, LeafMatches>; size: number };
  /** The whole catalog's facets (the empty query, no filters), for the copy's change number and limit. */
  wholeCatalog: { key: string; total: number; facets: SearchPage['facets'] } | null;
}

const states = new WeakMap<Database, CopyState>();

/** Rows per statement when reading facet rows. */
const SYNC_CHUNK = 20_000;

type Leaf = Extract<QueryNode, { type: 'terms' }>;

/** The column groups of relevance (title 8, author 4, subject 2, series and notes 1) as FTS5 column filters. */
const GROUP_COLUMNS: Record<number, string> = {
  8: '{title}',
  4: '{author}',
  2: '{subject}',
  1: '{series other}',
};

/** A query word's (or phrase's) matches: all of them, and per relevance group (bit = the group's points). */
interface LeafMatches {
  all: SeqList;
  groups: { bit: number; list: SeqList }[];
}

export async function searchWithCopy(
  database: Database,
  db: Executor,
  request: SearchRequest,
): Promise<SearchPage> {
  let state = states.get(database);
  if (!state) {
    state = { copy: new FacetCopy(), wholeCatalog: null, words: { texts: -1, entries: new Map(), size: 0 } };
    states.set(database, state);
  }
  const run = (conn: Executor) => searchIn(conn, state, request);
  if (db.isTransaction) return run(db);
  // One connection, one read transaction (deferred: it takes no write lock).
  return db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    try {
      return await run(conn);
    } finally {
      await sql`commit`.execute(conn);
    }
  });
}

async function searchIn(db: Executor, state: CopyState, request: SearchRequest): Promise<SearchPage> {
  const copy = state.copy;
  const texts = await syncCopy(db, copy);
  if (state.words.texts !== texts) state.words = { texts, entries: new Map(), size: 0 };
  const { query, filters, facetLimit } = request;
  const wholeCatalog = query === null && !hasFilters(filters);
  const key = `${copy.changeNo}:${copy.deletions}:${facetLimit}`;
  if (wholeCatalog && request.sort !== 'relevance') {
    // Every record: the facets are kept per catalog change, the page is the first rows of an index.
    if (state.wholeCatalog?.key !== key) {
      state.wholeCatalog = { key, total: copy.live, facets: copy.facets(copy.all(), facetLimit) };
    }
    const { total, facets } = state.wholeCatalog;
    const seqs = await orderedPage(db, copy, null, request.sort, request.offset, request.limit);
    return { total, facets, rows: (await readRecords(db, seqs)).map((row) => ({ ...row, score: 0 })) };
  }
  let hits: SeqList = EMPTY;
  let points: Uint8Array | null = null;
  if (!copy.canMatch(filters)) {
    // Nothing passes the filters: the words need not be looked up.
  } else if (query === null) {
    hits = copy.filter(copy.all(), filters);
  } else {
    const leaves = await matchLeaves(db, query, state.words);
    const memo = new Map<QueryNode, SeqList>();
    hits = copy.filter(evaluate(query, leaves, copy, memo), filters);
    if (expressible(query)) {
      points = new Uint8Array(copy.capacity);
      addPoints(query, leaves, copy, memo, null, points);
    }
  }
  const facets = copy.facets(hits, facetLimit);
  const pageSeqs =
    request.sort === 'relevance'
      ? copy.rank(hits, points, request.offset, request.limit)
      : await orderedPage(db, copy, hits, request.sort, request.offset, request.limit);
  const rows = await readRecords(db, pageSeqs);
  return {
    total: hits.length,
    rows: rows.map((row) => ({ ...row, score: points ? points[Number(row.seq)]! : 0 })),
    facets,
  };
}

const EMPTY: SeqList = new Int32Array(0);

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

/** Brings the copy up to the catalog change number of this transaction; returns the texts counter. */
async function syncCopy(db: Executor, copy: FacetCopy): Promise<number> {
  const counters = await readCounters(db, [CATALOG_CHANGES, CATALOG_TEXTS, CATALOG_DELETIONS]);
  const changes = counters.get(CATALOG_CHANGES)!;
  const texts = counters.get(CATALOG_TEXTS)!;
  const deletions = counters.get(CATALOG_DELETIONS)!;
  if (copy.changeNo < 0) {
    // The first search: every row, in seq order.
    let afterSeq = -1;
    for (;;) {
      const read = await readFacetRows(db, copy, sql`seq > ${afterSeq} order by seq`);
      if (read.rows < SYNC_CHUNK) break;
      afterSeq = read.lastSeq;
    }
    copy.changeNo = changes;
    copy.deletions = deletions;
    await readHeadings(db, copy);
    return texts;
  }
  if (copy.changeNo < changes) {
    // Rows stamped after the last change seen, in (change_no, seq) order along the change_no index.
    let read = await readFacetRows(db, copy, sql`change_no > ${copy.changeNo} order by change_no, seq`);
    while (read.rows === SYNC_CHUNK) {
      const { lastChange, lastSeq } = read;
      read = await readFacetRows(db, copy, sql`change_no = ${lastChange} and seq > ${lastSeq} order by seq`);
      if (read.rows < SYNC_CHUNK)
        read = await readFacetRows(db, copy, sql`change_no > ${lastChange} order by change_no, seq`);
    }
    copy.changeNo = changes;
    await readHeadings(db, copy);
  }
  if (copy.deletions !== deletions) {
    // Records were deleted since the set of records was read (rare): read it again.
    const present = await sql<{
      ids: string | null;
    }>`select group_concat(seq) as ids from bib_facets`.execute(db);
    copy.retain(parseSeqList(present.rows[0]?.ids ?? null));
    copy.deletions = deletions;
  }
  return texts;
}

/** Reads the subject headings added since the last read. */
async function readHeadings(db: Executor, copy: FacetCopy): Promise<void> {
  const rows = await db
    .selectFrom('bib_subject_headings')
    .select(['id', 'heading'])
    .where('id', '>', copy.headings.length - 1)
    .orderBy('id')
    .execute();
  for (const row of rows) copy.addHeading(Number(row.id), row.heading);
}

/**
 * Reads up to SYNC_CHUNK facet rows (`where` ends with their order) into the copy, each column as one
 * string (one value per row, in the same order): far quicker than a row object each. Returns how many,
 * and the change number and seq of the last.
 */
async function readFacetRows(db: Executor, copy: FacetCopy, where: RawBuilder<unknown>) {
  const result = await sql<
    Record<'n' | 'changes' | 'seqs' | 'formats' | 'languages' | 'decades', string | null>
  >`
    select count(*) as n, group_concat(change_no) as changes, group_concat(seq) as seqs,
      group_concat(format, char(30)) as formats, group_concat(coalesce('=' || language, ''), char(30)) as languages,
      group_concat(coalesce(decade, ''), char(30)) as decades, group_concat(title_length) as lengths,
      group_concat(available > 0, '') as available, group_concat(subject_ids, char(30)) as subjects,
      group_concat(branches, char(30)) as branches
    from (select * from bib_facets where ${where} limit ${SYNC_CHUNK})`.execute(db);
  const row = result.rows[0] as Record<string, string | number | null> | undefined;
  const rows = Number(row?.n ?? 0);
  let lastChange = -1;
  let lastSeq = -1;
  if (!row || rows === 0) return { rows, lastChange, lastSeq };
  const changes = numbers(String(row.changes));
  const seqs = numbers(String(row.seqs));
  const lengths = numbers(String(row.lengths));
  const formats = String(row.formats).split('\u001e');
  const languages = String(row.languages).split('\u001e');
  const decades = String(row.decades).split('\u001e');
  const available = String(row.available);
  const subjects = String(row.subjects).split('\u001e');
  const branches = String(row.branches).split('\u001e');
  for (let i = 0; i < rows; i++) {
    const seq = seqs[i]!;
    const language = languages[i]!;
    const decade = decades[i]!;
    copy.apply({
      seq,
      format: formats[i]!,
      language: language === '' ? null : language.slice(1),
      decade: decade === '' ? null : Number(decade),
      titleLength: lengths[i]!,
      available: available.charCodeAt(i) === 49,
      subjectIds: subjects[i]!,
      branches: branches[i]!,
    });
    const changeNo = changes[i]!;
    if (changeNo > lastChange || (changeNo === lastChange && seq > lastSeq)) {
      lastChange = changeNo;
      lastSeq = seq;
    }
  }
  return { rows, lastChange, lastSeq };
}

/** Non-negative integers written "1,22,333". */
function numbers(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      out.push(value);
      value = 0;
    } else value = value * 10 + (c - 48);
  }
  out.push(value);
  return out;
}

/** Numbers the word cache may hold (4 bytes each). */
const WORD_CACHE_NUMBERS = 16 * 1024 * 1024;

/** The matches of every query word (phrase, prefix) of the tree, per relevance group. */
async function matchLeaves(
  db: Executor,
  query: QueryNode,
  cache: CopyState['words'],
): Promise<Map<string, LeafMatches>> {
  const leaves = new Map<string, LeafMatches>();
  const visit = async (node: QueryNode): Promise<void> => {
    if (node.type === 'terms') {
      const key = leafKey(node);
      if (leaves.has(key)) return;
      const cached = cache.entries.get(key);
      if (cached) {
        cache.entries.delete(key);
        cache.entries.set(key, cached);
        leaves.set(key, cached);
        return;
      }
      const phrase = `"${node.words.join(' ')}"${node.prefix ? '*' : ''}`;
      const groups: LeafMatches['groups'] = [];
      for (const group of RANK_GROUPS) {
        if (node.field !== null && !(group.fields as readonly string[]).includes(node.field)) continue;
        const columns = node.field === null ? GROUP_COLUMNS[group.points]! : `{${node.field}}`;
        const result = await sql<{ ids: string | null }>`select group_concat(rowid) as ids from bib_search
          where bib_search match ${`${columns} : ${phrase}`}`.execute(db);
        groups.push({ bit: group.points, list: parseSeqList(result.rows[0]?.ids ?? null) });
      }
      const matches = { all: unionAll(groups.map((g) => g.list)), groups };
      leaves.set(key, matches);
      const size = matches.all.length + groups.reduce((n, g) => n + g.list.length, 0);
      if (size <= WORD_CACHE_NUMBERS / 4) {
        cache.entries.set(key, matches);
        cache.size += size;
        for (const [oldKey, old] of cache.entries) {
          if (cache.size <= WORD_CACHE_NUMBERS) break;
          cache.entries.delete(oldKey);
          cache.size -= old.all.length + old.groups.reduce((n, g) => n + g.list.length, 0);
        }
      }
      return;
    }
    if (node.type === 'not') return visit(node.child);
    for (const child of node.children) await visit(child);
  };
  await visit(query);
  return leaves;
}

function leafKey(node: Leaf): string {
  return `${node.field ?? ''}\u0000${node.prefix ? '*' : ''}\u0000${node.words.join(' ')}`;
}

/** The records a tree matches: AND, OR and NOT as list operations (NOT against every record). */
function evaluate(
  node: QueryNode,
  leaves: Map<string, LeafMatches>,
  copy: FacetCopy,
  memo: Map<QueryNode, SeqList>,
): SeqList {
  const known = memo.get(node);
  if (known) return known;
  let result: SeqList;
  switch (node.type) {
    case 'terms':
      result = leaves.get(leafKey(node))!.all;
      break;
    case 'not':
      result = difference(copy.all(), evaluate(node.child, leaves, copy, memo));
      break;
    case 'or':
      result = unionAll(node.children.map((c) => evaluate(c, leaves, copy, memo)));
      break;
    case 'and': {
      const positives = node.children
        .filter((c) => c.type !== 'not')
        .map((c) => evaluate(c, leaves, copy, memo))
        .sort((a, b) => a.length - b.length);
      const negatives = node.children.flatMap((c) =>
        c.type === 'not' ? [evaluate(c.child, leaves, copy, memo)] : [],
      );
      result = positives.length === 0 ? copy.all() : positives[0]!;
      for (const list of positives.slice(1)) result = intersect(result, list);
      if (negatives.length > 0) result = difference(result, unionAll(negatives));
      break;
    }
  }
  memo.set(node, result);
  return result;
}

/** Whether FTS5 ranks the tree (the SQL path scores the rest 0, on both dialects). */
function expressible(query: QueryNode): boolean {
  try {
    toFts5(query);
    return true;
  } catch (error) {
    if (error instanceof NotExpressible) return false;
    throw error;
  }
}

/**
 * Marks each record's relevance groups as FTS5's bm25 sees them: a query word counts for a record when
 * it occurs in the group's columns and its branch of the query matched the record (an OR's other
 * branches, and anything under NOT, do not count).
 */
function addPoints(
  node: QueryNode,
  leaves: Map<string, LeafMatches>,
  copy: FacetCopy,
  memo: Map<QueryNode, SeqList>,
  within: SeqList | null,
  points: Uint8Array,
): void {
  switch (node.type) {
    case 'terms':
      for (const { bit, list } of leaves.get(leafKey(node))!.groups) {
        const marked = within ? intersect(list, within) : list;
        for (let i = 0; i < marked.length; i++) {
          const seq = marked[i]!;
          if (seq < points.length) points[seq] = points[seq]! | bit;
        }
      }
      return;
    case 'not':
      return;
    case 'and':
      for (const child of node.children) addPoints(child, leaves, copy, memo, within, points);
      return;
    case 'or':
      for (const child of node.children) {
        // A word's own group lists lie within its matches; a compound branch counts where it matched.
        const restrict =
          child.type === 'terms'
            ? within
            : within
              ? intersect(within, evaluate(child, leaves, copy, memo))
              : evaluate(child, leaves, copy, memo);
        addPoints(child, leaves, copy, memo, restrict, points);
      }
      return;
  }
}

const ORDER_SQL: Record<Exclude<SearchSort, 'relevance'>, string> = {
  title: 'title_sort, seq',
  author: 'author_sort, title_sort, seq',
  date: 'pub_year desc, title_sort, seq',
  date_asc: 'pub_year, title_sort, seq',
};

/**
 * A page of `hits` in a stored order. A large result is found by walking the catalog in that order
 * until the page is full (few rows, as the result is a large part of the catalog); a small one is
 * sorted in SQL.
 */
async function orderedPage(
  db: Executor,
  copy: FacetCopy,
  hits: SeqList | null,
  sort: Exclude<SearchSort, 'relevance'>,
  offset: number,
  limit: number,
): Promise<number[]> {
  const want = offset + limit;
  const order = sql.raw(ORDER_SQL[sort]);
  if (hits === null) {
    // Every record.
    const result = await sql<{ seq: number }>`select seq from bib_records order by ${order}
      limit ${limit} offset ${offset}`.execute(db);
    return result.rows.map((r) => Number(r.seq));
  }
  if (hits.length === 0 || limit <= 0 || offset >= hits.length) return [];
  const expected = (want * copy.live) / hits.length;
  if (expected <= Math.max(4 * want, hits.length / 4)) {
    const member = new Uint8Array(copy.capacity);
    for (let i = 0; i < hits.length; i++) member[hits[i]!] = 1;
    const found: number[] = [];
    const budget = Math.max(expected * 8, hits.length);
    let scanned = 0;
    let chunk = Math.max(256, Math.ceil(expected * 1.5));
    while (found.length < want && scanned < budget) {
      const result = await sql<{ seq: number }>`select seq from bib_records order by ${order}
        limit ${chunk} offset ${scanned}`.execute(db);
      for (const { seq } of result.rows) if (member[seq] === 1 && found.length < want) found.push(seq);
      if (result.rows.length < chunk) return found.slice(offset);
      scanned += result.rows.length;
      chunk *= 2;
    }
    if (found.length >= want) return found.slice(offset);
  }
  const result = await sql<{ seq: number }>`select seq from bib_records
    where seq in (select value from json_each(${JSON.stringify(Array.from(hits))}))
    order by ${order} limit ${limit} offset ${offset}`.execute(db);
  return result.rows.map((r) => Number(r.seq));
}

/** What a result list shows of the records of `seqs`, in that order. */
async function readRecords(db: Executor, seqs: readonly number[]) {
  if (seqs.length === 0) return [];
  const rows = await db
    .selectFrom('bib_records')
    .select([
      'id',
      'seq',
      'title',
      'responsibility',
      'authors',
      'pub_year',
      'format',
      'language',
      'publisher',
      'isbns',
    ])
    .where('seq', 'in', seqs)
    .execute();
  const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
  return seqs.flatMap((s) => {
    const row = bySeq.get(s);
    return row ? [row] : [];
  });
}
