import type { Language, Translate } from '../common/i18n.ts';

/**
 * How the public catalog writes dates, money, languages and material types for a person, in the
 * language they chose (the browser's Intl data does the work).
 */

const LOCALES: Record<Language, string> = { en: 'en-GB', es: 'es-ES' };

/** A calendar date `YYYY-MM-DD` as words (`12 Dec 2026`), read as that day wherever the reader is. */
export function formatDate(date: string, language: Language): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** An instant as date and time in the reader's own time zone (`12 Dec 2026, 20:00`). */
export function formatInstant(instant: string, language: Language): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return instant;
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** An amount in minor units (cents) of an ISO 4217 currency, e.g. 250 USD → `US$2.50`. */
export function formatMoney(minor: number, currency: string, language: Language): string {
  try {
    const format = new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

// MARC language codes are ISO 639-2/B; Intl knows the /T forms of these.
const BIBLIOGRAPHIC_TO_TERMINOLOGY: Record<string, string> = {
  alb: 'sqi',
  arm: 'hye',
  baq: 'eus',
  bur: 'mya',
  chi: 'zho',
  cze: 'ces',
  dut: 'nld',
  fre: 'fra',
  geo: 'kat',
  ger: 'deu',
  gre: 'ell',
  ice: 'isl',
  mac: 'mkd',
  mao: 'mri',
  may: 'msa',
  per: 'fas',
  rum: 'ron',
  slo: 'slk',
  tib: 'bod',
  wel: 'cym',
};

/** A MARC language code (`eng`, `fre`) as the language's name in the reader's language. */
export function languageName(code: string, language: Language): string {
  if (code === 'und' || code === 'zxx') return language === 'es' ? 'Sin determinar' : 'Undetermined';
  try {
    const names = new Intl.DisplayNames([LOCALES[language]], { type: 'language', fallback: 'none' });
    const name = names.of(BIBLIOGRAPHIC_TO_TERMINOLOGY[code] ?? code);
    if (name) return name.charAt(0).toLocaleUpperCase(LOCALES[language]) + name.slice(1);
  } catch {
    // An invalid code: show it as it is.
  }
  return code;
}

/** A material type (`book`, `video`) in words; unknown ones as they are. */
export function formatName(format: string, t: Translate): string {
  const key = `format.${format}`;
  const name = t(key);
  return name === key ? format : name;
}
