import { flowsOf, possibleOwners } from '../domain/source-of-truth';
import type { LoadedIntegrationMap } from './load';

/**
 * Internal to src/integration-map: the wires the rendered map draws. `sync`: the owner's changes are copied to a
 * follower (owner wins); `bidirectional`: both sides change the fields (latest timestamp wins, with audit); `read`:
 * nobody keeps a copy, the site reads the owner live through the graph.
 */
export type WireStyle = 'sync' | 'bidirectional' | 'read';

export interface Wire {
  readonly entity: string;
  readonly from: string;
  readonly to: string;
  readonly fields: readonly string[];
  readonly style: WireStyle;
}

/** The system the map is drawn around: the site's own store, else the first system. */
export function hubOf({ map }: LoadedIntegrationMap): string {
  const names = Object.keys(map.systems);
  return names.find((name) => map.systems[name]?.kind === 'site-store') ?? names[0] ?? '';
}

export function wiresOf(loaded: LoadedIntegrationMap): Wire[] {
  const hub = hubOf(loaded);
  const wires: Wire[] = flowsOf(loaded.matrix).map((flow) => ({
    entity: flow.entity,
    from: flow.owner,
    to: flow.follower,
    fields: flow.fields,
    style: flow.direction === 'bidirectional' ? 'bidirectional' : 'sync',
  }));
  for (const [entity, rules] of Object.entries(loaded.matrix.entities)) {
    const readLive = new Map<string, string[]>();
    for (const [field, rule] of Object.entries(rules.fields)) {
      if (rule.followers.length > 0) continue;
      for (const owner of possibleOwners(rule.owner)) {
        if (owner !== hub) readLive.set(owner, [...(readLive.get(owner) ?? []), field]);
      }
    }
    for (const [owner, fields] of readLive) wires.push({ entity, from: owner, to: hub, fields, style: 'read' });
  }
  return wires;
}

/** A colour per entity, in matrix order, readable on white and distinct from one another. */
const PALETTE = ['#1f6feb', '#d9480f', '#2b8a3e', '#7048e8', '#a61e4d', '#0b7285', '#5c940d', '#e67700'];

export function entityColours({ matrix }: LoadedIntegrationMap): ReadonlyMap<string, string> {
  return new Map(Object.keys(matrix.entities).map((entity, index) => [entity, PALETTE[index % PALETTE.length]!]));
}
