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
  patronSearch: 'GET /api/patrons',
  patronRegister: 'POST /api/patrons',
  patron: 'GET /api/patrons/{id}',
  patronCategories: 'GET /api/patron-categories',
  pullList: 'GET /api/branches/{branchId}/pull-list',
  holdShelf: 'GET /api/branches/{branchId}/hold-shelf',
  transits: 'GET /api/transits',
  catalogSearch: 'GET /api/catalog/search',
  record: 'GET /api/catalog/records/{id}',
  recordItems: 'GET /api/catalog/records/{id}/items',
} as const satisfies Record<string, EndpointSpec>;

/** The name of a route the staff client calls. */
export type StaffEndpoint = keyof typeof STAFF_ENDPOINTS;
