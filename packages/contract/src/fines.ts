import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, Nullable, Text } from './common.ts';
import { MAX_AMOUNT_MINOR, MoneyMinor } from './money.ts';

/** An amount someone asks for: a positive whole number of minor units (cents), e.g. 250 for 2.50. */
const AmountMinor = MoneyMinor({
  minimum: 1,
  description: `positive whole number of minor units (e.g. 250 for 2.50), at most ${MAX_AMOUNT_MINOR}`,
});

/** What the patron is charged for. */
export const ChargeKind = Type.Union([
  Type.Literal('overdue'),
  Type.Literal('lost'),
  Type.Literal('lost_processing'),
  Type.Literal('damage'),
  Type.Literal('lost_card'),
  Type.Literal('card_replacement'),
  Type.Literal('printing'),
  Type.Literal('manual'),
]);

/** Every kind of account line: charges (positive), credits (negative) and refunds (positive, paid out of credit). */
export const AccountLineKind = Type.Union(
  [
    Type.Literal('overdue'),
    Type.Literal('lost'),
    Type.Literal('lost_processing'),
    Type.Literal('damage'),
    Type.Literal('lost_card'),
    Type.Literal('card_replacement'),
    Type.Literal('printing'),
    Type.Literal('manual'),
    Type.Literal('payment'),
    Type.Literal('waiver'),
    Type.Literal('writeoff'),
    Type.Literal('lost_returned'),
    Type.Literal('refund'),
  ],
  {
    description:
      'charges are positive; payment, waiver, writeoff and lost_returned negative; refund positive',
  },
);

/** Fees staff add by hand. */
export const ManualFeeKind = Type.Union([
  Type.Literal('damage'),
  Type.Literal('lost_card'),
  Type.Literal('printing'),
  Type.Literal('manual'),
]);

/** How money changed hands. */
export const PaymentMethod = Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('other')]);

export const IdempotencyKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'a key of your choosing: retrying the request with the same key returns the first result',
});

/** How much of a credit covers a charge (or a refund). */
export const AccountAllocation = Type.Object({
  id: Id,
  creditId: Id,
  chargeId: Id,
  amountMinor: Type.Integer(),
  createdAt: Instant,
});

/** One ledger line as written. */
export const AccountLine = Type.Object({
  id: Id,
  patronId: Id,
  kind: AccountLineKind,
  amountMinor: Type.Integer({ description: 'charges positive, credits negative' }),
  currency: Type.String({ description: 'ISO 4217' }),
  loanId: Nullable(Id),
  itemId: Nullable(Id),
  description: Type.String(),
  reason: Nullable(Type.String()),
  createdBy: Type.String({ description: 'who wrote it: staff:<id>, patron:<id>, system:<name>' }),
  createdAt: Instant,
});
export type AccountLine = Static<typeof AccountLine>;

/** A ledger line as the account shows it. */
export const AccountEntry = Type.Composite([
  AccountLine,
  Type.Object({
    outstandingMinor: Type.Integer({
      description: 'a charge: still owed (≥ 0); a credit: minus its unused part (≤ 0). Sums to the balance.',
    }),
    allocations: Type.Array(AccountAllocation),
    disputeId: Nullable(Id),
  }),
]);

export const DisputeNote = Type.Object({
  id: Id,
  author: Type.String(),
  text: Type.String(),
  createdAt: Instant,
});

/** A complaint about charges. `upheld`: the library keeps the charges; `waived_*`: part or all waived. */
export const Dispute = Type.Object({
  id: Id,
  patronId: Id,
  status: Type.Union([
    Type.Literal('open'),
    Type.Literal('upheld'),
    Type.Literal('waived_part'),
    Type.Literal('waived_whole'),
  ]),
  complaint: Type.String(),
  resolution: Nullable(Type.String()),
  waivedMinor: Type.Integer(),
  chargeIds: Type.Array(Id),
  outstandingMinor: Type.Integer({ description: 'still owed on the disputed charges' }),
  createdBy: Type.String(),
  createdAt: Instant,
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(Instant),
  notes: Type.Array(DisputeNote),
});
export type Dispute = Static<typeof Dispute>;

