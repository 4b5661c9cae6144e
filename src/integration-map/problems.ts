import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';

/**
 * Internal to src/integration-map: turning what went wrong into lines a person can act on,
 * "<file>:<line>: <place>: <what>", e.g. "schema/integration-map.yaml:57: systems.crm.timeout: unknown key (did you
 * mean timeoutMs?)". The place is the dotted path of keys in the file; the line is where that key is written.
 */

export type PathSegment = string | number;

/** A YAML file read, with what is needed to point at its lines. */
export interface SourceFile {
  /** As shown in messages: relative to the working directory when below it. */
  readonly shown: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** Collects problems of one file; each one is a finished line of the final message. */
export class Problems {
  readonly lines: string[] = [];

  add(source: SourceFile | string, place: readonly PathSegment[], message: string): void {
    const shown = typeof source === 'string' ? source : source.shown;
    const line = typeof source === 'string' ? undefined : lineOf(source, place);
    const where = place.length ? `${placeOf(place)}: ` : '';
    this.lines.push(`${shown}${line === undefined ? '' : `:${line}`}: ${where}${message}`);
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }
}

/** A file name as a person in the repository would type it. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

/** `systems.crm.auth.clientId`, `entities.Order.fields.status.followers[0]`. */
export function placeOf(place: readonly PathSegment[]): string {
  return place
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const plain = /^[A-Za-z0-9_-]+$/.test(segment) ? segment : JSON.stringify(segment);
      return index === 0 ? plain : `.${plain}`;
    })
    .join('');
}

/**
 * Parses one YAML file. Syntax errors and duplicate keys (YAML would silently keep only one of them) are added to
 * `problems`; the answer is undefined when there were any.
 */
export function parseYaml(file: string, text: string, problems: Problems): SourceFile | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const source: SourceFile = { shown: shownPath(file), doc, lines };
  const before = problems.lines.length;
  let syntaxReported = false;
  for (const error of doc.errors) {
    const offset = error.pos[0];
    const line = lines.linePos(offset).line;
    const found = error.code === 'DUPLICATE_KEY' ? duplicateAt(doc, offset) : undefined;
    if (found) {
      const first = lines.linePos(found.firstOffset).line;
      problems.lines.push(
        `${source.shown}:${line}: ${placeOf(found.place)}: written twice (first at line ${first}); YAML keeps only one, so write each key once`,
      );
    } else if (!syntaxReported) {
      // After the first syntax error the parser's further complaints are mostly echoes of it.
      syntaxReported = true;
      problems.lines.push(`${source.shown}:${line}: ${error.message.split('\n')[0]}`);
    }
  }
  return problems.lines.length === before ? source : undefined;
}

