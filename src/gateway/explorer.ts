import path from 'node:path';
import { createAuth, jwtSecretFrom, SCOPES } from '../auth';
import { EXPLORER_EXAMPLES, EXPLORER_WELCOME_QUERY } from './explorer-examples';

export { EXPLORER_EXAMPLES, EXPLORER_WELCOME_QUERY, type ExplorerExample } from './explorer-examples';

export interface ExplorerOptions {
  /** Where the explorer's own files are served from. */
  readonly assetsPath: string;
  readonly endpointPath: string;
  /** Headers every example tab starts with, e.g. the demo's Authorization (see {@link explorerDemoHeaders}). */
  readonly initialHeaders?: Record<string, string>;
}

/**
 * The explorer page: Altair, served from the altair-static package's own files, so it works offline. It opens with
 * one tab per example operation (the main flows of the graph), each with its variables and the initial headers; the
 * Docs pane shows the graph's SDL descriptions.
 */
export function explorerPage(options: ExplorerOptions): string {
  const headers = options.initialHeaders ?? {};
  const { renderAltair } = require('altair-static') as typeof import('altair-static');
  return renderAltair({
    baseURL: `${options.assetsPath.replace(/\/$/, '')}/`,
    endpointURL: options.endpointPath,
    initialQuery: EXPLORER_WELCOME_QUERY,
    initialHeaders: headers,
    initialName: 'Plugboard',
    // Altair opens the window it created last: the welcome query goes last, so that it is the tab a developer lands on.
    initialWindows: [...EXPLORER_EXAMPLES.slice(1), EXPLORER_EXAMPLES[0]!].map((example) => ({
      initialName: example.name,
      initialQuery: example.query,
      ...(example.variables ? { initialVariables: example.variables } : {}),
      initialHeaders: { ...headers, ...example.headers },
    })),
    // The page opens with the examples of this version of the graph, not with the tabs of an earlier visit (whose
    // operations may no longer be valid, or whose token was minted for another secret).
    preserveState: false,
    disableAccount: true,
    // Nothing that would reach beyond this host: no update checks, banners or plugins from a registry.
    initialSettings: {
      'alert.disableUpdateNotification': true,
      'banners.disable': true,
      disablePushNotification: true,
      'plugin.list': [],
      'schema.reloadOnStart': true,
    },
  });
}

/** How long the explorer's demo token lives: the longest a token may (MAX_TOKEN_LIFETIME_SECONDS, a day). */
const DEMO_TOKEN_LIFETIME = '24h';

/**
 * The headers the explorer starts with: `Authorization: Bearer <token>` with every write scope, minted for the
 * subject "explorer", but only while the gateway signs with the demo's well-known secret, for which anyone can mint
 * such a token anyway (`npm run token`). With a secret of its own (PLUGBOARD_JWT_SECRET) the page is public and
 * carries no token: developers mint their own and paste it into the Headers pane.
 */
export async function explorerDemoHeaders(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const { secret, demo } = jwtSecretFrom(env);
  if (!demo) return {};
  const token = await createAuth({ secret }).mint({ subject: 'explorer', scopes: [...SCOPES], expiresIn: DEMO_TOKEN_LIFETIME });
  return { Authorization: `Bearer ${token}` };
}

/** Altair's own files (altair-static's build/dist), found without loading its renderer. */
export const explorerAssetsDirectory = (): string => path.join(path.dirname(require.resolve('altair-static/package.json')), 'build', 'dist');
