/**
 * Money is an integer number of minor units (cents, pence) of one ISO 4217 currency.
 * These helpers refuse anything that is not a safe integer, so a float never reaches a ledger.
 */
export type Minor = number;

/**
 * The largest single amount of money the services take, in minor units: 1,000,000,000 is 10 million in
 * a currency with two decimals (100,000 in three, a billion yen). Every charge, fee, payment, waiver,
 * refund, fine rate and cap, processing fee and replacement price is at most this much, and no loan's
 * overdue fine grows past it. The request schemas use the same value (`@stacks/contract`, checked by a
 * test); it is defined here too so pure code such as the import worker does not load the contract.
 */
export const MAX_AMOUNT_MINOR = 1_000_000_000;

/**
 * The most a patron's account may owe, in minor units (100 million in a two-decimal currency). A charge
 * someone enters that would take the account past it is refused (BALANCE_LIMIT); one circulation works
 * out (an overdue fine, a lost item) is reduced to what fits. Fine limits of patron categories are at
 * most this. It keeps every sum of money far inside the range numbers count exactly in (2^53 − 1, about
 * 9 × 10^15, in JavaScript and JSON; the columns are 64-bit integers on both dialects): even a sum over
 * 900,000 accounts owing this much each is exact.
 */
export const MAX_BALANCE_MINOR = 10_000_000_000;

function assertMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer number of minor units`);
}

/** Sum of amounts in minor units. */
export function addMinor(...amounts: Minor[]): Minor {
  let total = 0;
  for (const amount of amounts) {
    assertMinor(amount, 'amount');
    total += amount;
  }
  assertMinor(total, 'total');
  return total;
}

/** `rate * units`, capped at `cap` when a cap is given (e.g. a daily fine for n days, capped per item). */
export function accrue(rateMinor: Minor, units: number, capMinor?: Minor): Minor {
  assertMinor(rateMinor, 'rate');
  assertMinor(units, 'units');
  const total = rateMinor * units;
  assertMinor(total, 'total');
  if (capMinor === undefined) return total;
  assertMinor(capMinor, 'cap');
  return Math.min(total, capMinor);
}

/** Digits after the decimal point for the currencies a library is likely to use (ISO 4217 minor unit). */
export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2;
}

const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'ISK', 'CLP', 'VND', 'XAF', 'XOF', 'UGX', 'PYG']);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** A plain, locale-free rendering for receipts and logs: `formatMinor(1250, 'USD')` is `12.50 USD`. */
export function formatMinor(amount: Minor, currency: string): string {
  assertMinor(amount, 'amount');
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs} ${currency}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')} ${currency}`;
}
