import { ApiError, request } from '../common/api.ts';
import type { Translate } from '../common/i18n.ts';
import { STAFF_ENDPOINTS, type StaffEndpoint } from './endpoints.ts';

let whenSignedOut: () => void = () => undefined;

/** Says what to do when the server answers 401 (the session ended): the app shows the login page. */
export function onSignedOut(handler: () => void): void {
  whenSignedOut = handler;
}

/**
 * Calls one of the staff client's routes by name (so every route called is listed in
 * {@link STAFF_ENDPOINTS}). A 401 on anything but the login itself means the session ended.
 */
export async function call<T>(
  endpoint: StaffEndpoint,
  options: Parameters<typeof request>[1] = {},
): Promise<T> {
  try {
    return await request<T>(STAFF_ENDPOINTS[endpoint], options);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && endpoint !== 'login' && endpoint !== 'me')
      whenSignedOut();
    throw error;
  }
}

/** The words to show for a failed call: the API's own message, or ours for a network failure. */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) return error.code === 'NETWORK' ? t('error.network') : error.message;
  return t('error.unexpected');
}
