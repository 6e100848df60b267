import { normalizeIsbn, normalizeIssn } from '../../isbn/index.ts';
import { cutText, foldText, indexWord, words } from './search-text.ts';

/**
 * The catalog's search language, parsed into a tree both search adapters compile:
 *
 * - words: `civil war` (all words must match; stemmed, diacritics folded)
 * - phrases: `"civil war"`; prefixes: `catalog*`
 * - fields: `title:`, `author:`, `subject:`, `series:`, `isbn:`, `issn:`, `lccn:`, `oclc:`
 * - operators: `AND` (the default between words), `OR`, `NOT` or a leading `-`, and parentheses.
 *
 * Operators are recognised in upper case only, so a title word like "and" is just a word.
 */
export type SearchField = 'title' | 'author' | 'subject' | 'series' | 'other';

export type QueryNode =
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  /** Analysed words that must appear in order (one word for a plain term); `field` null = any field. */
  | { type: 'terms'; field: SearchField | null; words: string[]; prefix: boolean };

/** Field names people type, to the indexed field they search. Identifiers live in `other`. */
const FIELDS: Record<string, SearchField> = {
  title: 'title',
  ti: 'title',
  author: 'author',
  au: 'author',
  subject: 'subject',
  su: 'subject',
  series: 'series',
  se: 'series',
  isbn: 'other',
  issn: 'other',
  lccn: 'other',
  oclc: 'other',
  note: 'other',
  notes: 'other',
};

type Token =
  | { kind: 'word'; text: string; field: string | null }
  | { kind: 'phrase'; text: string; field: string | null }
  | { kind: 'and' | 'or' | 'not' | 'open' | 'close' | 'minus' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      tokens.push({ kind: 'open' });
      i++;
    } else if (c === ')') {
      tokens.push({ kind: 'close' });
      i++;
    } else if (
      c === '-' &&
      (tokens.length === 0 || /[\s(]/.test(input[i - 1] ?? ' ')) &&
      /[^\s)]/.test(input[i + 1] ?? ' ')
    ) {
      tokens.push({ kind: 'minus' });
      i++;
    } else {
      // A word, a field:word, a "phrase" or field:"phrase".
      let field: string | null = null;
      const fieldMatch = /^([A-Za-z]+):(?=\S)/.exec(input.slice(i));
      if (fieldMatch && FIELDS[fieldMatch[1]!.toLowerCase()] !== undefined) {
        field = fieldMatch[1]!.toLowerCase();
        i += fieldMatch[0].length;
      }
      if (input[i] === '"') {
        const end = input.indexOf('"', i + 1);
        const text = end < 0 ? input.slice(i + 1) : input.slice(i + 1, end);
        tokens.push({ kind: 'phrase', text, field });
        i = end < 0 ? input.length : end + 1;
        continue;
      }
      let j = i;
      while (j < input.length && !/[\s()]/.test(input[j]!)) j++;
      const text = input.slice(i, j);
      i = j;
      if (field === null && (text === 'AND' || text === 'OR' || text === 'NOT')) {
        tokens.push({ kind: text.toLowerCase() as 'and' | 'or' | 'not' });
      } else {
        tokens.push({ kind: 'word', text, field });
      }
    }
  }
  return tokens;
}

/** The analysed words of a typed term, with identifiers normalised the way they are indexed. */
function termWords(fieldName: string | null, text: string): string[] {
  switch (fieldName) {
    case 'isbn':
      return [normalizeIsbn(text) ?? text.replace(/[^0-9Xx]/g, '').toLowerCase()];
    case 'issn':
      return [(normalizeIssn(text) ?? text).replace(/-/g, '').toLowerCase()];
    case 'lccn':
    case 'oclc':
      return [foldText(text).replace(/[^a-z0-9]/g, '')];
    default:
      return words(text).map(indexWord);
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): QueryNode | null {
    const node = this.orExpr();
    // Stray closing parentheses: skip them and go on, so a typo never loses the rest of the query.
    while (this.pos < this.tokens.length) {
      this.pos++;
      const rest = this.orExpr();
      if (rest) return node ? { type: 'and', children: [node, rest] } : rest;
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private orExpr(): QueryNode | null {
    const children: QueryNode[] = [];
    const first = this.andExpr();
    if (first) children.push(first);
    while (this.peek()?.kind === 'or') {
      this.pos++;
      const next = this.andExpr();
      if (next) children.push(next);
    }
    return children.length === 0 ? null : children.length === 1 ? children[0]! : { type: 'or', children };
  }

  private andExpr(): QueryNode | null {
    const children: QueryNode[] = [];
    for (;;) {
      const token = this.peek();
      if (!token || token.kind === 'or' || token.kind === 'close') break;
      if (token.kind === 'and') {
        this.pos++;
        continue;
      }
      const node = this.unary();
      if (node) children.push(node);
    }
    return children.length === 0 ? null : children.length === 1 ? children[0]! : { type: 'and', children };
  }

  private unary(): QueryNode | null {
    const token = this.peek();
    if (token?.kind === 'not' || token?.kind === 'minus') {
      this.pos++;
      const child = this.unary();
      return child ? { type: 'not', child } : null;
    }
    return this.primary();
  }

  private primary(): QueryNode | null {
    const token = this.tokens[this.pos++];
    if (!token) return null;
    if (token.kind === 'open') {
      const inner = this.orExpr();
      if (this.peek()?.kind === 'close') this.pos++;
      return inner;
    }
    if (token.kind === 'word' || token.kind === 'phrase') {
      const field = token.field === null ? null : FIELDS[token.field]!;
      const prefix = token.kind === 'word' && token.text.endsWith('*') && token.text.length > 1;
      const text = prefix ? token.text.slice(0, -1) : token.text;
      // A prefix is matched against the stored (stemmed) words by its folded, unstemmed form.
      const found = prefix ? words(text) : termWords(token.field, text);
      if (found.length === 0) return null;
      return { type: 'terms', field, words: found, prefix };
    }
    return null;
  }
}

/**
 * The longest query parsed, in UTF-16 code units; the rest of a longer one is left out. The HTTP edge
 * refuses longer queries already (`SearchQuery.q` in the contract); this bounds every other caller, so
 * parsing (and the nesting of parentheses it follows) stays small whatever the input.
 */
export const MAX_QUERY_LENGTH = 1000;

/** Parses what a person typed; null when nothing searchable is left (an empty query matches everything). */
export function parseQuery(input: string): QueryNode | null {
  return new Parser(tokenize(cutText(input, MAX_QUERY_LENGTH))).parse();
}
