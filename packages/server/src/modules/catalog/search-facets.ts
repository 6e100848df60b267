import type { FacetCount, SearchFilters, SearchPage } from './search-repository.ts';

/**
 * Facet counting and ranking over large results, in memory (used on SQLite).
 *
 * Counting facets in SQL joins every match to its facet row; at a million records a common word matches
 * half the catalog and that takes seconds. Here each process keeps a copy of `bib_facets` in typed
 * arrays indexed by `seq` (a few bytes a record), kept current by the catalog change number: every
 * transaction that writes facet rows stamps them with a new number, and a search first reads the rows
 * stamped after the last number it has seen. Matches come from the full-text index as sorted lists of
 * `seq`s (one list per query word and column group); AND, OR and NOT are list operations, and counting,
 * filtering and ranking are loops over the matches. Results are exact and the same as the SQL path's.
 */

/** A sorted list of distinct record `seq`s. */
export type SeqList = Int32Array;

const EMPTY: SeqList = new Int32Array(0);

/** Parses `group_concat(rowid)` output ("3,5,9") into a sorted list. */
export function parseSeqList(text: string | null): SeqList {
  if (!text) return EMPTY;
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) n++;
  const out = new Int32Array(n);
  let k = 0;
  let value = 0;
  let sorted = true;
  let previous = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      if (value <= previous) sorted = false;
      previous = value;
      out[k++] = value;
      value = 0;
    } else {
      value = value * 10 + (c - 48);
    }
  }
  if (value <= previous) sorted = false;
  out[k] = value;
  if (!sorted) {
    out.sort();
    return dedupe(out);
  }
  return out;
}

function dedupe(list: SeqList): SeqList {
  let k = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) list[k++] = list[i]!;
  return list.subarray(0, k);
}

export function union(a: SeqList, b: SeqList): SeqList {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[k++] = x;
      i++;
    } else if (y < x) {
      out[k++] = y;
      j++;
    } else {
      out[k++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out.subarray(0, k);
}

export function unionAll(lists: readonly SeqList[]): SeqList {
  // Pairwise, smallest first, so large lists are merged few times.
  const work = [...lists].sort((x, y) => x.length - y.length);
  while (work.length > 1) {
    const merged = union(work.shift()!, work.shift()!);
    let at = work.findIndex((l) => l.length >= merged.length);
    if (at < 0) at = work.length;
    work.splice(at, 0, merged);
  }
  return work[0] ?? EMPTY;
}

export function intersect(a: SeqList, b: SeqList): SeqList {
  if (a.length === 0 || b.length === 0) return EMPTY;
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  let k = 0;
  if (a.length * 16 < b.length) {
    // Much smaller: binary search each in the larger.
    let lo = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      let hi = b.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      if (lo < b.length && b[lo] === x) out[k++] = x;
    }
    return out.subarray(0, k);
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) i++;
    else if (y < x) j++;
    else {
      out[k++] = x;
      i++;
      j++;
    }
  }
  return out.subarray(0, k);
}

/** The members of `a` not in `b`. */
export function difference(a: SeqList, b: SeqList): SeqList {
  if (a.length === 0 || b.length === 0) return a;
  const out = new Int32Array(a.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j >= b.length || b[j] !== x) out[k++] = x;
    i++;
  }
  return out.subarray(0, k);
}

/** Compares strings by Unicode code point, as SQLite's BINARY collation orders UTF-8 text. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800–DFFF) stand for code points above U+FFFF: they sort after U+E000–FFFF.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Values to small integer ids (from 1; 0 means none). */
class Dictionary<T extends string | number> {
  private readonly ids = new Map<T, number>();
  readonly values: T[] = [];
  get size(): number {
    return this.values.length;
  }
  id(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      this.values.push(value);
      id = this.values.length;
      this.ids.set(value, id);
    }
    return id;
  }
  find(value: T): number {
    return this.ids.get(value) ?? 0;
  }
  value(id: number): T {
    return this.values[id - 1]!;
  }
}

