import path from 'node:path';
import { createSubgraphs, NO_PORTS, SUBGRAPHS } from '../../subgraphs';
import { composeSupergraph, type SubgraphSource } from './compose';
import { PROJECT_ROOT } from '../project-root';

export const SCHEMA_DIR = path.join(PROJECT_ROOT, 'schema');

/** Each subgraph's SDL, built from its type-graphql classes, with the URL it has when run as its own process. */
export async function subgraphSources(): Promise<SubgraphSource[]> {
  const subgraphs = await createSubgraphs(NO_PORTS);
  return SUBGRAPHS.map((entry, index) => ({ name: entry.name, url: `http://127.0.0.1:${entry.port}/graphql`, sdl: subgraphs[index]!.sdl }));
}

/** The files `npm run compose` writes: schema/<subgraph>.graphql and schema/supergraph.graphql. */
export async function schemaFiles(): Promise<Map<string, string>> {
  const sources = await subgraphSources();
  const files = new Map<string, string>();
  for (const source of sources) files.set(path.join(SCHEMA_DIR, `${source.name}.graphql`), source.sdl);
  files.set(path.join(SCHEMA_DIR, 'supergraph.graphql'), `${composeSupergraph(sources).trimEnd()}\n`);
  return files;
}
