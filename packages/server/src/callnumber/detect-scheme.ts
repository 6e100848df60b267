import type { CallNumberScheme } from './call-number.ts';

const LC_LIKE = /^[A-Za-z]{1,3}\s?\d{1,4}(?:\.\d+)?(?![\d])/;
const DEWEY_LIKE = /^\d{1,3}(?:\.[\d/']+)?(?=$|[\s./A-Za-z])/;

/**
 * Guesses the scheme of a call number from its shape: one to three letters then a class number of up to
 * four digits is LC; a class number of up to three digits (optionally with decimals) is Dewey; anything
 * else is local. Use the MARC field or 852 first indicator instead when the record has one.
 *
 * @example detectScheme('QA76.73 .J38') // 'lc'; detectScheme('025.04 SMI') // 'dewey'; detectScheme('FIC SMITH') // 'local'
 */
export function detectScheme(text: string): CallNumberScheme {
  const trimmed = text.trim();
  if (LC_LIKE.test(trimmed)) return 'lc';
  if (DEWEY_LIKE.test(trimmed)) return 'dewey';
  return 'local';
}
