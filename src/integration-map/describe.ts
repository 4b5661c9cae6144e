import type { ConflictRule, FieldOwner, FlowDirection } from '../domain/source-of-truth';
import { secretFields } from './credentials';
import type { AuthSpec, SecretRef, SystemEntry } from './schema';
import type { WireStyle } from './wires';

/** Internal to src/integration-map: the words the rendered map uses, shared by the HTML and the Markdown. */

export const directionText = (direction: FlowDirection): string => (direction === 'bidirectional' ? 'bidirectional' : 'owner → followers');

export const conflictText = (conflict: ConflictRule): string =>
  conflict === 'owner-wins' ? 'owner wins' : 'latest timestamp wins, with audit';

export function ownerText(owner: FieldOwner): string {
  return owner.kind === 'system' ? owner.system : `${owner.oneOf.join(' or ')} (the one its ${owner.by} names)`;
}

export const WIRE_LEGEND: Readonly<Record<WireStyle, string>> = {
  sync: 'owner → follower: the owner’s changes are copied to the follower through the outbox; the owner wins',
  bidirectional: 'bidirectional: both change it; the latest timestamp wins, and every resolution is audited',
  read: 'read live: the site reads the owner through the graph; nobody keeps a copy',
};

/** `$CRM_CLIENT_ID`, `file /run/secrets/crm`, or for an mTLS file: `PEM file at $COURIER_A_CERT_FILE`. */
export function refText(field: string, ref: SecretRef): string {
  const isFile = field.endsWith('File');
  if (ref.env !== undefined) return isFile ? `PEM file at $${ref.env}` : `$${ref.env}`;
  return `file ${ref.file ?? ''}`;
}

/** Each credential of an auth model and where it lives: `clientId: $CRM_CLIENT_ID`. */
export function credentialLines(auth: AuthSpec): string[] {
  return secretFields(auth).map(([field, ref]) => `${field}: ${refText(field, ref)}`);
}

export function authDetails(auth: AuthSpec): string[] {
  const details: string[] = [];
  if (auth.model === 'api-key') details.push(`sent in ${auth.sentIn}`);
  if ((auth.model === 'oauth2-client-credentials' || auth.model === 'oauth2-refresh-token') && auth.tokenPath) {
    details.push(`token at ${auth.tokenPath}`);
  }
  return [...details, ...credentialLines(auth)];
}

export function rateLimitText(rateLimit: SystemEntry['rateLimit']): string {
  if (!rateLimit) return 'none published';
  const per = rateLimit.perSeconds === 1 ? 'second' : `${rateLimit.perSeconds} s`;
  return `${rateLimit.requests} per ${per}`;
}

/** The credentials to replace by a date, as the map declares them: `rotate apiKey by 2028-06-30`. */
export function rotationLines(rotation: SystemEntry['rotation']): string[] {
  return (rotation ?? []).map((entry) => `rotate ${entry.credential} by ${entry.rotateBy}`);
}

export const timeoutText = (timeoutMs: number): string => (timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`);

export function baseUrlLines(baseUrl: SystemEntry['baseUrl']): string[] {
  return [
    `$${baseUrl.env}`,
    ...(baseUrl.sandbox ? [`sandbox: ${baseUrl.sandbox}`] : []),
    ...(baseUrl.default ? [`unset: ${baseUrl.default}`] : []),
  ];
}
