import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/app-error.ts';

const EXACT: Record<string, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  WEAK_PASSWORD: 400,
  UNKNOWN_PERMISSION: 400,
  // A single amount over MAX_AMOUNT_MINOR (kernel/money.ts): bad input. BALANCE_LIMIT (a charge that
  // would take an account past MAX_BALANCE_MINOR) is a refused business rule, 422.
  AMOUNT_TOO_LARGE: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LAST_ADMINISTRATOR: 409,
  ITEM_ALREADY_CHECKED_OUT: 409,
  PATRON_POSSIBLE_DUPLICATE: 409,
  CHARGE_ALREADY_DISPUTED: 409,
  DISPUTE_CLOSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  NOTHING_TO_PRINT: 400,
  DATABASE_UNAVAILABLE: 503,
};

/**
 * The HTTP status for a domain error code. Exact codes first, then the naming conventions every module
 * follows (`*_NOT_FOUND`, `*_TAKEN`, `*_EXISTS`, `*_IN_USE`, `INVALID_*`); any other refusal of a
 * business rule is 422.
 */
export function statusForCode(code: string): number {
  const exact = EXACT[code];
  if (exact !== undefined) return exact;
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (
    code.endsWith('_TAKEN') ||
    code.endsWith('_EXISTS') ||
    code.endsWith('_IN_USE') ||
    code.endsWith('_CONFLICT')
  )
    return 409;
  if (code.startsWith('INVALID_')) return 400;
  return 422;
}

function send(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
) {
  const body = details === undefined ? { error: { code, message } } : { error: { code, message, details } };
  return reply.status(status).type('application/json').send(body);
}

/** Validation errors name the field: `body/username must NOT have fewer than 2 characters`. */
function describeValidation(error: FastifyError): { message: string; details: Record<string, unknown> } {
  const issues = (error.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const path = [error.validationContext, v.instancePath.replace(/^\//, '')].filter(Boolean).join('/');
    const field = missing
      ? `${path}${path.endsWith('/') || path === '' ? '' : '/'}${missing}`
      : extra
        ? `${path}/${extra}`
        : path;
    const message = missing ? 'is required' : extra ? 'is not a known field' : (v.message ?? 'is not valid');
    return { field: field.replace(/\/+/g, '/'), message };
  });
  const first = issues[0];
  return {
    message: first ? `${first.field} ${first.message}` : (error.message ?? 'The request is not valid'),
    details: { issues },
  };
}

/** Maps every error to the one error shape. Unexpected errors are logged and answered with a generic 500. */
export function errorHandler(
  error: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof AppError) {
    const status = statusForCode(error.code);
    if (status === 429 && typeof error.details?.retryAfterSeconds === 'number') {
      reply.header('retry-after', String(error.details.retryAfterSeconds));
    }
    return send(reply, status, error.code, error.message, error.details);
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    const { message, details } = describeValidation(fe);
    return send(reply, 400, 'VALIDATION_FAILED', message, details);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(reply, 400, 'MALFORMED_JSON', `The request body is not valid JSON: ${fe.message}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return send(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limitBytes = request.routeOptions.bodyLimit;
      return send(
        reply,
        413,
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than the ${limitBytes.toLocaleString('en-US')} bytes this request takes`,
        { limitBytes },
      );
    }
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return send(reply, 400, 'MALFORMED_JSON', `The request body is not valid JSON: ${error.message}`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return send(reply, fe.statusCode, fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', fe.message);
  }
  request.log.error({ err: error }, 'unexpected error');
  return send(reply, 500, 'INTERNAL', 'Something went wrong on the server; it has been logged');
}

/** Unknown routes get the error shape too. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return send(reply, 404, 'NOT_FOUND', `There is no ${request.method} ${request.url.split('?')[0]}`);
}
