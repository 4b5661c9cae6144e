import path from 'node:path';
import type { Config } from '../../config';
import { loadTrustedDocuments } from './documents';
import { DEFAULT_LIMITS } from './limits';
import { useFrontDoor, type FrontDoorPlugin } from './use-front-door';

/** The front door from the configuration's settings (PLUGBOARD_PROFILE, PLUGBOARD_LIMIT_*, APQ, trusted documents, CORS). */
export function frontDoorFrom(config: Config, root: string = process.cwd()): { frontDoor: FrontDoorPlugin; introspection: boolean; corsOrigins: string[] } {
  const introspection = (config.PLUGBOARD_INTROSPECTION ?? (config.PLUGBOARD_PROFILE === 'production' ? 'off' : 'on')) === 'on';
  const trustedDocuments =
    config.PLUGBOARD_TRUSTED_DOCUMENTS === 'on' ? loadTrustedDocuments(path.resolve(root, config.PLUGBOARD_TRUSTED_DOCUMENTS_FILE)) : undefined;
  return {
    frontDoor: useFrontDoor({
      limits: {
        ...DEFAULT_LIMITS,
        maxDepth: config.PLUGBOARD_LIMIT_DEPTH,
        maxAliases: config.PLUGBOARD_LIMIT_ALIASES,
        maxRootFields: config.PLUGBOARD_LIMIT_ROOT_FIELDS,
        maxCost: config.PLUGBOARD_LIMIT_COST,
        maxTokens: config.PLUGBOARD_LIMIT_TOKENS,
      },
      maxBatch: config.PLUGBOARD_LIMIT_BATCH,
      maxBodyBytes: config.PLUGBOARD_LIMIT_BODY_BYTES,
      apq: config.PLUGBOARD_APQ === 'on',
      ...(trustedDocuments ? { trustedDocuments } : {}),
    }),
    introspection,
    corsOrigins: (config.PLUGBOARD_CORS_ORIGINS ?? '').split(',').filter(Boolean),
  };
}
