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
 * A Cutter number in an LC call number (LC Classification and Shelflisting Manual G 63): one to three
 * letters and digits that file as a decimal fraction, optionally followed by work letters.
 */
export interface LcCutter {
  /** The Cutter as written, without its leading period: `'J38'`, `'A101m'`. */
  text: string;
  /** Its letters: `'J'`. */
  letters: string;
  /** Its digits, compared as a decimal (`.J38` files before `.J4`): `'38'`. Empty when none were written. */
  digits: string;
  /** Work letters attached to the Cutter (`'m'` in `.A101m`), or null. */
  suffix: string | null;
  /** Whether the Cutter was written with a leading period (LC writes one before the first Cutter). */
  period: boolean;
  /** Dates or numbers between this Cutter and the next one (`'1968'` in `JX33 .A5 1968 .I31`), or null. */
  date: string | null;
}

/**
 * An LC call number split into its parts (LC Classification and Shelflisting Manual G 55 "Call numbers",
 * G 63 "Cutter numbers", G 140 "Dates"). Parts keep the spelling and letter case of the input.
 */
export interface LcCallNumber extends ItemDesignations {
  scheme: 'lc';
  /** The input, trimmed. */
  text: string;
  /**
   * The classification as written: class letters, class number and class suffix, without the Cutters
   * (`'PR92 1990'` in `PR92 1990 .L33`).
   */
  classification: string;
  /** Class letters (`'QA'`). */
  classLetters: string;
  /** Whole-number part of the class number (`'76'`); empty only in an invalid call number. */
  classNumber: string;
  /** Decimal part of the class number without the point (`'73'`), or null. */
  classDecimal: string | null;
  /**
   * Dates, ordinals or words between the class number and the first Cutter (`'15th'` in `KF4558 15th .G8`,
   * `'1990'` in `PR92 1990 .L33`), or null.
   */
  classSuffix: string | null;
  /** Up to three Cutters, in order. */
  cutters: LcCutter[];
  /** Date of publication after the last Cutter (G 140), such as `'2001'` or `'1972q'`, or null. */
  year: string | null;
  /** Remaining text after the structured part (volume, part, copy, other), as written, or null. */
  rest: string | null;
}

/** Result of reading an LC call number: the parts (if the text starts like one), the first problem, the key. */
export interface LcAnalysis {
  callNumber: LcCallNumber | null;
  problem: string | null;
  /** Shelf key elements; joined by the key separator they form the shelf key. */
  keyElements: (caseSensitive: boolean) => string[];
  /** Spine label lines, before width fitting. */
  spineLines: () => string[];
}

type LettersToken = Extract<Token, { kind: 'letters' }>;

const HEAD = /^([A-Za-z]+)(?:\s*(\d+)(?:\.(\d+))?)?/;

