/** What a token may allow beyond reading: one scope per area a mutation writes to. */
export const SCOPES = ['customers:write', 'orders:write', 'inventory:write'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
