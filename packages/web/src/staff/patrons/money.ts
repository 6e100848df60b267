import { STAFF_ENDPOINTS, type StaffEndpoint } from '../endpoints.ts';

/**
 * Reads an amount as staff type it ("3.25", "3,25", "3") into minor units (325). Null for anything
 * else — letters, a minus sign, more than two decimals, zero — so the form can say so before sending.
 */
export function parseMinor(text: string): number | null {
  const match = /^(\d{1,12})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  const minor = whole * 100 + cents;
  return minor > 0 && Number.isSafeInteger(minor) ? minor : null;
}

/**
 * A fresh idempotency key: one per payment the staff member means to take, so pressing Pay twice (or
 * retrying after a lost answer) pays once. Uses getRandomValues, which works outside secure contexts too.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `staff-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The address of a GET route (a PDF to open in a new tab), with its `{param}`s filled. */
export function endpointHref(endpoint: StaffEndpoint, params: Record<string, string>): string {
  const [, template] = STAFF_ENDPOINTS[endpoint].split(' ') as [string, string];
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
}
