import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * Password hashing with scrypt, a memory-hard KDF (RFC 7914), from node:crypto.
 * Stored as `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later and old hashes
 * still verify. N = 2^15, r = 8 uses 32 MiB and about 50–100 ms per hash on a small server.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `password` matches `stored`; compares in constant time. A malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every(Number.isSafeInteger) || n > 2 ** 20) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), n, r, p);
  return expected.length === key.length && timingSafeEqual(expected, key);
}

let dummy: Promise<string> | undefined;

/** A hash of a random password, verified against when the user name is unknown so timing reveals nothing. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

let common: Set<string> | undefined;

/**
 * The common-password list of `@zxcvbn-ts/language-common` (about 49,000 lower-case entries from
 * leaked-password corpora), loaded at first use: it takes a tenth of a second, which the commands and
 * the server's start should not pay when no password is set.
 */
function commonPasswords(): Set<string> {
  if (common === undefined) {
    const load = createRequire(import.meta.url) as (
      id: string,
    ) => typeof import('@zxcvbn-ts/language-common');
    common = new Set(load('@zxcvbn-ts/language-common').dictionary['passwords-common']);
  }
  return common;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** The step from one character to the next; digits wrap around (9 to 0 is +1, 0 to 9 is -1). */
function stepOf(from: number, to: number): number {
  const step = to - from;
  if (isDigit(from) && isDigit(to) && Math.abs(step) === 9) return -Math.sign(step);
  return step;
}

/** True for a run of three or more characters each one up or each one down from the last: 12345, 7890, fedcba. */
function isRun(chars: number[]): boolean {
  if (chars.length < 3) return false;
  const step = stepOf(chars[0]!, chars[1]!);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < chars.length; i++) if (stepOf(chars[i - 1]!, chars[i]!) !== step) return false;
  return true;
}

/** True for one character, or a group of up to four, repeated: aaaa, 1212, abcabcab. */
function isRepeat(chars: number[]): boolean {
  for (let size = 1; size <= 4 && size * 2 <= chars.length; size++) {
    let repeats = true;
    for (let i = size; i < chars.length && repeats; i++) repeats = chars[i] === chars[i - size];
    if (repeats) return true;
  }
  return false;
}

/** Letters people write as digits or symbols in passwords (p@ssw0rd). */
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
  '!': 'i',
  '+': 't',
};

/** Digits, punctuation, symbols and spaces at either end, as in Password123! or 2024summer. */
const AFFIXES = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;

/**
 * True when a secret (a password or a PIN) is easy to guess: only white space; one character or a short
 * group repeated; a run such as 123456 or abcdef; or a common password, also with digits and symbols
 * added before or after it and with letters written as digits (P@ssw0rd1!). Case does not count.
 */
export function isGuessable(secret: string): boolean {
  const text = secret.normalize('NFKC').toLowerCase();
  if (text.trim() === '') return true;
  const core = text.replace(AFFIXES, '');
  const forms = [text];
  if (core.length >= 4 && core !== text) forms.push(core);
  if (core.length >= 4) {
    forms.push([...core].map((c) => LEET[c] ?? c).join(''));
    forms.push([...core].map((c) => (c === '1' ? 'l' : (LEET[c] ?? c))).join(''));
  }
  const list = commonPasswords();
  return forms.some((form) => {
    const chars = [...form].map((c) => c.codePointAt(0)!);
    return list.has(form) || isRepeat(chars) || isRun(chars);
  });
}

/**
 * Why a new password is refused, or null when it is acceptable (NIST SP 800-63B: length and a check
 * against known and trivial passwords, not composition rules).
 */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 10) return 'Passwords must be at least 10 characters long';
  if (password.length > 256) return 'Passwords must be at most 256 characters long';
  if (password.trim() === '') return 'The password must not be only spaces';
  if (password.toLowerCase().includes(username.toLowerCase()))
    return 'The password must not contain the user name';
  if (isGuessable(password))
    return 'The password is too easy to guess: avoid common passwords, repeated characters and sequences such as 123456 or abcdef';
  return null;
}

/** A random password for a generated account, easy to type from a printout (no look-alike characters). */
export function generatePassword(length = 20): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (const byte of bytes) {
    // Reject bytes that would bias the choice (256 is not a multiple of the alphabet's length).
    if (byte >= Math.floor(256 / alphabet.length) * alphabet.length) continue;
    out += alphabet[byte % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}
