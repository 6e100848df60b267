import type { Static } from '@sinclair/typebox';
import type {
  BibRecordResponse,
  Branch as BranchSchema,
  CheckinResponse as CheckinResponseSchema,
  CheckoutResponse as CheckoutResponseSchema,
  DuplicateCandidate as DuplicateCandidateSchema,
  Hold as HoldSchema,
  HoldShelf as HoldShelfSchema,
  Item as ItemSchema,
  Loan as LoanSchema,
  Me as MeSchema,
  PatronAtDesk as PatronAtDeskSchema,
  PatronCategory as PatronCategorySchema,
  Patron as PatronSchema,
  PatronSearchResponse as PatronSearchResponseSchema,
  PullListEntry as PullListEntrySchema,
  Refusal as RefusalSchema,
  RenewResponse as RenewResponseSchema,
  SearchResponse as SearchResponseSchema,
  Transit as TransitSchema,
} from '@stacks/contract';

/**
 * The API's shapes as the staff client uses them, derived from the contract's schemas (type-only: no
 * schema code reaches the browser).
 */
export type Me = Static<typeof MeSchema>;
export type Branch = Static<typeof BranchSchema>;
export type Loan = Static<typeof LoanSchema>;
export type Refusal = Static<typeof RefusalSchema>;
export type CheckoutResponse = Static<typeof CheckoutResponseSchema>;
export type CheckinResponse = Static<typeof CheckinResponseSchema>;
export type RenewResponse = Static<typeof RenewResponseSchema>;
export type PatronAtDesk = Static<typeof PatronAtDeskSchema>;
export type Patron = Static<typeof PatronSchema>;
export type PatronCategory = Static<typeof PatronCategorySchema>;
export type PatronSearchResponse = Static<typeof PatronSearchResponseSchema>;
export type DuplicateCandidate = Static<typeof DuplicateCandidateSchema>;
export type Hold = Static<typeof HoldSchema>;
export type HoldShelf = Static<typeof HoldShelfSchema>;
export type PullListEntry = Static<typeof PullListEntrySchema>;
export type Transit = Static<typeof TransitSchema>;
export type SearchResponse = Static<typeof SearchResponseSchema>;
export type BibRecord = Static<typeof BibRecordResponse>;
export type Item = Static<typeof ItemSchema>;