/** Small lists of numbers per record, in one growing array (a list that grows moves to the end). */
class ListPool {
  start = new Uint32Array(0);
  count = new Uint16Array(0);
  pool = new Uint32Array(1024);
  used = 0;
  garbage = 0;

  grow(capacity: number): void {
    const start = new Uint32Array(capacity);
    start.set(this.start);
    const count = new Uint16Array(capacity);
    count.set(this.count);
    this.start = start;
    this.count = count;
  }

  set(seq: number, values: readonly number[]): void {
    const old = this.count[seq]!;
    const n = Math.min(values.length, 0xffff);
    if (n <= old) {
      const at = this.start[seq]!;
      for (let i = 0; i < n; i++) this.pool[at + i] = values[i]!;
      this.count[seq] = n;
      this.garbage += old - n;
      return;
    }
    this.garbage += old;
    if (this.garbage > 1 << 16 && this.garbage > this.used / 2) this.compact();
    if (this.used + n > this.pool.length) {
      const pool = new Uint32Array(Math.max(this.pool.length * 2, this.used + n));
      pool.set(this.pool.subarray(0, this.used));
      this.pool = pool;
    }
    const at = this.used;
    for (let i = 0; i < n; i++) this.pool[at + i] = values[i]!;
    this.start[seq] = at;
    this.count[seq] = n;
    this.used += n;
  }

  private compact(): void {
    const pool = new Uint32Array(Math.max(1024, (this.used - this.garbage) * 2));
    let at = 0;
    for (let seq = 0; seq < this.count.length; seq++) {
      const n = this.count[seq]!;
      if (n === 0) continue;
      pool.set(this.pool.subarray(this.start[seq]!, this.start[seq]! + n), at);
      this.start[seq] = at;
      at += n;
    }
    this.pool = pool;
    this.used = at;
    this.garbage = 0;
  }
}

/** One row of `bib_facets` as search reads it. */
export interface FacetData {
  seq: number;
  format: string;
  language: string | null;
  decade: number | null;
  titleLength: number;
  available: boolean;
  /** Ids of the subject headings, joined by spaces. */
  subjectIds: string;
  /** `branchId` or `branchId+` (an item there is on the shelf), joined by spaces. */
  branches: string;
}

/** The facet rows of the catalog in typed arrays indexed by `seq`, kept current by change number. */
export class FacetCopy {
  /** The highest catalog change number whose rows are applied (-1: nothing read yet). */
  changeNo = -1;
  /** The deletion counter when the set of records was last read. */
  deletions = -1;
  /** Records in the copy. */
  live = 0;
  /** Records per format, language and decade id, and those with an item on the shelf. */
  private readonly perFormat: number[] = [0];
  private readonly perLanguage: number[] = [0];
  private readonly perDecade: number[] = [0];
  private availableLive = 0;
  capacity = 0;
  exists = new Uint8Array(0);
  format = new Uint16Array(0);
  language = new Uint16Array(0);
  decade = new Uint16Array(0);
  titleLength = new Uint32Array(0);
  available = new Uint8Array(0);
  readonly subjects = new ListPool();
  /** Branch entries: branch id * 2, plus 1 when an item there is on the shelf. */
  readonly branches = new ListPool();
  readonly formats = new Dictionary<string>();
  readonly languages = new Dictionary<string>();
  readonly decades = new Dictionary<number>();
  /** Subject headings by id (`bib_subject_headings`). */
  readonly headings: string[] = [];
  readonly headingIds = new Map<string, number>();
  readonly branchIds = new Dictionary<string>();

  private ensure(seq: number): void {
    if (seq < this.capacity) return;
    const capacity = Math.max(1024, seq + 1, Math.ceil(this.capacity * 1.5));
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.exists = grow(this.exists, (n) => new Uint8Array(n));
    this.format = grow(this.format, (n) => new Uint16Array(n));
    this.language = grow(this.language, (n) => new Uint16Array(n));
    this.decade = grow(this.decade, (n) => new Uint16Array(n));
    this.titleLength = grow(this.titleLength, (n) => new Uint32Array(n));
    this.available = grow(this.available, (n) => new Uint8Array(n));
    this.subjects.grow(capacity);
    this.branches.grow(capacity);
    this.capacity = capacity;
  }

