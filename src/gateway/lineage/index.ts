import type { ApolloServerPlugin } from '@apollo/server';
import { LINEAGE_HEADER, lineageAsked, type LineageOf } from '../../truth/lineage';

export { LINEAGE_HEADER, lineageAsked };

/** One value's lineage in `extensions.lineage`, its path as the client's ("customers.nodes.0.segment"). */
export type LineageEntry = LineageOf<string>;

type ResponsePath = readonly (string | number)[];
type SubgraphEntry = Omit<LineageEntry, 'path'> & { readonly path: ResponsePath };

/** One subgraph fetch's lineage, kept until the answer is complete. */
interface FetchLineage {
  /** Where the fetch's answer sits in the client's ("@" = every item of a list); empty for a root fetch. */
  readonly at: ResponsePath;
  /** For an entity fetch: each representation the gateway asked for, the index of its entity in the subgraph's answer. */
  readonly slots?: readonly number[];
  readonly entries: readonly SubgraphEntry[];
}

const fetchesOf = new WeakMap<object, FetchLineage[]>();

/**
 * Keeps what a subgraph's answer says of its values' lineage (its `extensions.lineage`), for the client's answer.
 * `sent` are the representations the gateway's plan asked for, `folded` those sent (see distinct-representations.ts).
 * Costs one property read for a request that did not ask.
 */
export function collectLineage(
  extensions: Record<string, unknown> | undefined,
  context: object,
  at: ResponsePath | undefined,
  sent: Record<string, unknown> | undefined,
  folded: Record<string, unknown> | undefined,
): void {
  const entries = extensions?.['lineage'];
  if (!Array.isArray(entries) || entries.length === 0) return;
  const representations = sent?.['representations'];
  const distinct = folded?.['representations'];
  let slots: number[] | undefined;
  if (Array.isArray(representations)) {
    const slotOf = new Map<string, number>();
    (Array.isArray(distinct) ? distinct : representations).forEach((representation: unknown, index) => {
      const key = JSON.stringify(representation);
      if (!slotOf.has(key)) slotOf.set(key, index);
    });
    slots = representations.map((representation: unknown) => slotOf.get(JSON.stringify(representation)) ?? -1);
  }
  const list = fetchesOf.get(context) ?? [];
  list.push({ at: at ?? [], ...(slots ? { slots } : {}), entries: entries as SubgraphEntry[] });
  fetchesOf.set(context, list);
}

/** The lineage of every value of the client's answer, in the order of the answer. */
export function lineageOf(context: object, data: unknown): LineageEntry[] {
  const fetches = fetchesOf.get(context);
  if (!fetches) return [];
  const byPath = new Map<string, SubgraphEntry>();
  const place = (path: ResponsePath, entry: SubgraphEntry) => {
    const key = path.join('.');
    if (!byPath.has(key)) byPath.set(key, entry);
  };
  for (const fetch of fetches) {
    if (!fetch.slots) {
      for (const entry of fetch.entries) place([...fetch.at.filter((step) => step !== '@'), ...entry.path], entry);
      continue;
    }
    // The entities of a fetch are, in order, the objects at its path (nulls skipped), as the gateway's plan collected
    // them; an answer whose shape changed since (a null that bubbled up) cannot be matched, and is left out.
    const objects = objectsAt(data, fetch.at);
    if (objects.length !== fetch.slots.length) continue;
    const bySlot = new Map<number, SubgraphEntry[]>();
    for (const entry of fetch.entries) {
      const [head, slot] = entry.path;
      if (head !== '_entities' || typeof slot !== 'number') continue;
      const list = bySlot.get(slot);
      if (list) list.push(entry);
      else bySlot.set(slot, [entry]);
    }
    fetch.slots.forEach((slot, index) => {
      for (const entry of bySlot.get(slot) ?? []) place([...objects[index]!, ...entry.path.slice(2)], entry);
    });
  }
  const out: LineageEntry[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value) && value.some(isObject)) return value.forEach((element, index) => walk(element, [...path, index]));
    if (isObject(value)) {
      for (const [name, child] of Object.entries(value)) walk(child, [...path, name]);
      return;
    }
    const key = path.join('.');
    const entry = byPath.get(key);
    if (entry) out.push({ ...entry, path: key });
  };
  walk(data, []);
  return out;
}

/** The concrete paths of the non-null objects at a plan's path ("@" = every item of a list), in order. */
function objectsAt(data: unknown, at: ResponsePath): (string | number)[][] {
  const found: (string | number)[][] = [];
  const visit = (value: unknown, rest: ResponsePath, path: (string | number)[]) => {
    if (value === null || value === undefined) return;
    if (rest.length === 0) {
      if (Array.isArray(value)) value.forEach((element, index) => visit(element, rest, [...path, index]));
      else if (isObject(value)) found.push(path);
      return;
    }
    const [step, ...next] = rest;
    if (step === '@') {
      if (Array.isArray(value)) value.forEach((element, index) => visit(element, next, [...path, index]));
      return;
    }
    if (isObject(value)) visit(value[step as string], next, [...path, step!]);
  };
  visit(data, at, []);
  return found;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Puts the lineage the subgraphs told into the client's `extensions.lineage`, for a request that asked. */
export function lineageExtensionsPlugin(): ApolloServerPlugin<{ readonly headers?: Readonly<Record<string, unknown>> }> {
  return {
    async requestDidStart({ contextValue }) {
      if (!lineageAsked(contextValue.headers)) return {};
      return {
        async willSendResponse({ response, contextValue: context }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, lineage: lineageOf(context, result.data) };
        },
      };
    },
  };
}
