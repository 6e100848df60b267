/** What a notice is about. */
export type NoticeKind =
  | 'courtesy'
  | 'overdue1'
  | 'overdue2'
  | 'overdue3'
  | 'hold_available'
  | 'hold_expiring'
  | 'fines_bill'
  | 'lost'
  | 'card_replaced';

/** Every kind, in the order staff see them. */
export const NOTICE_KINDS: readonly NoticeKind[] = [
  'courtesy',
  'overdue1',
  'overdue2',
  'overdue3',
  'hold_available',
  'hold_expiring',
  'fines_bill',
  'lost',
  'card_replaced',
];

/** True when `kind` names a notice kind. */
export function isNoticeKind(kind: string): kind is NoticeKind {
  return (NOTICE_KINDS as readonly string[]).includes(kind);
}

/**
 * The placeholders a kind's template may use: `fields` as `{{name}}`, and list blocks
 * `{{#list}}…{{/list}}` whose items have the listed fields (inside a block, the kind's own fields
 * can be used too).
 */
export interface NoticePlaceholders {
  fields: string[];
  lists: Record<string, string[]>;
}

/**
 * Filled in by the notice service for every kind: the patron's name, the date the notice was queued
 * (`YYYY-MM-DD`, UTC) and the branch that sends it, when the caller names one.
 */
export const COMMON_FIELDS = [
  'firstName',
  'lastName',
  'fullName',
  'date',
  'branchName',
  'branchEmail',
  'branchPhone',
] as const;

const LOAN_ITEM = ['title', 'author', 'barcode', 'callNumber', 'dueDate'];

const OWN: Record<NoticeKind, { fields: string[]; lists: Record<string, string[]> }> = {
  courtesy: { fields: [], lists: { items: LOAN_ITEM } },
  overdue1: { fields: [], lists: { items: [...LOAN_ITEM, 'daysOverdue'] } },
  overdue2: { fields: [], lists: { items: [...LOAN_ITEM, 'daysOverdue'] } },
  overdue3: { fields: [], lists: { items: [...LOAN_ITEM, 'daysOverdue'] } },
  hold_available: { fields: ['title', 'author', 'pickupBranch', 'pickUpBy'], lists: {} },
  hold_expiring: { fields: ['title', 'author', 'pickupBranch', 'expiresOn'], lists: {} },
  fines_bill: { fields: ['total'], lists: { charges: ['date', 'description', 'title', 'amount'] } },
  lost: { fields: ['total'], lists: { items: ['title', 'barcode', 'amount'] } },
  card_replaced: { fields: ['cardBarcode'], lists: {} },
};

/** The placeholders `kind` knows. */
export function placeholdersFor(kind: NoticeKind): NoticePlaceholders {
  const own = OWN[kind];
  return { fields: [...COMMON_FIELDS, ...own.fields], lists: structuredClone(own.lists) };
}

const SAMPLE_ITEMS = [
  {
    title: 'The Left Hand of Darkness',
    author: 'Le Guin, Ursula K.',
    barcode: '30001000000017',
    callNumber: 'PS3562.E42 L4',
    dueDate: '2026-12-01',
    daysOverdue: 7,
  },
  {
    title: 'Cien años de soledad',
    author: 'García Márquez, Gabriel',
    barcode: '30001000000025',
    callNumber: 'PQ8180.17.A73 C5',
    dueDate: '2026-12-03',
    daysOverdue: 5,
  },
];

/** Made-up placeholder values for previews, so staff see a template filled in. */
export function sampleData(kind: NoticeKind): Record<string, unknown> {
  const common = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    fullName: 'Ada Lovelace',
    date: '2026-12-08',
    branchName: 'Main Library',
    branchEmail: 'main@library.example',
    branchPhone: '555-0100',
  };
  const own: Record<NoticeKind, Record<string, unknown>> = {
    courtesy: { items: SAMPLE_ITEMS.map(({ daysOverdue: _, ...item }) => item) },
    overdue1: { items: SAMPLE_ITEMS },
    overdue2: { items: SAMPLE_ITEMS },
    overdue3: { items: SAMPLE_ITEMS },
    hold_available: {
      title: 'Kindred',
      author: 'Butler, Octavia E.',
      pickupBranch: 'Main Library',
      pickUpBy: '2026-12-15',
    },
    hold_expiring: {
      title: 'Kindred',
      author: 'Butler, Octavia E.',
      pickupBranch: 'Main Library',
      expiresOn: '2026-12-10',
    },
    fines_bill: {
      total: '$4.50',
      charges: [
        { date: '2026-11-20', description: 'Overdue', title: 'Kindred', amount: '$1.50' },
        { date: '2026-11-28', description: 'Damaged barcode', title: 'Beloved', amount: '$3.00' },
      ],
    },
    lost: {
      total: '$32.00',
      items: [{ title: 'The Dispossessed', barcode: '30001000000033', amount: '$32.00' }],
    },
    card_replaced: { cardBarcode: '20001000000019' },
  };
  return { ...common, ...own[kind] };
}
