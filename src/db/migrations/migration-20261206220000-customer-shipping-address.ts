import { PortableMigration, type DialectStatements } from '../portable-migration';

/** The customer's delivery address on file (JSON text), which placeOrder ships to when the order names none. */
export class Migration20261206220000 extends PortableMigration {
  protected readonly statements: DialectStatements = {
    sqlite: {
      up: ["alter table `customers` add column `shipping_address` text null;"],
      down: [],
    },
    postgresql: {
      up: ["alter table \"customers\" add column \"shipping_address\" text null;"],
      down: ["alter table \"customers\" drop column \"shipping_address\";"],
    },
  };
}
