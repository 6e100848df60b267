import type { EndpointSpec } from '../shared/api.ts';

/** Every API route the staff client calls (checked against the OpenAPI document by a server test). */
export const STAFF_ENDPOINTS = {
  login: 'POST /api/auth/login',
  logout: 'POST /api/auth/logout',
  me: 'GET /api/auth/me',
  branches: 'GET /api/branches',
  checkout: 'POST /api/circulation/checkout',
  checkin: 'POST /api/circulation/checkin',
  renew: 'POST /api/circulation/renew',
  patronAtDesk: 'GET /api/circulation/patrons/{id}',
  patronByCard: 'GET /api/patrons/by-card/{barcode}',
} as const satisfies Record<string, EndpointSpec>;
