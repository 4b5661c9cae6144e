import { ATTRIBUTE_PREFIX, createXmlCodec, type ParsedXml } from '../../../xml';
import { MESSAGES_NAMESPACE } from '../canada-post/documents';

/** Canada Post's error documents are served as plain XML. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

const codec = createXmlCodec({ attributes: true });

/** Parses a request body, refusing DTDs (entity expansion, external entities) and malformed documents. */
export function parseRequestXml(text: string): ParsedXml {
  return codec.parse(text);
}

/** Serialises a document (escaping every value) with the XML declaration. */
export function buildXml(document: Record<string, unknown>): string {
  return codec.build(document);
}

/** Canada Post's error document: `<messages>` with one `<message>` (a code and a description). */
export function messagesXml(code: string, description: string): string {
  return buildXml({ messages: { [`${ATTRIBUTE_PREFIX}xmlns`]: MESSAGES_NAMESPACE, message: { code, description: description.slice(0, 1_000) } } });
}
