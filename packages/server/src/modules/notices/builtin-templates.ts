import type { NoticeKind } from './notice-kinds.ts';

/** A template's wording: a one-line subject and a plain-text body. */
export interface TemplateText {
  subject: string;
  body: string;
}

/** Who sends the notice; empty lines when the caller names no branch. */
const SIGN_OFF = `
{{branchName}}
{{branchPhone}} {{branchEmail}}
`;

const EN: Record<NoticeKind, TemplateText> = {
  courtesy: {
    subject: 'Due soon: items you borrowed',
    body: `Dear {{firstName}} {{lastName}},

These items are due back soon:

{{#items}}
- {{title}} (due {{dueDate}})
{{/items}}

Please return or renew them by their due date.
${SIGN_OFF}`,
  },
  overdue1: {
    subject: 'Overdue: please return your items',
    body: `Dear {{firstName}} {{lastName}},

Our records show these items are overdue:

{{#items}}
- {{title}} (was due {{dueDate}}, {{daysOverdue}} days overdue)
{{/items}}

Please return or renew them as soon as you can.
${SIGN_OFF}`,
  },
  overdue2: {
    subject: 'Second notice: overdue items',
    body: `Dear {{firstName}} {{lastName}},

This is our second notice. These items are still overdue:

{{#items}}
- {{title}} (was due {{dueDate}}, {{daysOverdue}} days overdue)
{{/items}}

Please return them now; fines may apply.
${SIGN_OFF}`,
  },
  overdue3: {
    subject: 'Final notice: overdue items',
    body: `Dear {{firstName}} {{lastName}},

This is our final notice. These items are long overdue:

{{#items}}
- {{title}} (was due {{dueDate}}, {{daysOverdue}} days overdue)
{{/items}}

If they are not returned they will be billed as lost.
${SIGN_OFF}`,
  },
  hold_available: {
    subject: 'Your hold is ready: {{title}}',
    body: `Dear {{firstName}} {{lastName}},

{{title}} is waiting for you at {{pickupBranch}}.
Please pick it up by {{pickUpBy}}.
${SIGN_OFF}`,
  },
  hold_expiring: {
    subject: 'Last days to pick up {{title}}',
    body: `Dear {{firstName}} {{lastName}},

{{title}} is still waiting for you at {{pickupBranch}}.
It goes to the next reader after {{expiresOn}}.
${SIGN_OFF}`,
  },
  fines_bill: {
    subject: 'Your library account: {{total}} to pay',
    body: `Dear {{firstName}} {{lastName}},

You owe the library {{total}}:

{{#charges}}
- {{date}} {{description}} {{title}}: {{amount}}
{{/charges}}

You can pay at any branch.
${SIGN_OFF}`,
  },
  lost: {
    subject: 'Items billed as lost',
    body: `Dear {{firstName}} {{lastName}},

These items were not returned and are now billed as lost:

{{#items}}
- {{title}}: {{amount}}
{{/items}}

Total: {{total}}. If you find them, bring them back and the charge will be reviewed.
${SIGN_OFF}`,
  },
  card_replaced: {
    subject: 'Your new library card',
    body: `Dear {{firstName}} {{lastName}},

Your library card was replaced. Your new card number is {{cardBarcode}}; the old card no longer works.
${SIGN_OFF}`,
  },
};

const ES: Record<NoticeKind, TemplateText> = {
  courtesy: {
    subject: 'Vencen pronto: materiales en préstamo',
    body: `Estimado/a {{firstName}} {{lastName}}:

Estos materiales vencen pronto:

{{#items}}
- {{title}} (vence el {{dueDate}})
{{/items}}

Por favor, devuélvalos o renuévelos antes de su vencimiento.
${SIGN_OFF}`,
  },
  overdue1: {
    subject: 'Materiales vencidos: por favor devuélvalos',
    body: `Estimado/a {{firstName}} {{lastName}}:

Según nuestros registros, estos materiales están vencidos:

{{#items}}
- {{title}} (venció el {{dueDate}}, {{daysOverdue}} días de retraso)
{{/items}}

Por favor, devuélvalos o renuévelos lo antes posible.
${SIGN_OFF}`,
  },
  overdue2: {
    subject: 'Segundo aviso: materiales vencidos',
    body: `Estimado/a {{firstName}} {{lastName}}:

Este es nuestro segundo aviso. Estos materiales siguen vencidos:

{{#items}}
- {{title}} (venció el {{dueDate}}, {{daysOverdue}} días de retraso)
{{/items}}

Por favor, devuélvalos ya; pueden aplicarse multas.
${SIGN_OFF}`,
  },
  overdue3: {
    subject: 'Último aviso: materiales vencidos',
    body: `Estimado/a {{firstName}} {{lastName}}:

Este es nuestro último aviso. Estos materiales llevan mucho tiempo vencidos:

{{#items}}
- {{title}} (venció el {{dueDate}}, {{daysOverdue}} días de retraso)
{{/items}}

Si no los devuelve, se le cobrarán como perdidos.
${SIGN_OFF}`,
  },
  hold_available: {
    subject: 'Su reserva está lista: {{title}}',
    body: `Estimado/a {{firstName}} {{lastName}}:

{{title}} le espera en {{pickupBranch}}.
Por favor, recójalo antes del {{pickUpBy}}.
${SIGN_OFF}`,
  },
  hold_expiring: {
    subject: 'Últimos días para recoger {{title}}',
    body: `Estimado/a {{firstName}} {{lastName}}:

{{title}} todavía le espera en {{pickupBranch}}.
Pasará al siguiente lector después del {{expiresOn}}.
${SIGN_OFF}`,
  },
  fines_bill: {
    subject: 'Su cuenta de la biblioteca: {{total}} por pagar',
    body: `Estimado/a {{firstName}} {{lastName}}:

Debe a la biblioteca {{total}}:

{{#charges}}
- {{date}} {{description}} {{title}}: {{amount}}
{{/charges}}

Puede pagar en cualquier sucursal.
${SIGN_OFF}`,
  },
  lost: {
    subject: 'Materiales cobrados como perdidos',
    body: `Estimado/a {{firstName}} {{lastName}}:

Estos materiales no se devolvieron y se le cobran como perdidos:

{{#items}}
- {{title}}: {{amount}}
{{/items}}

Total: {{total}}. Si los encuentra, tráigalos y revisaremos el cargo.
${SIGN_OFF}`,
  },
  card_replaced: {
    subject: 'Su nueva tarjeta de la biblioteca',
    body: `Estimado/a {{firstName}} {{lastName}}:

Su tarjeta de la biblioteca fue reemplazada. El número de la nueva tarjeta es {{cardBarcode}}; la anterior ya no funciona.
${SIGN_OFF}`,
  },
};

/** The wording Stacks ships, by language; a library's own templates override it. */
export const BUILT_IN_TEMPLATES: Readonly<Record<string, Record<NoticeKind, TemplateText>>> = {
  en: EN,
  es: ES,
};

/** The language notices fall back to when there is no template in the patron's language. */
export const FALLBACK_LANGUAGE = 'en';
