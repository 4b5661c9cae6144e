import { PortableMigration, type DialectStatements } from '../portable-migration';

/** Webhook events keep the system's own event time and what they said, so that an older event never overwrites a newer one. */
export class Migration20261207024000 extends PortableMigration {
  protected readonly statements: DialectStatements = {
    sqlite: {
      up: [
        "alter table `webhook_events` add column `occurred_at` datetime null;",
        "alter table `webhook_events` add column `state` text null;",
        "create index `webhook_events_source_subject_index` on `webhook_events` (`source`, `subject`);",
      ],
      down: [],
    },
    postgresql: {
      up: [
        "alter table \"webhook_events\" add column \"occurred_at\" timestamptz null, add column \"state\" varchar(255) null;",
        "create index \"webhook_events_source_subject_index\" on \"webhook_events\" (\"source\", \"subject\");",
      ],
      down: [
        "drop index \"webhook_events_source_subject_index\";",
        "alter table \"webhook_events\" drop column \"occurred_at\", drop column \"state\";",
      ],
    },
  };
}
