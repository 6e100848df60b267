export { type AuthOptions, type AuthService, createAuthService, type NewSession } from './auth-service.ts';
export type { StaffErrorCode } from './errors.ts';
export { dummyHash, generatePassword, hashPassword, passwordProblem, verifyPassword } from './password.ts';
export {
  type ApiToken,
  createStaffService,
  hashSecret,
  type NewStaffUser,
  type Role,
  type StaffService,
  type StaffUser,
  type StaffUserChanges,
} from './staff-service.ts';
