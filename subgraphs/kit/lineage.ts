import type { ReadWitness, WitnessedRead } from '../../src/resilience';
import type { LineageOf, MatrixChoice, MatrixChoices } from '../../src/truth/lineage';

export { LINEAGE_HEADER, lineageAsked } from '../../src/truth/lineage';

/** One value's lineage as a subgraph reports it, on the subgraph's own response path. */
export type SubgraphLineageEntry = LineageOf<readonly (string | number)[]>;

/**
 * What one request that asked for lineage was served: every read the resilience layer served it (the witness), and
 * every choice the matrix made (src/truth). Turned into per-field lineage once the answer is complete.
 */
export class LineageReport implements ReadWitness, MatrixChoices {
  private readonly readsByKey = new Map<string, WitnessedRead[]>();
  private readonly lastReadOf = new Map<string, WitnessedRead>();
  private readonly choices = new Map<string, MatrixChoice>();

  saw(read: WitnessedRead): void {
    const list = this.readsByKey.get(read.key);
    if (list) list.push(read);
    else this.readsByKey.set(read.key, [read]);
    this.lastReadOf.set(read.system, read);
  }

  chose(choice: MatrixChoice): void {
    this.choices.set(`${choice.entityId}\u0000${choice.field}`, choice);
  }

  /**
   * The lineage of every value of a subgraph's answer. `home` is the system the subgraph serves by default (its
   * name, for all but the couriers, whose objects name their `carrier`); `representations` are an entity fetch's.
   */
  entries(options: { readonly data: unknown; readonly home: string | undefined; readonly representations?: readonly unknown[]; readonly now?: Date }): SubgraphLineageEntry[] {
    const now = options.now ?? new Date();
    const out: SubgraphLineageEntry[] = [];
    const emit = (path: (string | number)[], field: string, context: Context) => {
      const choice = this.choiceFor(field, context.keys);
      // A value no object names the system of (a courier's empty list of shipments) was served by every system read.
      const together = choice || context.carrier || options.home || this.anyReadOf(context.keys) ? undefined : [...this.lastReadOf.keys()];
      const system = choice?.system ?? context.carrier ?? options.home ?? this.anyReadOf(context.keys)?.system ?? together?.[0];
      if (!system) return;
      const read = this.readFor(system, context.keys);
      const fetchedAt = read?.fetchedAt ?? now;
      out.push({
        path,
        system,
        ...(read ? { operation: read.operation } : {}),
        fetchedAt: fetchedAt.toISOString(),
        cacheAgeMs: read?.fromCache ? Math.max(0, now.getTime() - fetchedAt.getTime()) : 0,
        fromCache: read?.fromCache ?? false,
        stale: read?.stale ?? false,
        ...(read?.stale ? { asOf: fetchedAt.toISOString() } : {}),
        ...(choice ? { rule: choice.rule, overrode: choice.losers } : {}),
        ...(together && together.length > 1 ? { systems: together } : {}),
      });
    };
    const walk = (value: unknown, path: (string | number)[], field: string, context: Context, entity?: unknown) => {
      if (Array.isArray(value) && value.some(isObject)) {
        value.forEach((element, index) => walk(element, [...path, index], field, context, path[0] === '_entities' && path.length === 1 ? options.representations?.[index] : undefined));
        return;
      }
      if (!isObject(value)) return emit(path, field, context);
      const keys = [...keysOf(value), ...keysOf(entity), ...context.keys];
      const carrier = typeof value['carrier'] === 'string' ? value['carrier'] : context.carrier;
      const inner: Context = { keys, carrier };
      for (const [name, child] of Object.entries(value)) {
        if (name !== '__typename') walk(child, [...path, name], name, inner);
      }
    };
    if (isObject(options.data)) {
      for (const [name, child] of Object.entries(options.data)) walk(child, [name], name, { keys: [], carrier: undefined });
    }
    return out;
  }

  private choiceFor(field: string, keys: readonly string[]): MatrixChoice | undefined {
    // The matrix settles an order's status and updatedAt together (src/truth: latest timestamp wins).
    const asked = field === 'updatedAt' ? ['updatedAt', 'status'] : [field];
    for (const key of keys.slice(0, 1)) {
      for (const name of asked) {
        const choice = this.choices.get(`${key}\u0000${name}`);
        if (choice) return choice;
      }
    }
    return undefined;
  }

  /** The read of `system` nearest the value: by the nearest key that system was read by, else its last read. */
  private readFor(system: string, keys: readonly string[]): WitnessedRead | undefined {
    for (const key of keys) {
      const found = this.readsByKey.get(key)?.find((read) => read.system === system);
      if (found) return found;
    }
    return this.lastReadOf.get(system);
  }

  private anyReadOf(keys: readonly string[]): WitnessedRead | undefined {
    for (const key of keys) {
      const found = this.readsByKey.get(key)?.[0];
      if (found) return found;
    }
    return undefined;
  }
}

interface Context {
  /** Keys of the objects around the value, nearest first (ids, SKUs): what the systems were read by. */
  readonly keys: readonly string[];
  /** The system a courier's object names as its carrier. */
  readonly carrier: string | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The keys an object carries that a system may have been read by. */
function keysOf(value: unknown): string[] {
  if (!isObject(value)) return [];
  const keys: string[] = [];
  for (const name of KEY_FIELDS) {
    const key = value[name];
    if (typeof key === 'string' || typeof key === 'number') keys.push(String(key));
  }
  return keys;
}
const KEY_FIELDS = ['id', 'sku', 'orderId', 'customerId'] as const;

/** The system a subgraph serves by default: its own name, but for those whose objects name theirs. */
export function homeSystemOf(subgraph: string): string | undefined {
  return NO_HOME.has(subgraph) ? undefined : subgraph;
}
const NO_HOME = new Set(['couriers', 'writes']);
