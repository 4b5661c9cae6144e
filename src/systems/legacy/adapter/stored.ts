import type { Money, OrderStatus } from '../../../domain';
import { customerFingerprint, orderFingerprint, PLUGBOARD_ID, PLUGBOARD_SYNC, stampText } from '../woocommerce/stamp';
import { gmtText, splitName, WOO_STATUS } from '../woocommerce/vocabulary';
import { amountText } from './mapper';
import type { WooCustomerRead, WooOrderRead } from './schema';

/**
 * Records as the shop holds them after shadow mode saved them from the site (our id and the sync stamp in their
 * meta_data, WooCommerce's fields as the save wrote them): for code that makes shop data without a shop, such as the
 * synthetic reconciliation, so that it is read through the same mapping as real answers.
 */
export function storedCustomer(fields: { wooId: number; ourId: string; email: string; name: string; phone: string | null; updatedAt: Date }): WooCustomerRead {
  const names = splitName(fields.name);
  const billing = { phone: fields.phone ?? '' };
  const modified = gmtText(fields.updatedAt);
  const stamp = stampText({ updatedAt: `${modified}Z`, fingerprint: customerFingerprint({ email: fields.email, ...names, billing }) });
  return {
    id: fields.wooId,
    date_created_gmt: modified,
    date_modified_gmt: modified,
    email: fields.email,
    ...names,
    billing,
    meta_data: [{ key: PLUGBOARD_ID, value: fields.ourId }, { key: PLUGBOARD_SYNC, value: stamp }],
  };
}

export function storedOrder(fields: { wooId: number; ourId: string; customerWooId: number; status: OrderStatus; total: Money; updatedAt: Date }): WooOrderRead {
  const status = WOO_STATUS[fields.status];
  const total = amountText(fields.total);
  const currency = fields.total.currency;
  const fingerprint = orderFingerprint({ customer_id: fields.customerWooId, status, total, currency });
  const modified = gmtText(fields.updatedAt);
  return {
    id: fields.wooId,
    number: String(fields.wooId),
    status,
    currency,
    total,
    customer_id: fields.customerWooId,
    date_modified_gmt: modified,
    meta_data: [
      { key: PLUGBOARD_ID, value: fields.ourId },
      { key: PLUGBOARD_SYNC, value: stampText({ updatedAt: `${modified}Z`, status: fields.status, fingerprint }) },
    ],
  };
}
