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
  })
  .strict();

export type FaultSetting = z.infer<typeof faultSettingSchema>;

export const NO_FAULT: FaultSetting = { mode: 'ok' };

/** What the sandbox does with one request under the current setting. */
export type FaultDecision =
  | { readonly kind: 'pass' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'garble' }
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
      return { kind: 'garble' };
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

/**
 * Turns a good answer into garbage, alternating between the two kinds real systems send: a malformed body
 * (cut off mid-way) and a well-formed body of the wrong shape (every scalar's type flipped).
 */
export function garble(body: string, contentType: string, nth: number): string {
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
