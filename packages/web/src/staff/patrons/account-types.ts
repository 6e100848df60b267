import type { Static } from '@sinclair/typebox';
import type {
  AccountEntry as AccountEntrySchema,
  AccountPosting as AccountPostingSchema,
  Dispute as DisputeSchema,
  PatronAccount as PatronAccountSchema,
  PatronBlock as PatronBlockSchema,
  PaymentResult as PaymentResultSchema,
  ReplaceCardResponse as ReplaceCardResponseSchema,
} from '@stacks/contract';

/**
 * The API's shapes for the patron record's account and card work, derived from the contract's schemas
 * (type-only: no schema code reaches the browser).
 */
export type PatronAccount = Static<typeof PatronAccountSchema>;
export type AccountEntry = Static<typeof AccountEntrySchema>;
export type AccountPosting = Static<typeof AccountPostingSchema>;
export type PaymentResult = Static<typeof PaymentResultSchema>;
export type Dispute = Static<typeof DisputeSchema>;
export type PatronBlock = Static<typeof PatronBlockSchema>;
export type ReplaceCardResponse = Static<typeof ReplaceCardResponseSchema>;