/** Reads `text` as an LC call number. Internal; the public entry point is `parseCallNumber`. */
export function analyzeLc(text: string): LcAnalysis {
  const trimmed = text.trim();
  const folded = foldToAscii(trimmed);
  const head = HEAD.exec(folded);
  if (!head) {
    const problem = trimmed
      ? `An LC call number begins with one to three class letters (for example QA76.73 .J38); "${trimmed}" does not.`
      : 'The call number is empty.';
    return { callNumber: null, problem, keyElements: () => [], spineLines: () => [] };
  }
  const classLetters = trimmed.slice(0, head[1]!.length);
  const classNumber = head[2] ?? '';
  const classDecimal = head[3] ?? null;
  const tokens = tokenize(folded, head[0].length);
  const written = (t: Token) => trimmed.slice(t.start, t.end).replace(/\s+/g, '');

  const suffixTokens: Token[] = [];
  const cutters: Array<{ token: LettersToken; after: Token[] }> = [];
  let tailIndex = tokens.length;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'number') {
      (cutters.at(-1)?.after ?? suffixTokens).push(t);
      continue;
    }
    // Bare letters after a Cutter's date are trailing text (`HD7123 .A5 1970 b`), not another Cutter.
    const afterDate =
      (cutters.at(-1)?.after.length ?? 0) > 0 && t.kind === 'letters' && !t.digits && !t.context.period;
    if (t.kind === 'letters' && t.letters.length <= 3 && cutters.length < 3 && !afterDate) {
      cutters.push({ token: t, after: [] });
      continue;
    }
    if (t.kind === 'letters' && cutters.length === 0) {
      suffixTokens.push(t);
      continue;
    }
    tailIndex = k;
    break;
  }
  const tail = tokens.slice(tailIndex);

  const lastNumbers =
    cutters.at(-1)?.after ?? (suffixTokens.every((t) => t.kind === 'number') ? suffixTokens : []);
  const last = lastNumbers.at(-1);
  const yearToken =
    last?.kind === 'number' && !last.ordinal && !last.fraction && last.digits.length === 4 ? last : null;

  const callNumber: LcCallNumber = {
    scheme: 'lc',
    text: trimmed,
    classification: trimmed
      .slice(0, (cutters[0]?.token ?? tail[0])?.start ?? trimmed.length)
      .replace(/[\s.]+$/, ''),
    classLetters,
    classNumber,
    classDecimal,
    classSuffix: suffixTokens.length ? suffixTokens.map(written).join(' ') : null,
    cutters: cutters.map(({ token, after }) => {
      const dates = after.filter((t) => t !== yearToken).map(written);
      const cutterText = written(token);
      return {
        text: cutterText,
        letters: cutterText.slice(0, token.letters.length),
        digits: token.digits,
        suffix: token.suffix ? cutterText.slice(cutterText.length - token.suffix.length) : null,
        period: token.context.period,
        date: dates.length ? dates.join(' ') : null,
      };
    }),
    year: yearToken ? written(yearToken) : null,
    rest: tail.length ? trimmed.slice(tail[0]!.start).trim() : null,
    ...itemDesignations(tail),
  };

  const problem = findProblem(callNumber, suffixTokens, cutters, written);

  const keyElements = (caseSensitive: boolean): string[] => {
    const cased = (x: string) => caseFold(x, caseSensitive);
    const elements = [cased(foldToAscii(classLetters))];
    if (classNumber) elements.push(encodeDecimal(classNumber, classDecimal));
    for (const t of suffixTokens) {
      if (t.kind === 'number')
        elements.push(Rank.number + encodeDecimal(t.digits, t.fraction) + cased(t.suffix));
      else elements.push(...trailingElements(t, caseSensitive, Rank.highWord));
    }
    for (const { token, after } of cutters) {
      elements.push(Rank.lettered + cased(token.letters) + (token.digits ? CUTTER_MARK + token.digits : ''));
      if (token.suffix) elements.push(Rank.suffix + cased(token.suffix));
      for (const t of after) elements.push(...trailingElements(t, caseSensitive, Rank.lowWord));
    }
    for (const t of tail) elements.push(...trailingElements(t, caseSensitive, Rank.lowWord));
    return elements;
  };

  const spineLines = (): string[] => {
    const lines = [classLetters];
    if (classNumber) lines.push(classDecimal === null ? classNumber : `${classNumber}.${classDecimal}`);
    lines.push(...suffixTokens.map(written));
    callNumber.cutters.forEach((c, k) => {
      lines.push(k === 0 && c.period ? `.${c.text}` : c.text);
      if (c.date) lines.push(...c.date.split(' '));
    });
    if (callNumber.year) lines.push(callNumber.year);
    if (callNumber.rest) lines.push(...callNumber.rest.split(/\s+/));
    return lines;
  };

  return { callNumber, problem, keyElements, spineLines };
}

function findProblem(
  cn: LcCallNumber,
  suffixTokens: readonly Token[],
  cutters: ReadonlyArray<{ token: LettersToken; after: Token[] }>,
  written: (t: Token) => string,
): string | null {
  if (cn.classLetters.length > 3) {
    return `LC class letters are one to three letters; "${cn.classLetters}" has ${cn.classLetters.length}.`;
  }
  if (!cn.classNumber) {
    return `The class letters "${cn.classLetters}" must be followed by a class number (for example QA76).`;
  }
  if (cn.classNumber.length > 4) {
    return `An LC class number has at most four digits before the decimal point; "${cn.classNumber}" has ${cn.classNumber.length}.`;
  }
  if (cn.classDecimal !== null && cn.classDecimal.length > 4) {
    return `An LC class number has at most four digits after the decimal point; ".${cn.classDecimal}" has ${cn.classDecimal.length}.`;
  }
  const structured = [...suffixTokens, ...cutters.flatMap(({ token, after }) => [token, ...after])].sort(
    (a, b) => a.start - b.start,
  );
  for (const t of structured) {
    if (t.context.otherPunctuation) {
      return `Unexpected "${t.context.otherPunctuation}" before "${written(t)}" in the class number or Cutters.`;
    }
    if (t.kind === 'letters' && t.letters.length <= 3 && t.context.period && t.context.spaceAfterPeriod) {
      return `Remove the space between the period and the Cutter "${written(t)}".`;
    }
    if (t.kind === 'number' && suffixTokens.includes(t) && t.context.period && !t.ordinal) {
      return `".${written(t)}" follows a period, so it should be a Cutter, which begins with a letter (for example .A1).`;
    }
    if (t.kind === 'letters' && suffixTokens.includes(t)) {
      return `"${written(t)}" is not a Cutter number; a Cutter is one to three letters followed by digits (for example .J38).`;
    }
  }
  if (cutters.length === 0) {
    return 'An LC call number needs a Cutter number after the class number (for example QA76.73 .J38).';
  }
  const bare = cutters.find(({ token }) => !token.digits);
  if (bare) {
    return `The Cutter "${written(bare.token)}" has no number; a Cutter is a letter followed by digits (for example .J38).`;
  }
  return null;
}
