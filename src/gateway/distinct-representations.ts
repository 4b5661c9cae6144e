import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

/**
 * An entity fetch that names each entity once. Apollo Gateway sends a subgraph one representation per place an entity
 * sits in the answer: a product under every review of it, an author under every review they wrote, so a deep query
 * asks for the same entity many times over. Here the representations are folded to the distinct ones before the
 * fetch, and the subgraph's answer is spread back over every place they came from, errors included, so that the
 * gateway sees exactly the answer it asked for. Internal to src/gateway.
 */
export interface EntityFetch {
  /** The variables to send: the same object when there was nothing to fold. */
  readonly variables: Record<string, unknown> | undefined;
  /** The subgraph's answer to `variables`, as the gateway's own variables would have had it. */
  spread(answer: GatewayGraphQLResponse): GatewayGraphQLResponse;
}

const AS_SENT: EntityFetch = { variables: undefined, spread: (answer) => answer };

export function foldRepresentations(variables: Record<string, unknown> | undefined): EntityFetch {
  const representations = variables?.['representations'];
  if (!Array.isArray(representations) || representations.length < 2) return { ...AS_SENT, variables };
  // The gateway builds every representation from the same selection, so one entity's always prints the same.
  const slotOf = new Map<string, number>();
  const distinct: unknown[] = [];
  const slots = representations.map((representation: unknown) => {
    const key = JSON.stringify(representation);
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = distinct.push(representation) - 1;
      slotOf.set(key, slot);
    }
    return slot;
  });
  if (distinct.length === representations.length) return { ...AS_SENT, variables };
  return { variables: { ...variables, representations: distinct }, spread: (answer) => spreadAnswer(answer, slots, distinct.length) };
}

function spreadAnswer(answer: GatewayGraphQLResponse, slots: readonly number[], distinct: number): GatewayGraphQLResponse {
  // Errors name the distinct entity they are about; each goes to every place that entity came from, whatever the data.
  const errors = answer.errors?.flatMap((error) => {
    const [head, slot, ...rest] = error.path ?? [];
    const places = head === '_entities' && typeof slot === 'number' ? slots.flatMap((of, index) => (of === slot ? [index] : [])) : [];
    return places.length ? places.map((index) => ({ ...error, path: ['_entities', index, ...rest] })) : [error];
  });
  const spread = { ...answer, ...(errors ? { errors } : {}) };
  const entities = answer.data?.['_entities'];
  // Data of another shape is left for the gateway to refuse, as it would refuse it unfolded.
  if (!Array.isArray(entities) || entities.length !== distinct) return spread;
  const used = new Array<boolean>(distinct).fill(false);
  const spreadEntities = slots.map((slot) => {
    const entity: unknown = entities[slot];
    // Every place gets an object of its own: the gateway merges later fetches into each place separately.
    if (used[slot]) return copyJson(entity);
    used[slot] = true;
    return entity;
  });
  return { ...spread, data: { ...answer.data, _entities: spreadEntities } };
}

/** A deep copy of a JSON value (what a subgraph answers). */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy;
}
