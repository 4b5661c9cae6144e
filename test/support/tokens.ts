import { createAuth, jwtSecretFrom, type Scope } from '../../src/auth';

export interface TestTokenOptions {
  /** Who the token names: the audit row's actor. */
  readonly subject: string;
  /** What it allows; none gives a valid token that may only read. @default [] */
  readonly scopes?: readonly Scope[];
  /** Seconds, or '90s', '30m', '1h', '7d'. @default '1h' */
  readonly expiresIn?: number | string;
}

/**
 * A bearer token the running stack accepts: signed with the secret the stack's write path uses (PLUGBOARD_JWT_SECRET
 * of this process, or the demo's), exactly as `npm run token` mints it.
 */
export function mintTestToken(options: TestTokenOptions): Promise<string> {
  return createAuth({ secret: jwtSecretFrom().secret }).mint({
    subject: options.subject,
    scopes: options.scopes ?? [],
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
  });
}

/** The `Authorization` header of a token. */
export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });
