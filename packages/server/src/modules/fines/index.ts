/**
 * Fines and fees: the patrons' accounts (an append-only ledger of charges and credits), payments,
 * waivers, write-offs, refunds, receipts and disputes. Other modules post charges and reverse lost fees
 * inside their own transactions through the service's `Executor`-taking functions.
 */
export type { FinesErrorCode } from './errors.ts';
export {
  type Account,
  type AccountEntry,
  type AccountLine,
  type Allocation,
  type AppliedPart,
  type BalanceSummary,
  createFinesService,
  type Dispute,
  type DisputeNote,
  type DisputeOutcome,
  type DisputeStatus,
  type FinesService,
  type NewCharge,
  type Payment,
  type Posting,
  receiptNumberOf,
} from './fines-service.ts';
export {
  type AccountTotals,
  allocate,
  allocationOrder,
  CHARGE_KINDS,
  type ChargeKind,
  CREDIT_KINDS,
  type CreditKind,
  isChargeKind,
  isCreditKind,
  type LineKind,
  ledgerProblems,
  MANUAL_FEE_KINDS,
  type ManualFeeKind,
  PAYMENT_METHODS,
  type PaymentMethod,
  type PayoutKind,
  summarize,
} from './ledger.ts';
