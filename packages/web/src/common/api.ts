/**
 * The browser's client of the Stacks HTTP API. Every call goes through {@link request}, which speaks
 * the API's one error shape. Each client lists the routes it calls in its `endpoints.ts`
 * (`OPAC_ENDPOINTS`, `STAFF_ENDPOINTS`), and a server test checks each against `/api/openapi.json`, so
 * the clients and the API cannot drift apart unseen.
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

/** An API route as `METHOD /api/path/{param}`, in OpenAPI form. */
export type EndpointSpec = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /api/${string}`;

/**
 * Calls an endpoint: fills `{param}`s from `params`, adds `query`, sends `body` as JSON, and returns the
 * parsed answer (undefined for 204). Throws {@link ApiError} for any error answer, and an ApiError with
 * code `NETWORK` when the server cannot be reached.
 */
export async function request<T>(
  endpoint: EndpointSpec,
  options: {
    params?: Record<string, string>;
    /** Query parameters; an array repeats its parameter (`format=book&format=video`). */
    query?: Record<string, string | number | boolean | undefined | readonly (string | number)[]>;
    body?: unknown;
  } = {},
): Promise<T> {
  const [method, template] = endpoint.split(' ') as [string, string];
  let path = template.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(options.params?.[name] ?? ''),
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {}))
    for (const one of Array.isArray(value) ? value : [value])
      if (one !== undefined && one !== '') query.append(key, String(one));
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
