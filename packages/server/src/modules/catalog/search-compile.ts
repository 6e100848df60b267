import type { QueryNode, SearchField } from './search-query.ts';

/**
 * Compiles a parsed query for each dialect. Both receive the same analysed words, so they match the
 * same records; only the syntax differs.
 */

/** FTS5 column of each field (the table's columns: title, author, subject, series, other). */
const FTS5_COLUMN: Record<SearchField, string> = {
  title: 'title',
  author: 'author',
  subject: 'subject',
  series: 'series',
  other: 'other',
};

/** Thrown when a tree has no single FTS5 expression (a NOT inside OR, or nothing positive). */
export class NotExpressible extends Error {}

function fts5Terms(node: Extract<QueryNode, { type: 'terms' }>): string {
  // Words hold letters and digits only (see search-text.ts), so double quotes cannot break out.
  const phrase = `"${node.words.join(' ')}"${node.prefix ? '*' : ''}`;
  return node.field ? `${FTS5_COLUMN[node.field]} : ${phrase}` : phrase;
}

/** The FTS5 MATCH expression of a tree, or NotExpressible. */
export function toFts5(node: QueryNode): string {
  switch (node.type) {
    case 'terms':
      return fts5Terms(node);
    case 'or': {
      if (node.children.some((c) => c.type === 'not')) throw new NotExpressible('NOT inside OR');
      return `(${node.children.map(toFts5).join(' OR ')})`;
    }
    case 'and': {
      const positives = node.children.filter((c) => c.type !== 'not');
      const negatives = node.children.filter(
        (c): c is Extract<QueryNode, { type: 'not' }> => c.type === 'not',
      );
      if (positives.length === 0) throw new NotExpressible('nothing positive');
      const base = `(${positives.map(toFts5).join(' AND ')})`;
      return negatives.length === 0
        ? base
        : `${base} NOT (${negatives.map((n) => toFts5(n.child)).join(' OR ')})`;
    }
    case 'not':
      throw new NotExpressible('a bare NOT');
  }
}

/** PostgreSQL tsvector weight of each field in `search_vector` (series has a column of its own). */
const PG_WEIGHT: Record<Exclude<SearchField, 'series'>, string> = {
  title: 'A',
  author: 'B',
  subject: 'C',
  other: 'D',
};

/** The tsquery text (for `to_tsquery('simple', …)`) of one leaf. */
export function toTsquery(node: Extract<QueryNode, { type: 'terms' }>): string {
  const weight = node.field && node.field !== 'series' ? PG_WEIGHT[node.field] : '';
  const suffix = node.prefix || weight ? `:${node.prefix ? '*' : ''}${weight}` : '';
  return node.words.map((w) => `'${w}'${suffix}`).join(' <-> ');
}

/** A leaf or boolean combination, for building SQL on PostgreSQL (and the SQLite fallback). */
export type SqlTree =
  | { type: 'leaf'; node: Extract<QueryNode, { type: 'terms' }> }
  | { type: 'and' | 'or'; children: SqlTree[] }
  | { type: 'not'; child: SqlTree };

export function toSqlTree(node: QueryNode): SqlTree {
  switch (node.type) {
    case 'terms':
      return { type: 'leaf', node };
    case 'and':
    case 'or':
      return { type: node.type, children: node.children.map(toSqlTree) };
    case 'not':
      return { type: 'not', child: toSqlTree(node.child) };
  }
}

/** The positive leaves of a tree (those not under a NOT): what relevance is ranked on. */
export function positiveLeaves(node: QueryNode): Extract<QueryNode, { type: 'terms' }>[] {
  switch (node.type) {
    case 'terms':
      return [node];
    case 'and':
    case 'or':
      return node.children.flatMap(positiveLeaves);
    case 'not':
      return [];
  }
}

/**
 * Relevance, computed the same way on both dialects so they rank alike: a record scores 8 when a
 * query word (or phrase) is in its title, 4 in an author, 2 in a subject and 1 elsewhere (series,
 * notes, identifiers), added up. Ties go to the shorter title, then to the older record.
 */
export const RANK_GROUPS = [
  { points: 8, fts5Weights: '1, 0, 0, 0, 0', pgWeight: 'A', fields: ['title'] },
  { points: 4, fts5Weights: '0, 1, 0, 0, 0', pgWeight: 'B', fields: ['author'] },
  { points: 2, fts5Weights: '0, 0, 1, 0, 0', pgWeight: 'C', fields: ['subject'] },
  { points: 1, fts5Weights: '0, 0, 0, 1, 1', pgWeight: 'D', fields: ['series', 'other'] },
] as const;

/** The tsquery of the positive leaves that can hit one rank group, or null when none can. */
export function rankTsquery(
  leaves: Extract<QueryNode, { type: 'terms' }>[],
  group: (typeof RANK_GROUPS)[number],
): string | null {
  const parts = leaves
    .filter((l) => l.field === null || (group.fields as readonly string[]).includes(l.field))
    .map((l) => `(${l.words.map((w) => `'${w}':${l.prefix ? '*' : ''}${group.pgWeight}`).join(' <-> ')})`);
  return parts.length === 0 ? null : parts.join(' | ');
}
