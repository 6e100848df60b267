/** Error codes of the staff module (accounts, roles, sessions, tokens). */
export type StaffErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'INVALID_CURRENT_PASSWORD'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'STAFF_USER_NOT_FOUND'
  | 'USERNAME_TAKEN'
  | 'INVALID_USERNAME'
  | 'WEAK_PASSWORD'
  | 'ROLE_NOT_FOUND'
  | 'ROLE_NAME_TAKEN'
  | 'ROLE_IN_USE'
  | 'UNKNOWN_PERMISSION'
  | 'LAST_ADMINISTRATOR'
  | 'TOKEN_NOT_FOUND'
  | 'BRANCH_NOT_FOUND';
