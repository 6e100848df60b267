import { createContext, useContext } from 'react';

/**
 * Message catalogs: every string the clients show lives here, English and Spanish. A message may
 * name values as `{name}`. Missing translations fall back to English.
 */
export type Messages = Record<string, string>;
export type Language = 'en' | 'es';

export const LANGUAGES: Record<Language, string> = { en: 'English', es: 'Español' };

/** Fills `{name}` placeholders. */
export function format(message: string, values: Record<string, string | number> = {}): string {
  return message.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** A translator over a catalog, falling back to English, then to the key itself. */
export function translator(catalogs: Record<Language, Messages>, language: Language) {
  return (key: string, values?: Record<string, string | number>): string =>
    format(catalogs[language][key] ?? catalogs.en[key] ?? key, values);
}

export type Translate = ReturnType<typeof translator>;

/** The language a browser prefers among ours. */
export function preferredLanguage(): Language {
  const stored = globalThis.localStorage?.getItem('stacks.language');
  if (stored === 'en' || stored === 'es') return stored;
  return globalThis.navigator?.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export const I18nContext = createContext<{
  t: Translate;
  language: Language;
  setLanguage(l: Language): void;
}>({
  t: (key) => key,
  language: 'en',
  setLanguage: () => undefined,
});

export const useI18n = () => useContext(I18nContext);
