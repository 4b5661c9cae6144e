/**
 * Money in the domain is an integer count of minor units (cents) and an ISO 4217 currency code.
 * Integer minor units keep sums exact; adapters convert each system's representation (floats, decimal strings,
 * the payment gateway's minor units) at the boundary, and the graph renders a decimal string.
 */
export interface Money {
  /** Amount in minor units (e.g. cents). */
  readonly minor: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}

/** Minor-unit digits per currency; anything not listed has two. */
const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`money: ${minor} is not a whole number of minor units`);
  return { minor, currency: currency.toUpperCase() };
}

/** Parses a decimal ("12.30", 12.3) into minor units, rounding half away from zero at the currency's precision. */
export function moneyFromDecimal(amount: string | number, currency: string): Money {
  const digits = minorDigits(currency);
  const text = typeof amount === 'number' ? amount.toFixed(digits + 2) : amount.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`money: "${amount}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  const padded = (fraction + '0'.repeat(digits + 1)).slice(0, digits + 1);
  const scaled = Number(whole) * 10 ** digits + Number(padded.slice(0, digits) || '0');
  const rounded = scaled + (Number(padded[digits]) >= 5 ? 1 : 0);
  return money(sign === '-' ? -rounded : rounded, currency);
}

/** Renders minor units as a decimal string with the currency's precision: 1230 EUR -> "12.30". */
export function formatDecimal(value: Money): string {
  const digits = minorDigits(value.currency);
  const sign = value.minor < 0 ? '-' : '';
  const abs = Math.abs(value.minor);
  if (digits === 0) return `${sign}${abs}`;
  const text = String(abs).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export function sumMoney(values: readonly Money[], currency: string): Money {
  return values.reduce<Money>((total, value) => {
    if (value.currency !== total.currency) {
      throw new RangeError(`money: cannot add ${value.currency} to ${total.currency}`);
    }
    return money(total.minor + value.minor, total.currency);
  }, money(0, currency));
}
