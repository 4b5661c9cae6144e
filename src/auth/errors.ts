/** What went wrong with a caller's identity: GraphQL's usual codes, as `extensions.code`. */
export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/**
 * A caller that could not be identified (UNAUTHENTICATED: no token where one is needed, or a token that is invalid,
 * expired or meant for someone else) or that lacks a scope (FORBIDDEN, naming the scope). Messages are for the
 * caller: they say what to do, and never echo the token.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** The scope that was missing, when the code is FORBIDDEN or a token is needed for it. */
    readonly scope?: string,
  ) {
    super(message);
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
