import { z } from 'zod';

/** The fault switch every sandbox has: `POST /_sandbox/faults`. */
export const faultSettingSchema = z
  .object({
    mode: z.enum(['ok', 'down', 'slow', 'garbage', 'ratelimit', 'flaky']),
    /** For `slow`: how long each answer is held back. */
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** For `flaky`: the chance that a request fails. */
    probability: z.number().min(0).max(1).optional(),
    /** For `ratelimit`: the Retry-After the sandbox announces, in seconds. */
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /**
     * For `garbage`: which nonsense. Unset: malformed and wrong-shaped answers in turn. `xxe`: the answer carries a
     * DOCTYPE declaring an external entity (file:///etc/passwd) and uses it; `billion-laughs`: a DOCTYPE of entities
     * that each expand to ten of the one before, used once; `oversized`: the answer padded with trailing whitespace to
     * `sizeBytes` (still well-formed, only too large).
     */
    variant: z.enum(['xxe', 'billion-laughs', 'oversized']).optional(),
    /** For `garbage` with `variant: oversized`: the size of each answer, in bytes. @default 8 MiB */
    sizeBytes: z.number().int().min(1).max(64 * 1024 * 1024).optional(),
  })
  .strict();

export type FaultSetting = z.infer<typeof faultSettingSchema>;

export const NO_FAULT: FaultSetting = { mode: 'ok' };

export type GarbageVariant = NonNullable<FaultSetting['variant']>;

/** What the sandbox does with one request under the current setting. */
export type FaultDecision =
  | { readonly kind: 'pass' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'garble'; readonly variant?: GarbageVariant; readonly sizeBytes?: number }
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
  | { readonly kind: 'unavailable' };

export function decideFault(setting: FaultSetting, random: () => number = Math.random): FaultDecision {
  switch (setting.mode) {
    case 'ok':
      return { kind: 'pass' };
    case 'down':
      return { kind: 'reset' };
    case 'slow':
      return { kind: 'delay', ms: setting.delayMs ?? 5_000 };
    case 'garbage':
      return {
        kind: 'garble',
        ...(setting.variant ? { variant: setting.variant } : {}),
        ...(setting.sizeBytes ? { sizeBytes: setting.sizeBytes } : {}),
      };
    case 'ratelimit':
      return { kind: 'rate-limit', retryAfterSeconds: setting.retryAfterSeconds ?? 1 };
    case 'flaky':
      return random() < (setting.probability ?? 0.5) ? { kind: 'unavailable' } : { kind: 'pass' };
    default: {
      const unreachable: never = setting.mode;
      throw new Error(`unknown fault mode ${String(unreachable)}`);
    }
  }
}

/** An external entity: a parser that expands it reads a file of the machine it runs on (XXE). */
const XXE_DTD = '<!DOCTYPE Answer [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
/** Ten levels of entities, each ten of the one before: 10^9 "lol"s (3 GB) from one reference. */
const BILLION_LAUGHS_DTD = `<!DOCTYPE Answer [<!ENTITY lol0 "lol">${Array.from(
  { length: 9 },
  (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`,
).join('')}]>`;

/**
 * Turns a good answer into garbage. Without a variant it alternates between the two kinds real systems send: a
 * malformed body (cut off mid-way) and a well-formed body of the wrong shape (every scalar's type flipped). A variant
 * makes it hostile instead: a DTD with an external entity or an entity bomb, or a body far larger than it should be.
 */
export function garble(body: string, contentType: string, nth: number, variant?: GarbageVariant, sizeBytes = 8 * 1024 * 1024): string {
  switch (variant) {
    case 'xxe':
      return withDtd(body, XXE_DTD, '&xxe;');
    case 'billion-laughs':
      return withDtd(body, BILLION_LAUGHS_DTD, '&lol9;');
    case 'oversized':
      return body + ' '.repeat(Math.max(0, sizeBytes - Buffer.byteLength(body)));
    case undefined:
      break;
    default: {
      const unreachable: never = variant;
      throw new Error(`unknown garbage variant ${String(unreachable)}`);
    }
  }
  if (nth % 2 === 1 || !contentType.includes('json')) {
    return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
  }
  try {
    return JSON.stringify(flipTypes(JSON.parse(body)));
  } catch {
    return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
  }
}

function flipTypes(value: unknown): unknown {
  if (Array.isArray(value)) return { items: value.map(flipTypes) };
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 'yes' : 'no';
    case 'object':
      return Object.fromEntries(Object.entries(value as object).map(([key, inner]) => [key, flipTypes(inner)]));
    default:
      return value;
  }
}

/** The body with a DTD after its XML declaration (or at its start) and the entity used as the first element's text. */
function withDtd(body: string, dtd: string, reference: string): string {
  const declaration = /^<\?xml[^>]*\?>/.exec(body)?.[0] ?? '';
  const rest = body.slice(declaration.length);
  const used = rest.replace(/>([^<]+)</, `>${reference}<`);
  return `${declaration}${dtd}${used === rest ? `<Answer>${reference}</Answer>` : used}`;
}
