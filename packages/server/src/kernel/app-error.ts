/**
 * The one error type the domain throws. `code` is stable and machine-readable; the edges map it to
 * a transport (HTTP status, SIP2 screen message, CLI exit code). Unexpected failures stay plain
 * `Error` and become a generic 500.
 */
export class AppError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: Code, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

/** Codes shared by every module. Each module adds its own in its `errors.ts`. */
export type CommonErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED';

/** True when `error` is an {@link AppError}, optionally with the given code. */
export function isAppError(error: unknown, code?: string): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