  /** Applies a row read from the database (new or changed). */
  apply(row: FacetData): void {
    const seq = row.seq;
    this.ensure(seq);
    if (this.exists[seq]) this.count(seq, -1);
    else {
      this.exists[seq] = 1;
      this.live++;
    }
    this.format[seq] = this.formats.id(row.format);
    this.language[seq] = row.language === null ? 0 : this.languages.id(row.language);
    this.decade[seq] = row.decade === null ? 0 : this.decades.id(row.decade);
    this.titleLength[seq] = row.titleLength;
    this.available[seq] = row.available ? 1 : 0;
    this.count(seq, 1);
    this.subjects.set(seq, spaceSeparated(row.subjectIds, this.scratch));
    const branches: number[] = [];
    if (row.branches !== '') {
      for (const token of row.branches.split(' ')) {
        const open = token.endsWith('+');
        branches.push(this.branchIds.id(open ? token.slice(0, -1) : token) * 2 + (open ? 1 : 0));
      }
    }
    this.branches.set(seq, branches);
  }

  private count(seq: number, delta: number): void {
    const add = (counts: number[], id: number) => {
      while (counts.length <= id) counts.push(0);
      counts[id] = counts[id]! + delta;
    };
    add(this.perFormat, this.format[seq]!);
    add(this.perLanguage, this.language[seq]!);
    add(this.perDecade, this.decade[seq]!);
    this.availableLive += this.available[seq]! * delta;
  }

  /** False when no record can pass `filters` (a value no record has, nothing on the shelf): no need to search. */
  canMatch(filters: SearchFilters): boolean {
    const some = <T extends string | number>(dict: Dictionary<T>, counts: number[], values?: readonly T[]) =>
      !values?.length || values.some((v) => (counts[dict.find(v)] ?? 0) > 0 && dict.find(v) > 0);
    return (
      some(this.formats, this.perFormat, filters.format) &&
      some(this.languages, this.perLanguage, filters.language) &&
      some(this.decades, this.perDecade, filters.decade) &&
      (filters.available !== true || this.availableLive > 0)
    );
  }

  private readonly scratch: number[] = [];

  /** Adds subject headings read from the database. */
  addHeading(id: number, heading: string): void {
    this.headings[id] = heading;
    this.headingIds.set(heading, id);
  }

  /** Keeps only the records in `present` (after deletions). */
  retain(present: SeqList): void {
    const keep = new Uint8Array(this.capacity);
    for (let i = 0; i < present.length; i++) if (present[i]! < this.capacity) keep[present[i]!] = 1;
    let live = 0;
    for (let seq = 0; seq < this.capacity; seq++) {
      if (this.exists[seq] && !keep[seq]) {
        this.count(seq, -1);
        this.exists[seq] = 0;
        this.subjects.set(seq, []);
        this.branches.set(seq, []);
      }
      live += this.exists[seq]!;
    }
    this.live = live;
  }

  /** Every record, as a list. */
  all(): SeqList {
    const out = new Int32Array(this.live);
    let k = 0;
    for (let seq = 0; seq < this.capacity && k < out.length; seq++) if (this.exists[seq]) out[k++] = seq;
    return out.subarray(0, k);
  }

