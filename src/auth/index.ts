export { createAuth, lifetimeSeconds, MAX_SUBJECT_LENGTH, MAX_TOKEN_LIFETIME_SECONDS, requireScope } from './create-auth';
export type { Actor, Auth, AuthOptions, MintOptions } from './create-auth';
export { adminOnly, hasBearer, refuseWithoutAdminToken } from './admin-token';
export { AuthError, isAuthError } from './errors';
export type { AuthErrorCode } from './errors';
export { SCOPES, isScope } from './scopes';
export type { Scope } from './scopes';
export { DEMO_JWT_SECRET, JWT_SECRET_VARIABLE, MIN_SECRET_LENGTH, jwtSecretFrom } from './secret';
