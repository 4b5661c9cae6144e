import { money, type Customer, type Order, type OrderLine } from '../../../domain';
import { fromAddressColumn } from '../../../db/address-column';
import type { Row, RowCheck } from './schema';

/** Our rows -> the domain. The columns already speak our vocabulary; money is minor units plus currency. */
export function toCustomer(check: RowCheck, row: Row): Customer {
  return {
    id: check.text('customers', row, 'id'),
    email: check.text('customers', row, 'email'),
    name: check.text('customers', row, 'name'),
    phone: check.nullableText('customers', row, 'phone'),
    address: fromAddressColumn(check.nullableText('customers', row, 'shipping_address')),
    createdAt: check.date('customers', row, 'created_at'),
    updatedAt: check.date('customers', row, 'updated_at'),
  };
}

/** An order row of sql.ts, with its lines folded into its `lines` column. */
export function toOrder(check: RowCheck, row: Row): Order {
  return {
    id: check.text('orders', row, 'id'),
    number: check.text('orders', row, 'number'),
    customerId: check.text('orders', row, 'customer_id'),
    status: check.status('orders', row, 'status'),
    placedAt: check.date('orders', row, 'placed_at'),
    updatedAt: check.date('orders', row, 'updated_at'),
    lines: toOrderLines(check, check.array('order_lines', row, 'lines')),
    total: money(check.whole('orders', row, 'total_minor'), check.currencyOf('orders', 'currency', row.currency)),
  };
}

/** [position, sku, quantity, unit_price_minor, currency] each, as sql.ts folds them, in position order. */
function toOrderLines(check: RowCheck, folded: readonly unknown[]): OrderLine[] {
  const lines: { position: number; line: OrderLine }[] = [];
  let sorted = true;
  for (const item of folded) {
    if (!Array.isArray(item) || item.length !== 5) throw check.wrong('order_lines', 'lines', 'lines of five columns', 'another shape');
    const [position, sku, quantity, unitPriceMinor, currency] = item as unknown[];
    const at = check.wholeOf('order_lines', 'position', position);
    if (lines.length > 0 && at < lines[lines.length - 1]!.position) sorted = false;
    lines.push({
      position: at,
      line: {
        sku: check.textOf('order_lines', 'sku', sku),
        quantity: check.wholeOf('order_lines', 'quantity', quantity),
        unitPrice: money(check.wholeOf('order_lines', 'unit_price_minor', unitPriceMinor), check.currencyOf('order_lines', 'currency', currency)),
      },
    });
  }
  // SQLite's json_group_array keeps the order it reads the rows in (the primary key's, in practice), not a promised one.
  if (!sorted) lines.sort((a, b) => a.position - b.position);
  return lines.map((entry) => entry.line);
}
