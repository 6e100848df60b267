import type { Messages } from '../../shared/i18n.ts';

/** Strings of the import and export page. */
export const IMPORT_MESSAGES: { en: Messages; es: Messages } = {
  en: { 'import.title': 'Import and export records' },
  es: { 'import.title': 'Importar y exportar registros' },
};
