import { describe, expect, it } from 'vitest';
import {
  addMonths,
  ageOn,
  ageProblem,
  barcodeProblem,
  categoryProblems,
  emailKey,
  isEmail,
  isLanguage,
  isMinorCategory,
  isPin,
  nameKey,
  nameWords,
} from './patron-rules.ts';

describe(nameKey.name, () => {
  it.each([
    ['Jürgen', 'Müller', 'muller jurgen'],
    ['JURGEN', 'MULLER', 'muller jurgen'],
    ['Zoë', "O'Brien-Núñez", 'o brien nunez zoe'],
    ['Søren', 'Kierkegaard', 'kierkegaard soren'],
    ['  Anne  Marie ', ' de la Cruz', 'de la cruz anne marie'],
    ['秀英', '王', '王 秀英'],
  ])('folds %s %s to %j', (first, last, key) => {
    expect(nameKey(first, last)).toBe(key);
  });

  it('splits a query into the same folded words', () => {
    expect(nameWords('müll, JÜR')).toEqual(['mull', 'jur']);
  });
});

describe(isEmail.name, () => {
  it.each(['jo@example.org', 'jo.doe+library@mail.example.co.uk'])('accepts %s', (email) => {
    expect(isEmail(email)).toBe(true);
  });
  it.each(['jo', 'jo@', '@example.org', 'jo@example', 'jo doe@example.org', 'jo@@example.org', 'jo@ex..org'])(
    'refuses %s',
    (email) => {
      expect(isEmail(email)).toBe(false);
    },
  );
  it('keys addresses by their lower-cased form', () => {
    expect(emailKey('  Jo.Doe@Example.ORG ')).toBe('jo.doe@example.org');
    expect(emailKey('  ')).toBeNull();
  });
});

describe('PINs, languages and card barcodes', () => {
  it.each([
    ['1234', true],
    ['12345678', true],
    ['123', false],
    ['123456789', true],
    ['12a4', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['12\n34', false],
  ])('PIN %s is acceptable: %s', (pin, ok) => {
    expect(isPin(pin)).toBe(ok);
  });
  it.each([
    ['en', true],
    ['es', true],
    ['pt-BR', true],
    ['EN', false],
    ['english', false],
  ])('language %s is acceptable: %s', (code, ok) => {
    expect(isLanguage(code)).toBe(ok);
  });
  it.each([
    ['21234000000125', null],
    ['', 'the card barcode is empty'],
    ['2123 4000', 'a card barcode holds letters, digits and punctuation, no spaces'],
    ['x'.repeat(33), 'a card barcode is at most 32 characters'],
  ])('barcode %j: %s', (barcode, problem) => {
    expect(barcodeProblem(barcode)).toBe(problem);
  });
});

describe(addMonths.name, () => {
  it.each([
    ['2026-03-14', 12, '2027-03-14'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-12-15', 120, '2036-12-15'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe(ageOn.name, () => {
  it.each([
    ['2010-03-14', '2026-03-13', 15],
    ['2010-03-14', '2026-03-14', 16],
    ['2008-02-29', '2026-02-28', 17],
    ['2008-02-29', '2026-03-01', 18],
  ])('born %s, on %s is %i', (birth, today, age) => {
    expect(ageOn(birth, today)).toBe(age);
  });
});

describe('category limits', () => {
  const ok = { loanLimit: 20, fineLimitMinor: 1000, enrolmentMonths: 12, ageMin: null, ageMax: null };
  it('accepts sensible limits', () => {
    expect(categoryProblems(ok)).toEqual([]);
    expect(categoryProblems({ ...ok, loanLimit: 0, fineLimitMinor: null, ageMin: 0, ageMax: 0 })).toEqual([]);
  });
  it.each([
    [{ loanLimit: -1 }, 'the loan limit is a whole number from 0'],
    [
      { fineLimitMinor: -5 },
      'the fine limit is a whole number of minor units from 0 to 10000000000 (or none)',
    ],
    [
      { fineLimitMinor: 10_000_000_001 },
      'the fine limit is a whole number of minor units from 0 to 10000000000 (or none)',
    ],
    [{ enrolmentMonths: 0 }, 'the enrolment period is 1 to 120 months'],
    [{ enrolmentMonths: 121 }, 'the enrolment period is 1 to 120 months'],
    [{ ageMin: 18, ageMax: 12 }, 'the minimum age (18) is above the maximum age (12)'],
    [{ ageMax: 200 }, 'the maximum age is a whole number from 0 to 150 (or none)'],
  ])('refuses %o', (change, problem) => {
    expect(categoryProblems({ ...ok, ...change })).toEqual([problem]);
  });
  it('treats a category ending before 18 as one for minors', () => {
    expect(isMinorCategory({ ageMax: 17 })).toBe(true);
    expect(isMinorCategory({ ageMax: 18 })).toBe(false);
    expect(isMinorCategory({ ageMax: null })).toBe(false);
  });
  it('explains an age outside the range', () => {
    expect(ageProblem(12, { code: 'ADULT', ageMin: 18, ageMax: null })).toBe(
      'the patron is 12; category ADULT is for ages 18 and up',
    );
    expect(ageProblem(15, { code: 'CHILD', ageMin: null, ageMax: 12 })).toBe(
      'the patron is 15; category CHILD is for ages up to 12',
    );
    expect(ageProblem(10, { code: 'CHILD', ageMin: 0, ageMax: 12 })).toBeNull();
  });
});
