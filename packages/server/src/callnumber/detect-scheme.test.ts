import { describe, expect, it } from 'vitest';
import { detectScheme } from './index.ts';

describe('detectScheme', () => {
  it.each([
    ['QA76.73 .J38 2001', 'lc'],
    ['KF 4558 15th .G8', 'lc'],
    ['WB 102.5 B62 2018', 'lc'],
    ['025.04 SMI', 'dewey'],
    ['813.54 K58s', 'dewey'],
    ['341.7/58 / 21', 'dewey'],
    ['FIC SMITH', 'local'],
    ['5001 Microfilm', 'local'],
    ['XXKD671.G53', 'local'],
    ['', 'local'],
  ] as const)('reads %j as %s', (text, scheme) => {
    expect(detectScheme(text)).toBe(scheme);
  });
});
