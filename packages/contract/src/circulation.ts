import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, LocalDate, Nullable, Text } from './common.ts';
import { MoneyMinor } from './money.ts';

const Barcode = Type.String({ minLength: 1, maxLength: 64, description: 'as scanned' });
const Override = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'why the refusal is overridden (audited)',
    }),
  },
  { additionalProperties: false },
);

export const Refusal = Type.Object({
  code: Type.String(),
  message: Type.String(),
  overridable: Type.Boolean(),
});

export const Loan = Type.Object({
  id: Id,
  itemId: Id,
  itemBarcode: Type.String(),
  recordId: Id,
  title: Type.String(),
  author: Nullable(Type.String()),
  callNumber: Nullable(Type.String()),
  patronId: Nullable(Id),
  branchId: Id,
  checkedOutAt: Instant,
  dueAt: Instant,
  renewals: Type.Integer(),
  status: Type.Union([
    Type.Literal('active'),
    Type.Literal('returned'),
    Type.Literal('lost'),
    Type.Literal('claimed_returned'),
  ]),
  returnedAt: Nullable(Instant),
  overdue: Type.Boolean(),
  fineChargedMinor: Type.Integer(),
});
export type Loan = Static<typeof Loan>;

export const CheckoutRequest = Type.Object(
  {
    patronBarcode: Barcode,
    itemBarcode: Barcode,
    branchId: Type.Optional(Id),
    override: Type.Optional(Override),
  },
  { additionalProperties: false },
);
export type CheckoutRequest = Static<typeof CheckoutRequest>;

export const CheckoutResponse = Type.Object({
  loan: Loan,
  patron: Type.Object({ id: Id, name: Type.String(), cardBarcode: Type.String() }),
  dueDateNote: Nullable(Type.String()),
  overridden: Type.Array(Refusal),
  filledHoldId: Nullable(Id),
});

export const CheckinRequest = Type.Object(
  {
    itemBarcode: Barcode,
    branchId: Type.Optional(Id),
    returnedAt: Type.Optional(Instant),
  },
  { additionalProperties: false },
);
export type CheckinRequest = Static<typeof CheckinRequest>;

