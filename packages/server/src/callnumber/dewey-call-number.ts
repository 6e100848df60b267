import type { ItemDesignations, Token } from './call-number-text.ts';
import {
  CUTTER_MARK,
  caseFold,
  encodeDecimal,
  foldToAscii,
  itemDesignations,
  Rank,
  tokenize,
  trailingElements,
} from './call-number-text.ts';

/**
 * A book number in a Dewey call number: a Cutter-Sanborn number (`W91m`: letters, digits filed as a
 * decimal, work letters) or author letters (`SMI`).
 */
export interface DeweyBookNumber {
  /** As written, without a leading period: `'W91m'`, `'SMI'`. */
  text: string;
  /** Letters: `'W'`, `'SMI'`. */
  letters: string;
  /** Digits, filed as a decimal; empty for author letters. */
  digits: string;
  /** Work letters after the digits (`'m'` in `W91m`), or null. */
  suffix: string | null;
}

/**
 * A Dewey Decimal Classification call number split into its parts: class number (DDC 23 notation, at
 * most three digits before the point; segmentation marks `/` and `'` are dropped), book numbers, date and
 * item designations. Parts keep the spelling and letter case of the input.
 */
export interface DeweyCallNumber extends ItemDesignations {
  scheme: 'dewey';
  /** The input, trimmed. */
  text: string;
  /** Digits before the decimal point, as written (`'025'`). */
  classNumber: string;
  /** Digits after the decimal point without segmentation marks (`'04'`), or null. */
  classDecimal: string | null;
  /** Book numbers (one, sometimes a second one for the work), in order. */
  bookNumbers: DeweyBookNumber[];
  /** Date (`'1999'`, `'2001a'`) after the book numbers, or null. */
  year: string | null;
  /** Remaining text (volume, copy, other), as written, or null. */
  rest: string | null;
}

/** Result of reading a Dewey call number; see `analyzeLc` for the fields. */
export interface DeweyAnalysis {
  callNumber: DeweyCallNumber | null;
  problem: string | null;
  keyElements: (caseSensitive: boolean) => string[];
  spineLines: () => string[];
}

const HEAD = /^(\d+)(?:\.([\d/']*))?/;

/** Reads `text` as a Dewey call number. Internal; the public entry point is `parseCallNumber`. */
export function analyzeDewey(text: string): DeweyAnalysis {
  const trimmed = text.trim();
  const folded = foldToAscii(trimmed);
  const head = HEAD.exec(folded);
  if (!head) {
    const problem = trimmed
      ? `A Dewey call number begins with a class number of three digits (for example 025.04 SMI); "${trimmed}" does not.`
      : 'The call number is empty.';
    return { callNumber: null, problem, keyElements: () => [], spineLines: () => [] };
  }
  const classNumber = head[1]!;
  const decimalWritten = head[2] ?? null;
  const classDecimal = decimalWritten === null ? null : decimalWritten.replace(/[/']/g, '') || null;
  const tokens = tokenize(folded, head[0].length);
  const written = (t: Token) => trimmed.slice(t.start, t.end).replace(/\s+/g, '');

  const leading: Token[] = [];
  const books: Array<Extract<Token, { kind: 'letters' }>> = [];
  let yearToken: Extract<Token, { kind: 'number' }> | null = null;
  let tailIndex = tokens.length;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'number' && books.length === 0 && !yearToken) {
      leading.push(t);
      continue;
    }
    const isBook = t.kind === 'letters' && (books.length === 0 || (t.digits && t.letters.length <= 3));
    if (isBook && books.length < 2 && !yearToken) {
      books.push(t);
      continue;
    }
    if (t.kind === 'number' && !yearToken && !t.ordinal && !t.fraction && t.digits.length === 4) {
      yearToken = t;
      continue;
    }
    tailIndex = k;
    break;
  }
  const tail = tokens.slice(tailIndex);

  const callNumber: DeweyCallNumber = {
    scheme: 'dewey',
    text: trimmed,
    classNumber,
    classDecimal,
    bookNumbers: books.map((t) => {
      const bookText = written(t);
      return {
        text: bookText,
        letters: bookText.slice(0, t.letters.length),
        digits: t.digits,
        suffix: t.suffix ? bookText.slice(bookText.length - t.suffix.length) : null,
      };
    }),
    year: yearToken ? written(yearToken) : null,
    rest: tail.length ? trimmed.slice(tail[0]!.start).trim() : null,
    ...itemDesignations(tail),
  };

  const problem = findProblem(callNumber, leading, books, yearToken, written);

  const keyElements = (caseSensitive: boolean): string[] => {
    const cased = (x: string) => caseFold(x, caseSensitive);
    const elements = [encodeDecimal(classNumber, classDecimal)];
    for (const t of leading) elements.push(...trailingElements(t, caseSensitive, Rank.lowWord));
    for (const t of books) {
      elements.push(Rank.lettered + cased(t.letters) + (t.digits ? CUTTER_MARK + t.digits : ''));
      if (t.suffix) elements.push(Rank.suffix + cased(t.suffix));
    }
    if (yearToken) elements.push(...trailingElements(yearToken, caseSensitive, Rank.lowWord));
    for (const t of tail) elements.push(...trailingElements(t, caseSensitive, Rank.lowWord));
    return elements;
  };

  const spineLines = (): string[] => {
    const lines = [decimalWritten === null ? classNumber : `${classNumber}.${decimalWritten}`];
    lines.push(...leading.map(written), ...callNumber.bookNumbers.map((b) => b.text));
    if (callNumber.year) lines.push(callNumber.year);
    if (callNumber.rest) lines.push(...callNumber.rest.split(/\s+/));
    return lines;
  };

  return { callNumber, problem, keyElements, spineLines };
}

function findProblem(
  cn: DeweyCallNumber,
  leading: readonly Token[],
  books: ReadonlyArray<Extract<Token, { kind: 'letters' }>>,
  yearToken: Token | null,
  written: (t: Token) => string,
): string | null {
  if (cn.classNumber.length > 3) {
    return `A Dewey class number has three digits before the decimal point (000 to 999); "${cn.classNumber}" has ${cn.classNumber.length}.`;
  }
  const first = leading[0];
  if (first) {
    return `"${first.context.period ? '.' : ''}${written(first)}" after the class number is not a book number; a book number begins with a letter (for example 025.04 SMI).`;
  }
  for (const t of [...books, ...(yearToken ? [yearToken] : [])]) {
    if (t.context.otherPunctuation)
      return `Unexpected "${t.context.otherPunctuation}" before "${written(t)}".`;
  }
  const book = books[0];
  if (!book) {
    return 'A Dewey call number needs a book number (a Cutter number or author letters) after the class number (for example 025.04 SMI).';
  }
  const long = books.find((t) => t.digits && t.letters.length > 3);
  if (long) {
    return `The book number "${written(long)}" has ${long.letters.length} letters before its digits; a Cutter number has one to three.`;
  }
  return null;
}
