import { createXmlCodec } from '../../../xml';
import { IntegrationError } from '../../../domain';
import { badResponse, type CallSite } from '../../kit/adapter';
import { REPEATED_ELEMENTS } from '../canada-post/documents';

/** Internal to the courier-a adapter: Canada Post's documents read, and ours written, by the one safe XML codec (src/xml). */

const codec = createXmlCodec({ attributes: true, repeated: [...REPEATED_ELEMENTS] });

/** Serialises a request document, escaping every value; one XML cannot carry is refused before it is sent. */
export function buildXml(site: CallSite, document: Record<string, unknown>): string {
  try {
    return codec.build(document);
  } catch (error) {
    const reason = `cannot be asked: ${(error as Error).message}`;
    throw new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
  }
}

/**
 * Parses an answer. A DTD or entity declaration (XXE, billion laughs) or a malformed document is a bad response that
 * names the system and says why; the answer's first bytes go to the integration log, redacted.
 */
export function parseXml(site: CallSite, text: string): unknown {
  const parsed = codec.parse(text);
  if (parsed.ok) return parsed.document;
  throw badResponse(site, parsed.message, undefined, text.slice(0, 2_000));
}
