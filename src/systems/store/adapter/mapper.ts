import { money, type Customer, type Order, type OrderLine } from '../../../domain';
import { fromAddressColumn } from '../../../db/address-column';
import type { CustomerRow, OrderLineRow, OrderRow } from './schema';

/** Our rows -> the domain. The columns already speak our vocabulary; money is minor units plus currency. */
export function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    address: fromAddressColumn(row.shippingAddress),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toOrder(row: OrderRow, lines: readonly OrderLineRow[]): Order {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer,
    status: row.status,
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
    lines: [...lines].sort((a, b) => a.position - b.position).map(toOrderLine),
    total: money(row.totalMinor, row.currency),
  };
}

function toOrderLine(row: OrderLineRow): OrderLine {
  return { sku: row.sku, quantity: row.quantity, unitPrice: money(row.unitPriceMinor, row.currency) };
}
