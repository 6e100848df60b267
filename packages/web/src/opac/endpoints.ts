import type { EndpointSpec } from '../common/api.ts';

/** Every API route the public catalog calls (checked against the OpenAPI document by a server test). */
export const OPAC_ENDPOINTS = {
  branches: 'GET /api/branches',
  search: 'GET /api/catalog/search',
  record: 'GET /api/catalog/records/{id}',
  /** Staff-only today: the catalog shows copies one by one when it answers, else counts per branch. */
  recordItems: 'GET /api/catalog/records/{id}/copies',
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
  myAccount: 'GET /api/patron/account',
  myUpdate: 'PATCH /api/patron/me',
} as const satisfies Record<string, EndpointSpec>;
