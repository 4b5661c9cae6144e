import { readFileSync } from 'node:fs';
import type { AuthModel, AuthSpec, IntegrationMap, SecretRef } from './schema';

/** One system's credentials, read from where the map says they live. */
export interface ResolvedCredentials {
  readonly system: string;
  readonly model: AuthModel;
  /**
   * Each credential of the auth model by its name in the map (`clientId`, `apiKey`, `username`…). The `*File` fields
   * of mTLS lose the suffix and hold the file's contents: `cert`, `key`, `ca` (PEM).
   */
  readonly values: Readonly<Record<string, string>>;
}

/** A credential that cannot be found. The message names the variable or file, never a value. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';

  constructor(
    readonly system: string,
    readonly missing: readonly string[],
  ) {
    super(`${system}: credentials missing:\n${missing.map((line) => `- ${line}`).join('\n')}`);
  }
}

export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (file) => readFileSync(file, 'utf8');

/**
 * Reads one system's credentials: `{ env: NAME }` from the environment, `{ file: path }` from the file; for a `*File`
 * field (mTLS) the variable holds a path and the file it names is read. Throws a {@link CredentialsError} naming every
 * unset variable and unreadable file.
 */
export function resolveCredentials(
  map: IntegrationMap,
  system: string,
  env: NodeJS.ProcessEnv = process.env,
  readFile: ReadFile = readUtf8,
): ResolvedCredentials {
  const entry = Object.hasOwn(map.systems, system) ? map.systems[system] : undefined;
  if (!entry) throw new CredentialsError(system, [`the integration map has no system "${system}"`]);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [field, ref] of secretFields(entry.auth)) {
    const isFile = field.endsWith('File');
    const name = isFile ? field.slice(0, -'File'.length) : field;
    const at = `auth.${field}`;
    const read = (file: string, what: string): string | undefined => {
      try {
        return readFile(file);
      } catch (error) {
        missing.push(`${what} ${file}, which cannot be read (${codeOf(error)}) (${at})`);
        return undefined;
      }
    };
    if (ref.env !== undefined) {
      const value = env[ref.env];
      if (value === undefined || value === '') {
        missing.push(`${ref.env} is not set (${at}${isFile ? ': the path of a PEM file' : ''})`);
        continue;
      }
      const resolved = isFile ? read(value, `${ref.env} names`) : value;
      if (resolved !== undefined) values[name] = resolved;
    } else if (ref.file !== undefined) {
      const contents = read(ref.file, 'the file');
      // A mounted secret usually ends with a newline that is not part of the secret; a PEM file keeps its own.
      if (contents !== undefined) values[name] = isFile ? contents : contents.trim();
    }
  }
  if (missing.length) throw new CredentialsError(system, missing);
  return { system, model: entry.auth.model, values };
}

/** The credential fields of an auth model and where each lives (`model` and descriptive fields left out). */
export function secretFields(auth: AuthSpec): [string, SecretRef][] {
  return Object.entries(auth).filter((entry): entry is [string, SecretRef] => typeof entry[1] === 'object' && entry[1] !== null);
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unreadable';
}
