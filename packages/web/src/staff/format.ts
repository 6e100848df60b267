/**
 * Dates, times and amounts as the desk shows them, in the interface language. Instants are shown in
 * the desk branch's time zone (a due time is the branch's local time, wherever the browser is).
 */

/** An instant as date and time, e.g. "Dec 5, 2026, 8:00 PM". */
export function formatInstant(iso: string, language: string, timeZone?: string): string {
  const date = new Date(iso);
  try {
    return new Intl.DateTimeFormat(language, {
      dateStyle: 'medium',
      timeStyle: 'short',
      ...(timeZone ? { timeZone } : {}),
    }).format(date);
  } catch {
    return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }
}

/** A calendar date `YYYY-MM-DD` as a date, e.g. "Dec 5, 2026". */
export function formatLocalDate(value: string, language: string): string {
  const [y, m, d] = value.split('-').map(Number);
  if (!y || !m || !d) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    Date.UTC(y, m - 1, d),
  );
}

/** An amount in minor units as a decimal number, e.g. 1250 → "12.50" (the API does not say the currency). */
export function formatMinor(minor: number, language: string): string {
  return new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    minor / 100,
  );
}
