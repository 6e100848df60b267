export { type AuthOptions, type AuthService, createAuthService, type NewSession } from './auth-service.ts';
export type { StaffErrorCode } from './errors.ts';
export {
  createLoginLimiter,
  type LoginLimiter,
  type LoginLimits,
  type LoginReservation,
} from './login-limiter.ts';
export {
  dummyHash,
  generatePassword,
  hashPassword,
  isGuessable,
  passwordProblem,
  verifyPassword,
} from './password.ts';
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
