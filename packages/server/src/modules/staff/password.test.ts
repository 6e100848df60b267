import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, isGuessable, passwordProblem, verifyPassword } from './password.ts';

describe('hashPassword', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it.each(['', 'plain', 'scrypt$1$2$3$x', 'bcrypt$x$y$z$a$b', 'scrypt$99999999999$8$1$AAAA$BBBB'])(
    'never matches the malformed hash %j',
    async (stored) => {
      expect(await verifyPassword('anything', stored)).toBe(false);
    },
  );
});

describe('passwordProblem', () => {
  it.each([
    ['short', 'alice', 'Passwords must be at least 10 characters long'],
    ['alice-is-great', 'alice', 'The password must not contain the user name'],
    ['x'.repeat(257), 'alice', 'Passwords must be at most 256 characters long'],
    ['a long passphrase', 'alice', null],
    [' '.repeat(12), 'alice', 'The password must not be only spaces'],
    ['Password123!', 'alice', expect.stringMatching(/too easy to guess/)],
  ])('judges %j for %s', (password, username, problem) => {
    expect(passwordProblem(password, username)).toEqual(problem);
  });

  it.each([
    ['123456789012', true],
    ['0987654321', true],
    ['7890', true],
    ['zyxwvu', true],
    ['aaaaaaaaaaaa', true],
    ['1212', true],
    ['abcabcabcabc', true],
    ['letmein', true],
    ['LetMeIn2024!', true],
    ['p@ssw0rd', true],
    ['5813', false],
    ['2468', false],
    ['correct horse battery staple', false],
  ])('finds %j easy to guess: %s', (secret, guessable) => {
    expect(isGuessable(secret)).toBe(guessable);
  });

  it('generates passwords of the asked length from an unambiguous alphabet', () => {
    const password = generatePassword(24);
    expect(password).toHaveLength(24);
    expect(password).not.toMatch(/[0O1lI]/);
  });
});
