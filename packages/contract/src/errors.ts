import { type Static, Type } from '@sinclair/typebox';

/**
 * The one error shape every route answers with. `code` is stable: the UI and integrations switch on
 * it; `message` is for people; `details` names the field or the facts behind the refusal.
 */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ examples: ['VALIDATION_FAILED'] }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse', description: 'Error' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

/** Codes any route may answer with, beyond the module's own. */
export const COMMON_ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_CHARACTER',
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
