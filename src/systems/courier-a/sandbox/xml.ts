import { createXmlCodec, type ParsedXml } from '../../../xml';

/** The carrier's XML media type, on every answer it sends. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

const codec = createXmlCodec({ repeated: ['TrackRequest.Reference', 'TrackRequest.ConsignmentNo'] });

/** Parses a request body, refusing DTDs (entity expansion, external entities) and malformed documents. */
export function parseRequestXml(text: string): ParsedXml {
  return codec.parse(text);
}

/** Serialises a document (escaping every value) with the XML declaration. */
export function buildXml(document: Record<string, unknown>): string {
  return codec.build(document);
}

/** The carrier's error document. */
export function faultXml(code: string, message: string): string {
  return buildXml({ Fault: { Code: code, Message: message } });
}