export const AccountTotals = Type.Object({
  balanceMinor: Type.Integer({ description: 'Σ of all lines: owed net of credit (negative: in credit)' }),
  outstandingMinor: Type.Integer({ description: 'still owed on charges' }),
  creditMinor: Type.Integer({ description: 'credit not yet used (refundable)' }),
  disputedMinor: Type.Integer({ description: 'still owed on charges under open disputes' }),
});

/** A patron's account: lines newest first, disputes newest first, totals. */
export const PatronAccount = Type.Object({
  patronId: Id,
  currency: Type.String(),
  totals: AccountTotals,
  lines: Type.Array(AccountEntry),
  disputes: Type.Array(Dispute),
});
export type PatronAccount = Static<typeof PatronAccount>;

/** A credit or refund just written: what it went to, and the balance right after it. */
export const AccountPosting = Type.Object({
  line: AccountLine,
  applied: Type.Array(
    Type.Object({
      lineId: Id,
      kind: AccountLineKind,
      description: Type.String(),
      amountMinor: Type.Integer(),
      createdAt: Instant,
    }),
  ),
  balanceAfterMinor: Type.Integer(),
});

/** A payment with its receipt number. */
export const PaymentResult = Type.Composite([
  AccountPosting,
  Type.Object({ method: PaymentMethod, receiptNumber: Type.String({ examples: ['20261130-9F3A61C2'] }) }),
]);
export type PaymentResult = Static<typeof PaymentResult>;

export const AddFeeRequest = Type.Object(
  {
    kind: ManualFeeKind,
    amountMinor: AmountMinor,
    description: Text(500),
    itemId: Type.Optional(Nullable(Id)),
    idempotencyKey: Type.Optional(IdempotencyKey),
  },
  { additionalProperties: false },
);
export type AddFeeRequest = Static<typeof AddFeeRequest>;

export const PaymentRequest = Type.Object(
  {
    amountMinor: AmountMinor,
    method: PaymentMethod,
    chargeIds: Type.Optional(
      Type.Array(Id, { minItems: 1, maxItems: 500, description: 'charges to cover first (oldest first)' }),
    ),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    idempotencyKey: Type.Optional(IdempotencyKey),
  },
  { additionalProperties: false },
);
export type PaymentRequest = Static<typeof PaymentRequest>;

/** The `Idempotency-Key` header payments honour (as well as the body field). */
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(IdempotencyKey) });

export const WaiverRequest = Type.Object(
  {
    chargeIds: Type.Array(Id, { minItems: 1, maxItems: 500 }),
    amountMinor: Type.Optional(
      Nullable(
        Type.Integer({ ...AmountMinor, description: 'part to waive; absent: all still owed on them' }),
      ),
    ),
    reason: Text(2000),
  },
  { additionalProperties: false },
);
export type WaiverRequest = Static<typeof WaiverRequest>;

export const WriteOffRequest = Type.Object({ reason: Text(2000) }, { additionalProperties: false });

export const RefundRequest = Type.Object(
  { amountMinor: AmountMinor, method: PaymentMethod, reason: Text(2000) },
  { additionalProperties: false },
);
export type RefundRequest = Static<typeof RefundRequest>;

export const OpenDisputeRequest = Type.Object(
  { chargeIds: Type.Array(Id, { minItems: 1, maxItems: 500 }), complaint: Text(2000) },
  { additionalProperties: false },
);
export type OpenDisputeRequest = Static<typeof OpenDisputeRequest>;

export const DisputeNoteRequest = Type.Object({ text: Text(2000) }, { additionalProperties: false });

export const ResolveDisputeRequest = Type.Object(
  {
    outcome: Type.Union([Type.Literal('upheld'), Type.Literal('waived_part'), Type.Literal('waived_whole')], {
      description:
        'upheld: the library keeps the charges; waived_part: amountMinor of them; waived_whole: all',
    }),
    amountMinor: Type.Optional(Nullable(AmountMinor)),
    resolution: Text(2000),
  },
  { additionalProperties: false },
);
export type ResolveDisputeRequest = Static<typeof ResolveDisputeRequest>;
