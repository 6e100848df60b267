/** Response schemas shared by routes: every error status answers with the one error shape. */
export const ERROR_REF = { $ref: 'ErrorResponse#' } as const;

/** `response` entries for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ERROR_REF> {
  const out: Record<number, typeof ERROR_REF> = {};
  for (const status of statuses) out[status] = ERROR_REF;
  return out;
}

/** The errors any authenticated route can give: bad input, no session, no permission. */
export const AUTHED_ERRORS = errorResponses(400, 401, 403);
