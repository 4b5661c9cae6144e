import { formatDecimal, money, moneyFromDecimal, sumMoney } from '../../src/domain';

describe('money', () => {
  it.each([
    ['12.30', 1230],
    ['12.3', 1230],
    ['0.005', 1],
    ['0.004', 0],
    ['-4.20', -420],
    ['1999', 199900],
  ])('reads %s as %d minor units', (text, minor) => {
    expect(moneyFromDecimal(text, 'eur')).toEqual({ minor, currency: 'EUR' });
  });

  it('reads floats the way a vendor sends them without binary noise', () => {
    expect(moneyFromDecimal(0.1 + 0.2, 'EUR').minor).toBe(30);
    expect(moneyFromDecimal(19.99, 'EUR').minor).toBe(1999);
  });

  it('formats with the currency precision', () => {
    expect(formatDecimal(money(5, 'EUR'))).toBe('0.05');
    expect(formatDecimal(money(-1230, 'EUR'))).toBe('-12.30');
    expect(formatDecimal(money(1230, 'JPY'))).toBe('1230');
  });

  it('refuses what is not an amount, and mixed currencies', () => {
    expect(() => moneyFromDecimal('12,30', 'EUR')).toThrow(RangeError);
    expect(() => sumMoney([money(1, 'EUR'), money(1, 'USD')], 'EUR')).toThrow(/USD/);
  });
});