  /** The records of `hits` that the copy knows and that pass `filters`. */
  filter(hits: SeqList, filters: SearchFilters): SeqList {
    const mask = <T extends string | number>(dict: Dictionary<T>, values: readonly T[] | undefined) => {
      if (!values?.length) return null;
      const m = new Uint8Array(dict.size + 1);
      for (const v of values) {
        const id = dict.find(v);
        if (id > 0) m[id] = 1;
      }
      return m;
    };
    const formats = mask(this.formats, filters.format);
    const languages = mask(this.languages, filters.language);
    const decades = mask(this.decades, filters.decade);
    let subjects: Uint8Array | null = null;
    if (filters.subject?.length) {
      subjects = new Uint8Array(this.headings.length + 1);
      for (const heading of filters.subject) subjects[this.headingIds.get(heading) ?? 0] = 1;
      subjects[0] = 0;
    }
    const branches = mask(this.branchIds, filters.branch);
    const availableOnly = filters.available === true && branches === null;
    const availableAt = filters.available === true;
    const out = new Int32Array(hits.length);
    let k = 0;
    const { exists, format, language, decade, available } = this;
    const sStart = this.subjects.start;
    const sCount = this.subjects.count;
    const sPool = this.subjects.pool;
    const bStart = this.branches.start;
    const bCount = this.branches.count;
    const bPool = this.branches.pool;
    for (let i = 0; i < hits.length; i++) {
      const seq = hits[i]!;
      if (seq >= this.capacity || !exists[seq]) continue;
      if (formats && !formats[format[seq]!]) continue;
      if (languages && !languages[language[seq]!]) continue;
      if (decades && !decades[decade[seq]!]) continue;
      if (availableOnly && !available[seq]) continue;
      if (subjects) {
        let found = false;
        for (let j = sStart[seq]!, end = j + sCount[seq]!; j < end && !found; j++)
          found = subjects[sPool[j]!] === 1;
        if (!found) continue;
      }
      if (branches) {
        let found = false;
        for (let j = bStart[seq]!, end = j + bCount[seq]!; j < end && !found; j++) {
          const entry = bPool[j]!;
          found = branches[entry >>> 1] === 1 && (!availableAt || (entry & 1) === 1);
        }
        if (!found) continue;
      }
      out[k++] = seq;
    }
    return out.subarray(0, k);
  }

  /** Facet counts over `hits` (already filtered), the same values and order as the SQL path's. */
  facets(hits: SeqList, limit: number): SearchPage['facets'] {
    const formatCounts = new Int32Array(this.formats.size + 1);
    const languageCounts = new Int32Array(this.languages.size + 1);
    const decadeCounts = new Int32Array(this.decades.size + 1);
    const subjectCounts = new Int32Array(this.headings.length + 1);
    const branchCounts = new Int32Array(this.branchIds.size + 1);
    let availableCount = 0;
    const { format, language, decade, available } = this;
    const sStart = this.subjects.start;
    const sCount = this.subjects.count;
    const sPool = this.subjects.pool;
    const bStart = this.branches.start;
    const bCount = this.branches.count;
    const bPool = this.branches.pool;
    const n = hits.length;
    // One pass per kind of value: each loop stays small and reads few arrays.
    for (let i = 0; i < n; i++) {
      const seq = hits[i]!;
      formatCounts[format[seq]!]!++;
      languageCounts[language[seq]!]!++;
      decadeCounts[decade[seq]!]!++;
      availableCount += available[seq]!;
    }
    if (this.headings.length > 0) {
      for (let i = 0; i < n; i++) {
        const seq = hits[i]!;
        const start = sStart[seq]!;
        const end = start + sCount[seq]!;
        for (let j = start; j < end; j++) subjectCounts[sPool[j]!]!++;
      }
    }
    if (this.branchIds.size > 0) {
      for (let i = 0; i < n; i++) {
        const seq = hits[i]!;
        const start = bStart[seq]!;
        const end = start + bCount[seq]!;
        for (let j = start; j < end; j++) branchCounts[bPool[j]! >>> 1]!++;
      }
    }
    const byText = (a: string, b: string) => compareCodePoints(a, b);
    const availability: FacetCount[] = [];
    if (availableCount > 0) availability.push({ value: 'available', count: availableCount });
    if (hits.length - availableCount > 0)
      availability.push({ value: 'unavailable', count: hits.length - availableCount });
    return {
      format: top(formatCounts, (id) => this.formats.value(id), limit, byText),
      language: top(languageCounts, (id) => this.languages.value(id), limit, byText),
      decade: top(
        decadeCounts,
        (id) => this.decades.value(id),
        limit,
        (a, b) => a - b,
      ),
      subject: top(subjectCounts, (id) => this.headings[id] ?? '', limit, byText),
      branch: top(branchCounts, (id) => this.branchIds.value(id), Number.POSITIVE_INFINITY, byText),
      availability,
    };
  }

