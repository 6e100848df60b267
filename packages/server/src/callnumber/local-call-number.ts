import {
  caseFold,
  encodeDecimal,
  encodeInteger,
  foldToAscii,
  KEY_SEPARATOR,
  tokenize,
} from './call-number-text.ts';

/**
 * A locally devised call number (MARC 852 first indicator 8, "other scheme"; for example `FIC SMITH` or
 * `DVD 1234`): free text read as words and numbers.
 */
export interface LocalCallNumber {
  scheme: 'local';
  /** The input, trimmed. */
  text: string;
  /** Whitespace-separated segments, as written. */
  segments: string[];
}

/** Reads `text` as a local call number. Internal; the public entry point is `parseCallNumber`. */
export function analyzeLocal(text: string): { callNumber: LocalCallNumber; problem: string | null } {
  const trimmed = text.trim();
  return {
    callNumber: { scheme: 'local', text: trimmed, segments: trimmed ? trimmed.split(/\s+/) : [] },
    problem: /[A-Za-z0-9]/.test(foldToAscii(trimmed)) ? null : 'The call number has no letters or digits.',
  };
}

/**
 * Shelf key of free text: words compare alphabetically, numbers numerically (`DVD 9` before `DVD 10`,
 * `4725 7233` before `4725.2 1123`), numbers before words, punctuation ignored.
 */
export function localKey(text: string, caseSensitive: boolean): string {
  const elements: string[] = [];
  for (const t of tokenize(foldToAscii(text.trim()), 0)) {
    switch (t.kind) {
      case 'number':
        elements.push(encodeDecimal(t.digits, t.fraction) + caseFold(t.suffix, caseSensitive));
        break;
      case 'letters':
      case 'labeled':
        elements.push(caseFold(t.letters, caseSensitive));
        if (t.digits) elements.push(encodeInteger(t.digits) + caseFold(t.suffix, caseSensitive));
        break;
      case 'symbol':
        elements.push(t.symbols);
        break;
    }
  }
  return elements.join(KEY_SEPARATOR);
}
