import type { Config } from '../config';
import type { OutboxOptions } from './outbox';

/** The outbox's backoff and dead-letter limit from the configuration (PLUGBOARD_OUTBOX_*). */
export function outboxSettingsFrom(config: Config): Required<Pick<OutboxOptions, 'backoff' | 'maxAttempts'>> {
  return {
    backoff: {
      baseMs: config.PLUGBOARD_OUTBOX_BACKOFF_BASE_MS,
      factor: config.PLUGBOARD_OUTBOX_BACKOFF_FACTOR,
      capMs: config.PLUGBOARD_OUTBOX_BACKOFF_CAP_MS,
      jitter: config.PLUGBOARD_OUTBOX_BACKOFF_JITTER,
    },
    maxAttempts: config.PLUGBOARD_OUTBOX_MAX_ATTEMPTS,
  };
}
