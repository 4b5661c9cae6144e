/**
 * The example operations the explorer opens with, one tab each: the main flows of the graph, ready to run against the
 * example estate (the ids are the estate's; against real systems, put your own in the variables).
 */
export interface ExplorerExample {
  /** The tab's title. */
  readonly name: string;
  /** The operation, with a comment that says what it shows. */
  readonly query: string;
  /** JSON text of the variables. */
  readonly variables?: string;
  /** Whether it is a mutation (it needs a bearer token with the entity's scope). */
  readonly writes: boolean;
  /** Headers the tab sends besides the explorer's own (the lineage tab asks for lineage). @default none */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The query a developer sees first in the explorer: one that touches every system of the example estate. */
export const EXPLORER_WELCOME_QUERY = `# Welcome to Plugboard: one graph over the store, CRM, ERP, payment gateway and couriers.
# Run this (Ctrl+Enter); every field comes from the system that owns it. The other tabs show the main flows;
# the Docs pane describes every type and field.
query CustomersWithOrders {
  customers(first: 5) {
    totalCount
    nodes {
      id
      email
      name
      segment
      lifetimeValue { amount currency }
      orders(first: 3) {
        nodes {
          id
          number
          status
          total { amount currency }
          lines { sku quantity item { name onHand available price { amount currency } } }
          payment { status amount { amount currency } }
          shipments { carrier trackingNumber status }
        }
      }
    }
  }
}
`;

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export const EXPLORER_EXAMPLES: readonly ExplorerExample[] = [
  { name: 'Customers with orders', query: EXPLORER_WELCOME_QUERY, writes: false },
  {
    name: 'Lineage',
    writes: false,
    // docs/autopilot.md, "Lineage": the header is what asks; the Headers pane shows it, and removing it turns lineage off.
    headers: { 'x-plugboard-lineage': 'on' },
    query: `# Where each value came from: this tab sends the header x-plugboard-lineage: on, so the answer's
# extensions.lineage lists, per path, the system that served the value, when it gave it (fetchedAt), how old it was
# (cacheAgeMs), whether it was a stale copy, and where the matrix chose it over a system that disagreed (overrode).
# It follows the answer's data in the result pane (scroll down); any query of the other tabs can ask for it the same way.
query WhereValuesComeFrom {
  customers(first: 2) {
    nodes {
      id
      email
      segment
      orders(first: 1) { nodes { id status payment { status } shipments { carrier status } } }
    }
  }
}
`,
  },
  {
    name: 'Order, payment, shipments',
    writes: false,
    query: `# One order from every system that holds part of it: the site's store (the order), the ERP (stock of its lines),
# the payment gateway (the payment) and both couriers (an order can fan out to both).
query OrderWithPaymentAndShipments($id: ID!) {
  order(id: $id) {
    id
    number
    status
    placedAt
    total { amount currency }
    customer { id name email }
    lines { sku quantity unitPrice { amount currency } item { name available } }
    payment { id status amount { amount currency } refunded { amount currency } }
    shipments { id carrier trackingNumber status }
  }
}
`,
    variables: json({ id: 'ord-000003' }),
  },
  {
    name: 'Inventory',
    writes: false,
    query: `# Stock as the ERP (its owner) holds it; the site reads it through a short cache and never writes it itself.
query Inventory($sku: String!) {
  inventoryItem(sku: $sku) {
    sku
    name
    onHand
    available
    price { amount currency }
  }
}
`,
    variables: json({ sku: 'SKU-00001' }),
  },
  {
    name: 'placeOrder',
    writes: true,
    query: `# Places an order: reserves the stock at the ERP, takes the payment, books the courier(s); when a later step fails the
# earlier ones are undone and the receipt says REJECTED, naming the system. Needs a token with orders:write (the
# Headers pane has one on the demo). The same idempotencyKey answers the first receipt: change it to place another.
mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String) {
  placeOrder(input: $input, idempotencyKey: $idempotencyKey) {
    status
    auditId
    owner
    error { code system message }
    steps { system step outcome detail }
    followerJobs { system operation state }
    order { id number status total { amount currency } payment { status } shipments { carrier trackingNumber } }
  }
}
`,
    variables: json({
      input: { customerId: 'cus-00001', lines: [{ sku: 'SKU-00001', quantity: 1 }] },
      idempotencyKey: 'explorer-place-order-0001',
    }),
  },
  {
    name: 'updateCustomer',
    writes: true,
    query: `# Changes a customer's profile at its owner (the site); the CRM and the ERP follow through the outbox, and
# followerJobs shows those pushes. Needs customers:write.
mutation UpdateCustomer($input: UpdateCustomerInput!, $idempotencyKey: String) {
  updateCustomer(input: $input, idempotencyKey: $idempotencyKey) {
    status
    auditId
    owner
    error { code system message }
    followerJobs { system operation state }
    customer { id name email phone }
  }
}
`,
    variables: json({ input: { id: 'cus-00001', phone: '+31 20 555 0101' }, idempotencyKey: 'explorer-update-customer-0001' }),
  },
  {
    name: 'adjustInventory',
    writes: true,
    query: `# Changes stock on hand at the ERP, the owner of inventory; when the ERP is down the write is QUEUED, not lost.
# Needs inventory:write.
mutation AdjustInventory($sku: String!, $delta: Int!, $reason: String!, $idempotencyKey: String) {
  adjustInventory(sku: $sku, delta: $delta, reason: $reason, idempotencyKey: $idempotencyKey) {
    status
    auditId
    owner
    error { code system message }
    item { sku onHand available }
  }
}
`,
    variables: json({ sku: 'SKU-00001', delta: 5, reason: 'stock count', idempotencyKey: 'explorer-adjust-inventory-0001' }),
  },
  {
    name: 'receipt(auditId)',
    writes: false,
    query: `# Follows a write: paste the auditId a mutation answered. A QUEUED write shows its outbox jobs as they stand now.
query Receipt($auditId: ID!) {
  receipt(auditId: $auditId) {
    operation
    entity
    entityId
    status
    owner
    error { code system message }
    steps { system step outcome detail }
    followerJobs { system operation state }
  }
}
`,
    variables: json({ auditId: 'paste the auditId of a receipt here' }),
  },
];
