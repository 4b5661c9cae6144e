/**
 * The Integration Map and the Source-of-Truth Matrix: declared in schema/integration-map.yaml and
 * schema/source-of-truth.yaml, validated at start, rendered by `npm run map`. The matrix's types and questions
 * (ruleFor, ownerOf, followersOf, fieldsOwnedBy) live in the domain (src/domain/source-of-truth.ts).
 */
export {
  IntegrationMapError,
  loadIntegrationMap,
  INTEGRATION_MAP_FILE,
  SCHEMA_DIR,
  SOURCE_OF_TRUTH_FILE,
  type LoadedIntegrationMap,
  type LoadIntegrationMapOptions,
} from './load';
export { CredentialsError, resolveCredentials, type ReadFile, type ResolvedCredentials } from './credentials';
export {
  AUTH_MODELS,
  DATA_FORMATS,
  DEFAULT_TIMEOUT_MS,
  SYSTEM_KINDS,
  type AuthModel,
  type AuthSpec,
  type IntegrationMap,
  type SecretRef,
  type SystemEntry,
} from './schema';
export { renderIntegrationMapHtml } from './render-html';
export { renderIntegrationMapMarkdown } from './render-markdown';
export { wiresOf, type Wire, type WireStyle } from './wires';
