import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { errorFromStatus, type CallSite } from '../../kit/adapter';
import { ALREADY_TRANSMITTED_CODE, messagesSchema, type CanadaPostMessage } from '../canada-post/documents';

/** Internal to the courier-a adapter: Canada Post's `<messages>` in our closed set of errors. */

/** The error for a non-2xx answer: from its `<messages>` when it has them, else from the status alone. */
export function errorFromMessages(site: CallSite, status: number, document: unknown): IntegrationError {
  const parsed = messagesSchema.safeParse(document);
  const messages = parsed.success ? (parsed.data.messages.message ?? []) : [];
  if (messages.length === 0) return errorFromStatus(site, status);
  const code: IntegrationErrorCode = status === 401 || status === 403 ? 'UPSTREAM_AUTH_FAILED' : 'UPSTREAM_REJECTED';
  const reason = `${messages.map(describe).join('; ').slice(0, 300)} (HTTP ${status})`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

function describe(message: CanadaPostMessage): string {
  // Void Shipment's page: a shipment already transmitted cannot be voided, only refunded (Request Shipment Refund).
  if (message.code === ALREADY_TRANSMITTED_CODE) {
    return `${message.code}: the shipment was already transmitted (handed over to Canada Post); only a refund request can undo it`;
  }
  return `${message.code}${message.description ? `: ${message.description}` : ''}`;
}
