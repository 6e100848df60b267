import type { Messages } from '../../shared/i18n.ts';

/** Strings of the administration pages. */
export const ADMIN_MESSAGES: { en: Messages; es: Messages } = {
  en: { 'admin.title': 'Administration', 'nav.admin': 'Administration' },
  es: { 'admin.title': 'Administración', 'nav.admin': 'Administración' },
};
