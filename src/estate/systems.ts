import { GATEWAY_PORT } from '../config/ports';
import { SYSTEM_REGISTRY, type SystemDefinition } from '../systems';

/**
 * The systems of the estate as the product lists them (the admin API, the dashboard, `npm start`'s table): a view
 * of the registry (src/systems/index.ts), which is the one place that names them.
 */
export const SYSTEM_NAMES: readonly string[] = SYSTEM_REGISTRY.map((system) => system.name);
export type SystemName = string;

export interface SystemDescription {
  readonly name: SystemName;
  readonly kind: SystemDefinition['kind'];
  readonly title: string;
  readonly auth: SystemDefinition['auth'];
  readonly format: SystemDefinition['format'];
  /** Port of its sandbox in the embedded estate (`npm start`). */
  readonly sandboxPort?: number;
}

export const SYSTEMS: readonly SystemDescription[] = SYSTEM_REGISTRY.map((system) => ({
  name: system.name,
  kind: system.kind,
  title: system.title,
  auth: system.auth,
  format: system.format,
  ...(system.sandbox ? { sandboxPort: system.sandbox.port } : {}),
}));

/**
 * The systems of this estate: those of the registry that its integration map declares, in the registry's order. A
 * system the map leaves out is neither required (its variables), nor connected, nor started (its sandbox); its
 * fields answer SYSTEM_NOT_IN_ESTATE.
 */
export function estateSystemNames(map: { readonly systems: Readonly<Record<string, unknown>> }, only?: readonly string[]): string[] {
  return SYSTEM_NAMES.filter((name) => Object.hasOwn(map.systems, name) && (!only || only.includes(name)));
}

/** Default port of the gateway (each subgraph's is declared with it: subgraphs/index.ts's SUBGRAPHS). */
export { GATEWAY_PORT };
