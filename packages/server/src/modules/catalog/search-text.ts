import stem from 'wink-porter2-stemmer';

/**
 * The text analysis both search adapters share, so SQLite and PostgreSQL match the same records:
 * diacritics folded (`Müller` → `muller`), case folded, split into words, and English words stemmed
 * with Porter2 (`libraries` → `librari`, as `library`). The index stores the analysed words; queries go
 * through the same function, so each dialect only has to match words exactly.
 */

/** Letters NFD does not decompose, written as their usual ASCII equivalents (ISO 5426 / ALA-LC practice). */
const SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  ı: 'i',
};
const SPECIAL_RE = /[ßæÆœŒøØłŁđĐðÐþÞı]/g;
const MARKS = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;
const LATIN_WORD = /^[a-z]+$/;

/** Lower-cased text without diacritics. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c)
    .toLowerCase();
}

/**
 * The longest word the index holds, in UTF-16 code units: a longer word is cut to its first
 * `MAX_WORD_LENGTH` before anything else is done with it, in records and in searches alike (so a long
 * word still finds itself). Stemming takes time that grows faster than a word's length, so one
 * unbounded word could hold the server; no word of a natural language comes near 64 letters.
 */
export const MAX_WORD_LENGTH = 64;

/**
 * The most text of one indexed field that is analysed, in UTF-16 code units; the rest of a longer
 * field stays out of the index (the record keeps it). It bounds each record's index entry, well
 * under the 1 MB PostgreSQL allows a tsvector even for the densest text (short distinct numbers).
 */
export const MAX_ANALYZED_LENGTH = 32_768;

/** `text` cut to at most `max` UTF-16 code units, never between the two halves of a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** The words of a text, folded (not stemmed), each cut to {@link MAX_WORD_LENGTH}: for phrases and display-side matching. */
export function words(text: string): string[] {
  const found = foldText(text).match(WORD) ?? [];
  for (let i = 0; i < found.length; i++) {
    if (found[i]!.length > MAX_WORD_LENGTH) found[i] = cutText(found[i]!, MAX_WORD_LENGTH);
  }
  return found;
}

// Stemming is the costliest step of indexing and a catalog's vocabulary repeats a lot: remember stems.
const stems = new Map<string, string>();
const MAX_STEMS = 200_000;

/** The index form of one folded word: Latin words are stemmed, numbers and other scripts kept as they are. */
export function indexWord(folded: string): string {
  const word = cutText(folded, MAX_WORD_LENGTH);
  if (word.length <= 2 || !LATIN_WORD.test(word)) return word;
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    stemmed = stem(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, stemmed);
  }
  return stemmed;
}

/** The index terms of a text (its first {@link MAX_ANALYZED_LENGTH} characters), in order, separated by spaces. */
export function analyze(text: string): string {
  const out: string[] = [];
  for (const word of words(cutText(text, MAX_ANALYZED_LENGTH))) out.push(indexWord(word));
  return out.join(' ');
}
