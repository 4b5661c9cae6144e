import type { InventoryItem, Parcel, Weight, WeightUnit } from '../domain';

/** Grams per unit of each weight unit. */
const GRAMS: Readonly<Record<WeightUnit, number>> = { GRAM: 1, KILOGRAM: 1000, OUNCE: 28.349523125, POUND: 453.59237 };

export const toGrams = (weight: Weight): number => weight.value * GRAMS[weight.unit];

export interface ParcelRules {
  /** The packed weight of one unit of a SKU whose item carries none (the ERP knows no weight for it). @default 500 g */
  readonly defaultItemWeight?: Weight;
  /** The heaviest parcel: heavier orders are split into parcels of equal weight. @default 30 kg (most parcel carriers stop at 30-31.5 kg) */
  readonly maxParcelWeight?: Weight;
  /** The most parcels one shipment holds; past it, parcels grow heavier than the limit (and a carrier may refuse them). @default 99 */
  readonly maxParcels?: number;
}

export const DEFAULT_ITEM_WEIGHT: Weight = { value: 500, unit: 'GRAM' };
export const DEFAULT_MAX_PARCEL_WEIGHT: Weight = { value: 30, unit: 'KILOGRAM' };

/**
 * The parcels an order's lines make: their total weight (each unit at its item's weight, or the default) split into
 * as few parcels as the weight limit allows, of equal weight, in whole grams. Dimensions are unknown (null): the
 * domain keeps no box sizes yet, and carriers then price by weight.
 */
export function parcelsFor(
  lines: readonly { readonly sku: string; readonly quantity: number }[],
  items: ReadonlyMap<string, Pick<InventoryItem, 'weight'>>,
  rules: ParcelRules = {},
): Parcel[] {
  const fallback = toGrams(rules.defaultItemWeight ?? DEFAULT_ITEM_WEIGHT);
  const limit = toGrams(rules.maxParcelWeight ?? DEFAULT_MAX_PARCEL_WEIGHT);
  const total = lines.reduce((sum, line) => {
    const weight = items.get(line.sku)?.weight;
    return sum + line.quantity * (weight ? toGrams(weight) : fallback);
  }, 0);
  const count = Math.min(rules.maxParcels ?? 99, Math.max(1, Math.ceil(total / limit)));
  const each = Math.max(1, Math.ceil(total / count));
  return Array.from({ length: count }, () => ({ weight: { value: each, unit: 'GRAM' as const }, dimensions: null }));
}
