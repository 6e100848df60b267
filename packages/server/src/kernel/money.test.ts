import * as contract from '@stacks/contract';
import { describe, expect, it } from 'vitest';
import { accrue, addMinor, formatMinor, MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR, minorDigits } from './money.ts';

describe('money in minor units', () => {
  it('adds amounts and refuses anything but whole minor units', () => {
    expect(addMinor(125, 250, -75)).toBe(300);
    expect(() => addMinor(1.5)).toThrow(RangeError);
    expect(() => addMinor(Number.MAX_SAFE_INTEGER, 1)).toThrow(/total/);
  });

  it.each([
    [25, 3, undefined, 75],
    [25, 30, 500, 500],
    [25, 0, 500, 0],
  ])('accrues %i a unit for %i units (cap %s) to %i', (rate, units, cap, total) => {
    expect(accrue(rate, units, cap)).toBe(total);
  });

  it('refuses a fractional rate or count', () => {
    expect(() => accrue(0.25, 3)).toThrow(/rate/);
    expect(() => accrue(25, 1.5)).toThrow(/units/);
  });

  it.each([
    [1250, 'USD', '12.50 USD'],
    [-5, 'EUR', '-0.05 EUR'],
    [1250, 'JPY', '1250 JPY'],
    [12345, 'KWD', '12.345 KWD'],
  ])('formats %i %s as %s', (amount, currency, text) => {
    expect(formatMinor(amount, currency)).toBe(text);
    expect(minorDigits(currency)).toBe(currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2);
  });

  it('has the same limits as the request schemas, far inside exact integer range', () => {
    expect(MAX_AMOUNT_MINOR).toBe(contract.MAX_AMOUNT_MINOR);
    expect(MAX_BALANCE_MINOR).toBe(contract.MAX_BALANCE_MINOR);
    expect(MAX_BALANCE_MINOR).toBeGreaterThanOrEqual(MAX_AMOUNT_MINOR);
    expect(MAX_BALANCE_MINOR * 900_000).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});