export const Routing = Type.Object({
  action: Type.Union([
    Type.Literal('hold_shelf'),
    Type.Literal('transit'),
    Type.Literal('reshelve'),
    Type.Literal('keep'),
  ]),
  holdId: Type.Optional(Nullable(Id)),
  patronId: Type.Optional(Id),
  patronName: Type.Optional(Type.String()),
  patronBarcode: Type.Optional(Type.String()),
  shelfExpiresOn: Type.Optional(Type.String()),
  branchId: Type.Optional(Id),
  transitId: Type.Optional(Id),
  toBranchId: Type.Optional(Id),
  toBranchName: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const CheckinResponse = Type.Object({
  item: Type.Object({
    id: Id,
    barcode: Type.String(),
    title: Type.String(),
    author: Nullable(Type.String()),
    callNumber: Nullable(Type.String()),
    status: Type.String(),
  }),
  loan: Nullable(
    Type.Intersect([
      Loan,
      Type.Object({ patronName: Nullable(Type.String()), patronBarcode: Nullable(Type.String()) }),
    ]),
  ),
  overdueFineMinor: Type.Integer(),
  lostFeeRefundedMinor: Type.Integer(),
  routing: Routing,
  alreadyCheckedIn: Type.Boolean(),
  messages: Type.Array(Type.String()),
});

export const RenewRequest = Type.Object(
  {
    itemBarcode: Type.Optional(Barcode),
    loanId: Type.Optional(Id),
    override: Type.Optional(Override),
  },
  { additionalProperties: false },
);
export type RenewRequest = Static<typeof RenewRequest>;

export const RenewResponse = Type.Object({
  loan: Loan,
  dueDateNote: Nullable(Type.String()),
  overridden: Type.Array(Refusal),
});

export const ItemBarcodeRequest = Type.Object(
  { itemBarcode: Barcode, note: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

export const LostResponse = Type.Object({ loan: Loan, billedMinor: Type.Integer() });

export const DeskBlock = Type.Object({
  kind: Type.Union([
    Type.Literal('manual'),
    Type.Literal('expired'),
    Type.Literal('fines'),
    Type.Literal('overdue'),
  ]),
  code: Type.String(),
  message: Type.String(),
  blockId: Type.Optional(Id),
});

export const DeskHold = Type.Object({
  id: Id,
  recordId: Id,
  title: Type.String(),
  status: Type.String(),
  pickupBranchId: Id,
  shelfExpiresOn: Nullable(Type.String()),
  itemBarcode: Nullable(Type.String()),
});

export const PatronAtDesk = Type.Object({
  patron: Type.Object({
    id: Id,
    cardBarcode: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    email: Nullable(Type.String()),
    categoryCode: Type.String(),
    homeBranchId: Id,
    expiresOn: LocalDate,
    status: Type.String(),
    category: Type.Object({
      code: Type.String(),
      name: Type.String(),
      loanLimit: Type.Integer(),
      fineLimitMinor: Nullable(Type.Integer()),
    }),
  }),
  blocks: Type.Array(DeskBlock),
  balance: Type.Object({
    balanceMinor: Type.Integer(),
    disputedMinor: Type.Integer(),
    creditMinor: Type.Integer(),
  }),
  loans: Type.Array(Loan),
  holds: Type.Array(DeskHold),
});

export const LoansQuery = Type.Object({
  which: Type.Optional(Type.Union([Type.Literal('current'), Type.Literal('history')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

// ---- holds ----

export const Hold = Type.Object({
  id: Id,
  patronId: Id,
  patronName: Type.String(),
  patronBarcode: Type.String(),
  recordId: Id,
  title: Type.String(),
  author: Nullable(Type.String()),
  itemId: Nullable(Id),
  itemBarcode: Nullable(Type.String()),
  level: Type.Union([Type.Literal('title'), Type.Literal('item')]),
  pickupBranchId: Id,
  status: Type.String(),
  suspendedUntil: Nullable(Type.String()),
  notNeededAfter: Nullable(Type.String()),
  trappedAt: Nullable(Instant),
  shelfExpiresOn: Nullable(Type.String()),
  createdAt: Instant,
  endedAt: Nullable(Instant),
  endReason: Nullable(Type.String()),
  queuePosition: Nullable(Type.Integer()),
});

export const PlaceHoldRequest = Type.Object(
  {
    patronId: Type.Optional(Id),
    patronBarcode: Type.Optional(Barcode),
    recordId: Id,
    itemId: Type.Optional(Nullable(Id)),
    pickupBranchId: Id,
    notNeededAfter: Type.Optional(Nullable(LocalDate)),
  },
  { additionalProperties: false },
);
export type PlaceHoldRequest = Static<typeof PlaceHoldRequest>;

export const HoldsQuery = Type.Object({
  patronId: Type.Optional(Id),
  recordId: Type.Optional(Id),
  all: Type.Optional(Type.Boolean()),
});

export const SuspendHoldRequest = Type.Object(
  { until: Type.Optional(Nullable(LocalDate)) },
  { additionalProperties: false },
);
export const ChangePickupRequest = Type.Object({ pickupBranchId: Id }, { additionalProperties: false });
export const CancelHoldRequest = Type.Object(
  { reason: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

export const PullListEntry = Type.Object({
  holdId: Id,
  itemId: Id,
  itemBarcode: Type.String(),
  title: Type.String(),
  author: Nullable(Type.String()),
  location: Nullable(Type.String()),
  callNumber: Nullable(Type.String()),
  pickupBranchId: Id,
});

export const HoldShelf = Type.Object({ ready: Type.Array(Hold), toClear: Type.Array(Hold) });

export const Transit = Type.Object({
  id: Id,
  itemId: Id,
  itemBarcode: Type.String(),
  title: Type.String(),
  callNumber: Nullable(Type.String()),
  fromBranchId: Id,
  toBranchId: Id,
  reason: Type.Union([Type.Literal('hold'), Type.Literal('home')]),
  holdId: Nullable(Id),
  sentAt: Instant,
});

export const BranchParams = Type.Object({ branchId: Id });
export const TransitsQuery = Type.Object({ toBranchId: Type.Optional(Id), fromBranchId: Type.Optional(Id) });

// ---- rules ----

const ScopeCode = Nullable(Type.String({ minLength: 1, maxLength: 32 }));
export const CirculationRuleFields = {
  branchId: Nullable(Id),
  patronCategory: ScopeCode,
  itemType: ScopeCode,
  loanPeriod: Type.Integer({ minimum: 0 }),
  loanUnit: Type.Union([Type.Literal('days'), Type.Literal('hours')]),
  renewalsAllowed: Type.Integer({ minimum: 0 }),
  renewalPeriod: Nullable(Type.Integer({ minimum: 1 })),
  maxLoans: Nullable(Type.Integer({ minimum: 0 })),
  finePerUnitMinor: MoneyMinor({ description: 'per day (day loans) or hour (hourly loans)' }),
  graceUnits: Type.Integer({ minimum: 0 }),
  maxFineMinor: Nullable(MoneyMinor()),
  holdsAllowed: Type.Integer({ minimum: 0 }),
  holdShelfDays: Type.Integer({ minimum: 1 }),
  lostAfterDays: Nullable(Type.Integer({ minimum: 1 })),
  lostProcessingFeeMinor: MoneyMinor(),
  refundLostOnReturn: Type.Boolean(),
  chargeClosedDays: Type.Boolean(),
};
export const CirculationRule = Type.Object({ id: Id, ...CirculationRuleFields });
export type CirculationRule = Static<typeof CirculationRule>;
export const CreateCirculationRuleRequest = Type.Object(CirculationRuleFields, {
  additionalProperties: false,
});
export const UpdateCirculationRuleRequest = Type.Partial(
  Type.Object(CirculationRuleFields, { additionalProperties: false }),
);

export const ExplainQuery = Type.Object({
  branchId: Id,
  patronBarcode: Type.Optional(Barcode),
  patronCategory: Type.Optional(Type.String({ maxLength: 32 })),
  itemBarcode: Type.Optional(Barcode),
  itemType: Type.Optional(Type.String({ maxLength: 32 })),
});

export const RuleExplanation = Type.Object({
  scope: Type.Object({ branchId: Id, patronCategory: Type.String(), itemType: Type.String() }),
  candidates: Type.Array(
    Type.Object({
      rule: CirculationRule,
      specificity: Type.Integer(),
      matches: Type.Boolean(),
      reasons: Type.Array(Type.String()),
    }),
  ),
  winner: Nullable(CirculationRule),
  summary: Type.String(),
  outcome: Nullable(
    Type.Object({
      dueAt: Instant,
      dueDateNote: Nullable(Type.String()),
      loan: Type.String(),
      renewals: Type.String(),
      fine: Type.String(),
      limits: Type.String(),
      holds: Type.String(),
      lost: Type.String(),
    }),
  ),
});
