import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceOfTruthMatrix } from '../domain/source-of-truth';
import { SYSTEM_NAMES } from '../estate/systems';
import { checkMatrix } from './check-matrix';
import { entitiesOfSupergraph, type GraphEntities } from './graph';
import { parseYaml, Problems, shownPath, validate, type SourceFile } from './problems';
import { integrationMapSchema, matrixSchema, type IntegrationMap } from './schema';
import { PROJECT_ROOT } from '../project-root';

/** The committed schema/ folder of the repository. */
export const SCHEMA_DIR = path.join(PROJECT_ROOT, 'schema');
export const INTEGRATION_MAP_FILE = 'integration-map.yaml';
export const SOURCE_OF_TRUTH_FILE = 'source-of-truth.yaml';
export const SUPERGRAPH_FILE = 'supergraph.graphql';

/** The integration map and the source-of-truth matrix, validated against each other and against the graph. */
export interface LoadedIntegrationMap {
  readonly map: IntegrationMap;
  readonly matrix: SourceOfTruthMatrix;
}

export interface LoadIntegrationMapOptions {
  /** The composed graph the matrix is checked against. @default `<dir>/supergraph.graphql` */
  readonly supergraphFile?: string;
  /**
   * Systems the product knows: the map declares no other. The estate is those it declares; one it leaves out is not
   * connected (src/estate's estateSystemNames). @default the registry's (src/systems/index.ts)
   */
  readonly wiredSystems?: readonly string[];
}

/**
 * Why the integration map or the matrix cannot be used: one line per problem, each naming the file, the line and the
 * place ("schema/source-of-truth.yaml:31: entities.Order.fields.status.followers[0]: unknown system …").
 */
export class IntegrationMapError extends Error {
  override readonly name = 'IntegrationMapError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Reads `integration-map.yaml` and `source-of-truth.yaml` from `dir` and validates them: their shape (strict: an
 * unknown key is refused, with the key it probably meant), no literal credentials, every system the matrix names is in
 * the map, every entity and field is in the graph, one owner per field, coherent direction and conflict rule. Throws
 * an {@link IntegrationMapError} listing every problem found.
 */
export function loadIntegrationMap(dir: string = SCHEMA_DIR, options: LoadIntegrationMapOptions = {}): LoadedIntegrationMap {
  const problems = new Problems();
  const mapSource = readYaml(path.join(dir, INTEGRATION_MAP_FILE), problems);
  const matrixSource = readYaml(path.join(dir, SOURCE_OF_TRUTH_FILE), problems);
  const map = mapSource && validate(integrationMapSchema, mapSource, problems);
  const written = matrixSource && validate(matrixSchema, matrixSource, problems);

  if (map && mapSource) {
    const wired = options.wiredSystems ?? SYSTEM_NAMES;
    for (const system of Object.keys(map.systems)) {
      if (!wired.includes(system)) {
        problems.add(
          mapSource,
          ['systems', system],
          `no system ${JSON.stringify(system)} in the registry (src/systems/index.ts): declare it with defineSystem in src/systems/${system}/ first`,
        );
      }
    }
  }

  const graphFile = options.supergraphFile ?? path.join(dir, SUPERGRAPH_FILE);
  const graph = readGraph(graphFile, problems);
  // A map with a mistake in one system still names its systems: the matrix is checked against those names.
  const systems = map ? Object.keys(map.systems) : mapSource && systemsNamedIn(mapSource);
  const matrix =
    systems && written && matrixSource && graph
      ? checkMatrix(written, { systems, graph, graphFile: shownPath(graphFile) }, matrixSource, problems)
      : undefined;

  if (!problems.empty || !map || !matrix) throw new IntegrationMapError(problems.lines);
  return { map, matrix };
}

function systemsNamedIn(source: SourceFile): string[] | undefined {
  const raw: unknown = source.doc.toJS();
  const systems = typeof raw === 'object' && raw !== null ? (raw as { systems?: unknown }).systems : undefined;
  return typeof systems === 'object' && systems !== null && !Array.isArray(systems) ? Object.keys(systems) : undefined;
}

function readYaml(file: string, problems: Problems): SourceFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.add(shownPath(file), [], `cannot be read (${codeOf(error)})`);
    return undefined;
  }
  return parseYaml(file, text, problems);
}

function readGraph(file: string, problems: Problems): GraphEntities | undefined {
  try {
    const graph = entitiesOfSupergraph(readFileSync(file, 'utf8'));
    if (graph.size === 0) problems.add(shownPath(file), [], 'has no entity types (run npm run compose)');
    return graph;
  } catch (error) {
    problems.add(shownPath(file), [], `cannot be read as the composed graph (${codeOf(error)})`);
    return undefined;
  }
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
