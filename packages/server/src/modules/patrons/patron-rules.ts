/**
 * Pure rules of patron records: the folded name key used for search and duplicate checks, the shape
 * of e-mail addresses, PINs and card barcodes, ages, membership expiry and category limits. No I/O,
 * no clock: callers pass today's date.
 */

import { MAX_BALANCE_MINOR } from '../../kernel/money.ts';

/** Letters NFD does not decompose, written as their usual ASCII equivalents. */
const SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};
const SPECIAL_RE = /[ßæœøłđðþı]/g;
const MARKS = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** The words of a name or query, with case and diacritics folded: `Zoë O'Brien-Núñez` → zoe o brien nunez. */
export function nameWords(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c);
  return folded.match(WORD) ?? [];
}

/**
 * The folded "last first" key of a patron's name (`patrons.name_key`): what name search and the
 * duplicate check compare, so `MÜLLER, Jürgen` and `Muller, Jurgen` are the same person to them.
 */
export function nameKey(firstName: string, lastName: string): string {
  return [...nameWords(lastName), ...nameWords(firstName)].join(' ');
}

/** The compared form of an e-mail address (`patrons.email_key`): trimmed and lower-cased. */
export function emailKey(email: string | null | undefined): string | null {
  const trimmed = email?.trim() ?? '';
  return trimmed === '' ? null : trimmed.toLowerCase();
}

const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:.]{2,}$/;

/** True for text shaped like an e-mail address (one @, a dotted domain, no spaces); at most 254 characters. */
export function isEmail(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text) && !text.includes('..');
}

/**
 * True for text shaped like a PIN: 4 to 64 characters (digits, or a passphrase), no control characters.
 * Whether it is too easy to guess is the patron service's check.
 */
export function isPin(text: string): boolean {
  const length = [...text].length;
  return length >= 4 && length <= 64 && !/\p{Cc}/u.test(text);
}

/** True for a language code such as `en`, `es` or `pt-BR` (BCP 47 primary language, optional region). */
export function isLanguage(text: string): boolean {
  return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(text);
}

/** Why a card barcode cannot be used, or null: printable ASCII without spaces, 1 to 32 characters. */
export function barcodeProblem(barcode: string): string | null {
  if (barcode.length === 0) return 'the card barcode is empty';
  if (barcode.length > 32) return 'a card barcode is at most 32 characters';
  if (!/^[\x21-\x7e]+$/.test(barcode))
    return 'a card barcode holds letters, digits and punctuation, no spaces';
  return null;
}

/** The date `months` calendar months after `date`, kept inside the month (31 January + 1 month = 28/29 February). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const monthIndex = y * 12 + (m - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, lastDay);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole years of age on `today` of someone born on `birthDate` (a birthday on 29 February counts from 1 March). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const hadBirthday = tm > bm || (tm === bm && td >= bd);
  return ty - by - (hadBirthday ? 0 : 1);
}

/** The limits of a patron category, as entered. */
export interface CategoryLimits {
  loanLimit: number;
  fineLimitMinor: number | null;
  enrolmentMonths: number;
  ageMin: number | null;
  ageMax: number | null;
}

/** What is wrong with a category's limits (empty when nothing is). */
export function categoryProblems(c: CategoryLimits): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(c.loanLimit) || c.loanLimit < 0)
    problems.push('the loan limit is a whole number from 0');
  if (
    c.fineLimitMinor !== null &&
    (!Number.isSafeInteger(c.fineLimitMinor) || c.fineLimitMinor < 0 || c.fineLimitMinor > MAX_BALANCE_MINOR)
  )
    problems.push(`the fine limit is a whole number of minor units from 0 to ${MAX_BALANCE_MINOR} (or none)`);
  if (!Number.isSafeInteger(c.enrolmentMonths) || c.enrolmentMonths < 1 || c.enrolmentMonths > 120)
    problems.push('the enrolment period is 1 to 120 months');
  for (const [label, age] of [
    ['minimum', c.ageMin],
    ['maximum', c.ageMax],
  ] as const) {
    if (age !== null && (!Number.isSafeInteger(age) || age < 0 || age > 150))
      problems.push(`the ${label} age is a whole number from 0 to 150 (or none)`);
  }
  if (c.ageMin !== null && c.ageMax !== null && c.ageMin > c.ageMax)
    problems.push(`the minimum age (${c.ageMin}) is above the maximum age (${c.ageMax})`);
  return problems;
}

/** True when patrons of the category are minors, who must have a guarantor: the category ends before 18. */
export function isMinorCategory(c: { ageMax: number | null }): boolean {
  return c.ageMax !== null && c.ageMax < 18;
}

/** Why an age does not fit the category's range, or null when it does. */
export function ageProblem(age: number, c: { code: string; ageMin: number | null; ageMax: number | null }) {
  if (c.ageMin !== null && age < c.ageMin)
    return `the patron is ${age}; category ${c.code} is for ages ${c.ageMin}${c.ageMax === null ? ' and up' : ` to ${c.ageMax}`}`;
  if (c.ageMax !== null && age > c.ageMax)
    return `the patron is ${age}; category ${c.code} is for ages ${c.ageMin === null ? 'up to' : `${c.ageMin} to`} ${c.ageMax}`;
  return null;
}
