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

/** The words of a text, folded (not stemmed): for phrases and display-side matching. */
export function words(text: string): string[] {
  return foldText(text).match(WORD) ?? [];
}

// Stemming is the costliest step of indexing and a catalog's vocabulary repeats a lot: remember stems.
const stems = new Map<string, string>();
const MAX_STEMS = 200_000;

/** The index form of one folded word: Latin words are stemmed, numbers and other scripts kept as they are. */
export function indexWord(word: string): string {
  if (word.length <= 2 || !LATIN_WORD.test(word)) return word;
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    stemmed = stem(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, stemmed);
  }
  return stemmed;
}

/** The index terms of a text, in order, separated by spaces. */
export function analyze(text: string): string {
  const out: string[] = [];
  for (const word of words(text)) out.push(indexWord(word));
  return out.join(' ');
}