  /**
   * The `offset + limit` best of `hits` by relevance: points (higher first), then the shorter title,
   * then the older record; the page from `offset` on, in order.
   */
  rank(hits: SeqList, points: Uint8Array | null, offset: number, limit: number): number[] {
    const want = offset + limit;
    if (want <= 0 || hits.length === 0) return [];
    // A max-heap of the best `want` so far, worst on top; key: (15 - points) * 2^32 + title length, then seq.
    const keys = new Float64Array(Math.min(want, hits.length));
    const seqs = new Int32Array(keys.length);
    let size = 0;
    const worse = (k1: number, s1: number, k2: number, s2: number) => k1 > k2 || (k1 === k2 && s1 > s2);
    const tl = this.titleLength;
    for (let i = 0; i < hits.length; i++) {
      const seq = hits[i]!;
      const key = (15 - (points ? points[seq]! : 0)) * 4294967296 + tl[seq]!;
      if (size < keys.length) {
        // Sift up.
        let at = size++;
        while (at > 0) {
          const parent = (at - 1) >> 1;
          if (!worse(key, seq, keys[parent]!, seqs[parent]!)) break;
          keys[at] = keys[parent]!;
          seqs[at] = seqs[parent]!;
          at = parent;
        }
        keys[at] = key;
        seqs[at] = seq;
      } else if (worse(keys[0]!, seqs[0]!, key, seq)) {
        // Replace the worst and sift down.
        let at = 0;
        for (;;) {
          const left = at * 2 + 1;
          if (left >= size) break;
          const right = left + 1;
          const child =
            right < size && worse(keys[right]!, seqs[right]!, keys[left]!, seqs[left]!) ? right : left;
          if (!worse(keys[child]!, seqs[child]!, key, seq)) break;
          keys[at] = keys[child]!;
          seqs[at] = seqs[child]!;
          at = child;
        }
        keys[at] = key;
        seqs[at] = seq;
      }
    }
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) =>
      keys[a]! !== keys[b]! ? keys[a]! - keys[b]! : seqs[a]! - seqs[b]!,
    );
    return order.slice(offset).map((i) => seqs[i]!);
  }
}

/** Non-negative integers written "1 22 333" into `out` (emptied first). */
function spaceSeparated(text: string, out: number[]): number[] {
  out.length = 0;
  if (text === '') return out;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      out.push(value);
      value = 0;
    } else value = value * 10 + (c - 48);
  }
  out.push(value);
  return out;
}

/** The `limit` values with the highest counts (ties by value), as facet counts. */
function top<T extends string | number>(
  counts: Int32Array,
  valueAt: (id: number) => T,
  limit: number,
  compare: (a: T, b: T) => number,
): FacetCount[] {
  const best: { id: number; count: number }[] = [];
  const before = (a: { id: number; count: number }, b: { id: number; count: number }) =>
    a.count !== b.count ? a.count > b.count : compare(valueAt(a.id), valueAt(b.id)) < 0;
  if (limit <= 0) return [];
  for (let id = 1; id < counts.length; id++) {
    const count = counts[id]!;
    if (count === 0) continue;
    const entry = { id, count };
    if (best.length >= limit && !before(entry, best[best.length - 1]!)) continue;
    let at = best.length;
    while (at > 0 && before(entry, best[at - 1]!)) at--;
    best.splice(at, 0, entry);
    if (best.length > limit) best.pop();
  }
  return best.map((e) => ({ value: String(valueAt(e.id)), count: e.count }));
}
