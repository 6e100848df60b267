/**
 * Money is an integer number of minor units (cents, pence) of one ISO 4217 currency.
 * These helpers refuse anything that is not a safe integer, so a float never reaches a ledger.
 */
export type Minor = number;

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
