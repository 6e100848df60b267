/**
 * The browser's client of the Stacks HTTP API. Every call goes through {@link request}, which speaks
 * the API's one error shape; the paths the clients use are listed in {@link ENDPOINTS}, and a server
 * test checks each against `/api/openapi.json`, so the client and the API cannot drift apart unseen.
 * Types come from `@stacks/contract` (type-only imports: no schema code reaches the browser).
 */

/** An error the API answered with: a stable code to switch on and a message a person can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Every API route the web clients call, as `METHOD /path/{param}` in OpenAPI form. */
export const ENDPOINTS = {
  health: 'GET /api/health',
  staffLogin: 'POST /api/auth/login',
  staffLogout: 'POST /api/auth/logout',
  staffMe: 'GET /api/auth/me',
  branches: 'GET /api/branches',
  search: 'GET /api/catalog/search',
  record: 'GET /api/catalog/records/{id}',
  patronLogin: 'POST /api/patron/login',
  patronLogout: 'POST /api/patron/logout',
  patronMe: 'GET /api/patron/me',
  myLoans: 'GET /api/patron/loans',
  myRenew: 'POST /api/patron/loans/{id}/renew',
  myHolds: 'GET /api/patron/holds',
  myPlaceHold: 'POST /api/patron/holds',
  myCancelHold: 'POST /api/patron/holds/{id}/cancel',
  mySuspendHold: 'POST /api/patron/holds/{id}/suspend',
  myResumeHold: 'POST /api/patron/holds/{id}/resume',
  myHoldPickup: 'POST /api/patron/holds/{id}/pickup',
  checkout: 'POST /api/circulation/checkout',
  checkin: 'POST /api/circulation/checkin',
  renew: 'POST /api/circulation/renew',
  patronAtDesk: 'GET /api/circulation/patrons/{id}',
  patronByCard: 'GET /api/patrons/by-card/{barcode}',
} as const;

export type Endpoint = keyof typeof ENDPOINTS;

/**
 * Calls an endpoint: fills `{param}`s from `params`, adds `query`, sends `body` as JSON, and returns the
 * parsed answer (undefined for 204). Throws {@link ApiError} for any error answer, and an ApiError with
 * code `NETWORK` when the server cannot be reached.
 */
export async function request<T>(
  endpoint: Endpoint,
  options: {
    params?: Record<string, string>;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
  } = {},
): Promise<T> {
  const [method, template] = ENDPOINTS[endpoint].split(' ') as [string, string];
  let path = template.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(options.params?.[name] ?? ''),
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {}))
    if (value !== undefined && value !== '') query.append(key, String(value));
  if ([...query].length > 0) path += `?${query}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(
      0,
      'NETWORK',
      'The library server cannot be reached. Check the connection and try again.',
      undefined,
    );
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
      ?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `The server answered ${response.status}`,
      error?.details,
    );
  }
  return data as T;
}
