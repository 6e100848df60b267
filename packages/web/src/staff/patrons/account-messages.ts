import type { Messages } from '../../shared/i18n.ts';

/** Strings of the patron record's account and card work (fines, payments, blocks, cards, membership). */
export const PATRON_ACCOUNT_MESSAGES: { en: Messages; es: Messages } = {
  en: {},
  es: {},
};
