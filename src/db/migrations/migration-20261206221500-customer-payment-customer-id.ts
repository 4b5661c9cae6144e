import { PortableMigration, type DialectStatements } from '../portable-migration';

/** The payment gateway's customer id kept per customer, so that placeOrder need not look it up. */
export class Migration20261206221500 extends PortableMigration {
  protected readonly statements: DialectStatements = {
    sqlite: {
      up: ["alter table `customers` add column `payment_customer_id` text null;"],
      down: [],
    },
    postgresql: {
      up: ["alter table \"customers\" add column \"payment_customer_id\" varchar(255) null;"],
      down: ["alter table \"customers\" drop column \"payment_customer_id\";"],
    },
  };
}