/** Where a key at `offset` sits, and where the same key was first written in its mapping. */
function duplicateAt(doc: Document.Parsed, offset: number): { place: PathSegment[]; firstOffset: number } | undefined {
  const visit = (node: unknown, place: PathSegment[]): { place: PathSegment[]; firstOffset: number } | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyOf(pair.key);
        const range = (pair.key as YamlNode | null)?.range;
        if (range && range[0] === offset && key !== undefined) {
          const first = node.items.find((other) => keyOf(other.key) === key);
          return { place: [...place, key], firstOffset: (first?.key as YamlNode | null)?.range?.[0] ?? offset };
        }
        const inner = key === undefined ? undefined : visit(pair.value, [...place, key]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const inner = visit(item, [...place, index]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return visit(doc.contents, []);
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** The line of the deepest key of `place` that the file has (the whole place when it exists). */
function lineOf(source: SourceFile, place: readonly PathSegment[]): number | undefined {
  let node: unknown = source.doc.contents;
  let offset = (node as YamlNode | null)?.range?.[0];
  for (const segment of place) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyOf(item.key) === String(segment));
      if (!pair) break;
      offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      offset = (node as YamlNode).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : source.lines.linePos(offset).line;
}

/** One issue of a zod validation, before it becomes a line. */
interface Finding {
  readonly place: readonly PathSegment[];
  readonly message: string;
  /** For an unknown key: the known key it probably meant. */
  readonly meant?: string;
}

/**
 * Validates parsed YAML with a zod schema; each issue becomes a problem. Strict objects report unknown keys one by one,
 * with the nearest known key as a suggestion (and then the "missing" of that key is not reported again).
 */
export function validate<S extends z.ZodType>(schema: S, source: SourceFile, problems: Problems): z.output<S> | undefined {
  const knownKeys = new Map<string, readonly string[]>();
  let data: unknown;
  try {
    data = source.doc.toJS();
  } catch (error) {
    // e.g. an alias that expands beyond the parser's limit
    problems.add(source, [], error instanceof Error ? error.message : String(error));
    return undefined;
  }
  const result = schema.safeParse(data, {
    error: (issue) => {
      // zod hands the strict object that refused a key to the error map only; remember its keys for the suggestion.
      if (issue.code === 'unrecognized_keys') {
        const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
        if (shape) knownKeys.set(JSON.stringify(issue.path ?? []), Object.keys(shape));
      }
      // Only here is the input still at hand: a key left out is "missing", whatever type it should have had.
      if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'missing';
      return undefined;
    },
  });
  if (result.success) return result.data;
  const findings = result.error.issues.flatMap((issue) => findingsOf(issue, [], knownKeys));
  const meant = new Set(findings.flatMap((finding) => (finding.meant ? [JSON.stringify([...finding.place.slice(0, -1), finding.meant])] : [])));
  for (const finding of findings) {
    if (finding.message === 'missing' && meant.has(JSON.stringify(finding.place))) continue;
    problems.add(source, finding.place, finding.message);
  }
  return undefined;
}

function findingsOf(issue: z.core.$ZodIssue, prefix: readonly PathSegment[], knownKeys: ReadonlyMap<string, readonly string[]>): Finding[] {
  const place = [...prefix, ...(issue.path as PathSegment[])];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys.get(JSON.stringify(place)) ?? [];
      return issue.keys.map((key) => {
        const near = nearest(key, known);
        const hint = near ? ` (did you mean ${near}?)` : known.length ? ` (expected: ${known.join(', ')})` : '';
        return { place: [...place, key], message: `unknown key${hint}`, ...(near ? { meant: near } : {}) };
      });
    }
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const options = (issue as { options?: readonly unknown[] }).options ?? [];
        return [{ place, message: `expected one of ${options.map(String).join(', ')}` }];
      }
      // Of the alternatives, the one whose shape matches (its errors are deeper than "wrong type") says what is wrong.
      const matching = issue.errors.filter((branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (matching.length === 1) return matching[0]!.flatMap((inner) => findingsOf(inner, place, knownKeys));
      return [{ place, message: issue.message }];
    }
    case 'invalid_key':
      return [{ place, message: issue.issues[0]?.message ?? issue.message }];
    case 'invalid_type': {
      const received = /received (\w+)$/.exec(issue.message)?.[1];
      if (received === 'undefined' || issue.message === 'missing') return [{ place, message: 'missing' }];
      // A schema's own message (a literal secret) says more than the type names.
      if (!issue.message.startsWith('Invalid input')) return [{ place, message: issue.message }];
      return [{ place, message: `expected ${typeWord(issue.expected)}${received ? `, found ${typeWord(received)}` : ''}` }];
    }
    case 'invalid_value':
      if (issue.message === 'missing') return [{ place, message: 'missing' }];
      return [{ place, message: `expected one of ${issue.values.map(String).join(', ')}` }];
    default:
      return [{ place, message: issue.message }];
  }
}

/** zod's type names in the words of someone who writes YAML. */
function typeWord(type: string): string {
  const words: Record<string, string> = {
    object: 'a mapping (key: value)',
    record: 'a mapping (key: value)',
    array: 'a list',
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    null: 'nothing',
  };
  return words[type] ?? type;
}

/** The known name closest to a misspelt one, when it is close enough to be what was meant. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const distance = other.startsWith(lower) || lower.startsWith(other) ? 1 : editDistance(lower, other);
    if (distance <= Math.max(2, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
