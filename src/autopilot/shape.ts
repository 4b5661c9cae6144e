/**
 * Internal to src/autopilot: the shape of an answer (which fields it has, and of which JSON type), and how a new
 * answer's shape differs from the shape seen so far. Field paths are dotted, with `[]` for the elements of a list:
 * `results[].properties.email`.
 */

export type ValueKind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** The fields of one answer: each path with the kinds of value seen there (a list's elements may differ). */
export type Shape = ReadonlyMap<string, ReadonlySet<ValueKind>>;

/** One way an answer's shape differs from the shape seen before. */
export interface ShapeChange {
  readonly field: string;
  /** `appeared`, `disappeared`, `type number → string`, `renamed from <field>`. */
  readonly change: string;
}

/** Bounds on the work one answer may cost: deeper fields, further list elements and more fields are not looked at. */
const MAX_DEPTH = 12;
const MAX_ELEMENTS = 50;
const MAX_FIELDS = 2_000;

const ROOT = '$';
/**
 * Answers seen before a field that comes or goes on its own counts as news: the first answers teach which fields are
 * optional (a field absent from one of them is never "always there"). A rename or a type change is news at once.
 */
const SETTLED_AFTER_SAMPLES = 5;

function kindOf(value: unknown): ValueKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const kind = typeof value;
  return kind === 'string' || kind === 'number' || kind === 'boolean' ? kind : 'object';
}

/** The shape of a parsed JSON answer. */
export function shapeOf(value: unknown): Shape {
  const shape = new Map<string, Set<ValueKind>>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (shape.size >= MAX_FIELDS && !shape.has(path)) return;
    const kind = kindOf(node);
    let kinds = shape.get(path);
    if (!kinds) shape.set(path, (kinds = new Set()));
    kinds.add(kind);
    if (depth >= MAX_DEPTH) return;
    if (kind === 'array') {
      for (const element of (node as unknown[]).slice(0, MAX_ELEMENTS)) visit(element, `${path}[]`, depth + 1);
    } else if (kind === 'object') {
      for (const [key, inner] of Object.entries(node as Record<string, unknown>)) visit(inner, path === ROOT ? key : `${path}.${key}`, depth + 1);
    }
  };
  visit(value, ROOT, 0);
  return shape;
}

/** The path a field sits under (`$` for a top-level field). */
function parentOf(path: string): string {
  if (path.endsWith('[]')) return path.slice(0, -2) || ROOT;
  const dot = path.lastIndexOf('.');
  return dot < 0 ? ROOT : path.slice(0, dot);
}

/**
 * Whether an answer lacks a field it could have had: its parent is there as an object. An empty list has no elements
 * to lack anything, and a null parent has no fields.
 */
function missingFrom(shape: Shape, path: string): boolean {
  return !path.endsWith('[]') && !shape.has(path) && (shape.get(parentOf(path))?.has('object') ?? false);
}

const withoutNull = (kinds: ReadonlySet<ValueKind>): ValueKind[] => [...kinds].filter((kind) => kind !== 'null').sort();

/**
 * What an operation's answers looked like so far: every field with the kinds seen, and the fields every answer had
 * (whose absence is news; a field seen only sometimes is optional, and its absence is not).
 */
export class SeenShape {
  private readonly kinds = new Map<string, Set<ValueKind>>();
  private readonly always = new Set<string>();
  private samples = 0;

  /** How this answer's shape differs from what was seen; then folds it into what was seen. */
  compare(shape: Shape): ShapeChange[] {
    const changes = this.samples === 0 ? [] : this.differences(shape);
    this.fold(shape);
    return changes;
  }

  private differences(shape: Shape): ShapeChange[] {
    const appeared: string[] = [];
    const changes: ShapeChange[] = [];
    for (const [path, kinds] of shape) {
      const known = this.kinds.get(path);
      if (!known) {
        // Only the outermost new field: the fields of a new object are part of its news.
        if (this.kinds.has(parentOf(path))) appeared.push(path);
        continue;
      }
      // A null is no value at all: a field that was null and now has one (or the reverse) has not changed type.
      const before = withoutNull(known);
      const now = withoutNull(kinds).filter((kind) => !known.has(kind));
      if (before.length > 0 && now.length > 0) changes.push({ field: path, change: `type ${before.join('|')} → ${now.join('|')}` });
    }
    const disappeared = [...this.always].filter((path) => missingFrom(shape, path));
    // A field gone and another of the same kinds come under the same parent, in the same answer: renamed.
    for (const gone of disappeared) {
      const kinds = withoutNull(this.kinds.get(gone) ?? new Set()).join('|');
      const index = appeared.findIndex((path) => parentOf(path) === parentOf(gone) && withoutNull(shape.get(path) ?? new Set()).join('|') === kinds);
      if (index >= 0) {
        const [renamed] = appeared.splice(index, 1);
        changes.push({ field: renamed!, change: `renamed from ${gone}` });
      } else if (this.samples >= SETTLED_AFTER_SAMPLES) {
        changes.push({ field: gone, change: 'disappeared' });
      }
    }
    if (this.samples >= SETTLED_AFTER_SAMPLES) for (const path of appeared) changes.push({ field: path, change: 'appeared' });
    return changes;
  }

  private fold(shape: Shape): void {
    if (this.samples === 0) for (const path of shape.keys()) this.always.add(path);
    // A field stays "always there" while every answer that had its parent had it too.
    for (const path of [...this.always]) if (missingFrom(shape, path)) this.always.delete(path);
    for (const [path, kinds] of shape) {
      let known = this.kinds.get(path);
      if (!known) this.kinds.set(path, (known = new Set()));
      for (const kind of kinds) known.add(kind);
    }
    this.samples += 1;
  }
}
