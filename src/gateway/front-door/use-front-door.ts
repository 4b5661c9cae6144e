import type { GraphQLSchema } from 'graphql';
import { createDocumentCache, type DocumentCache } from './documents';
import { createFrontDoor, DEFAULT_FRONT_DOOR, type Admitted, type DoorRequest, type FrontDoorSettings } from './index';

/**
 * The front door as the gateway's one required plugin: every GraphQL request, however it arrived (POST, GET, a batch,
 * a persisted hash), passes it before anything is planned. `serveGateway` takes exactly one and refuses to serve
 * without it; the other extras (`plugins`) are optional.
 */
export interface FrontDoorPlugin {
  readonly name: 'front-door';
  /** What it lets in; the gateway's body limit, parser token limit and batching follow it. */
  readonly settings: FrontDoorSettings;
  /** The door over the schema the gateway serves, once it is loaded. */
  open(schema: GraphQLSchema, options?: { readonly redisUrl?: string }): OpenFrontDoor;
}

/** The door of a running gateway. */
export interface OpenFrontDoor {
  /** Checks a request and answers what Apollo is handed; throws a FrontDoorRejection to refuse it. */
  admit(request: DoorRequest): Promise<Admitted>;
  /** The store of automatic persisted queries, when APQ is on (in Redis with `redisUrl`, else in memory). */
  readonly persistedQueries?: DocumentCache;
  close(): Promise<void>;
}

/** The front door with these settings (limits, batching, body size, persisted queries, trusted documents). */
export function useFrontDoor(settings: FrontDoorSettings = DEFAULT_FRONT_DOOR): FrontDoorPlugin {
  return {
    name: 'front-door',
    settings,
    open: (schema, options = {}) => {
      const persistedQueries = settings.trustedDocuments || !settings.apq ? undefined : createDocumentCache(options.redisUrl);
      const door = createFrontDoor(settings, schema, persistedQueries);
      return {
        admit: (request) => door.admit(request),
        ...(persistedQueries ? { persistedQueries } : {}),
        close: async () => {
          await persistedQueries?.disconnect();
        },
      };
    },
  };
}
