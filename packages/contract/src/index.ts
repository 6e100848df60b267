export * from './auth.ts';
export * from './branches.ts';
export * from './catalog.ts';
export * from './common.ts';
export * from './errors.ts';
export * from './health.ts';
export * from './permissions.ts';
export * from './staff.ts';
