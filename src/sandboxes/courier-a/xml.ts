import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** The carrier's XML media type, on every answer it sends. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** Elements that repeat, by path: always arrays once parsed, even when only one came. */
const REPEATED = new Set(['TrackRequest.Reference', 'TrackRequest.ConsignmentNo']);

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and character references in one pass: nothing can expand twice. */
function decodeText(value: string): string {
  return value.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g, (match, hex, dec, name) => {
    if (name) return PREDEFINED[name as string] ?? match;
    const code = hex ? Number.parseInt(hex as string, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

// Entity processing is off: no DOCTYPE-declared entity is ever expanded (and documents carrying one are refused
// before they reach the parser). The predefined entities are decoded by `decodeText` instead.
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, path) => typeof path === 'string' && REPEATED.has(path),
  tagValueProcessor: (_name, value) => decodeText(value),
});

const builder = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: true, processEntities: true });

export type ParsedXml =
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly code: 'DTD_NOT_ALLOWED' | 'MALFORMED_XML'; readonly message: string };

/** Parses a request body, refusing DTDs (entity expansion, external entities) and malformed documents. */
export function parseRequestXml(text: string): ParsedXml {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    return { ok: false, code: 'DTD_NOT_ALLOWED', message: 'Document type declarations and entities are not accepted' };
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return { ok: false, code: 'MALFORMED_XML', message: `Malformed XML at line ${valid.err.line}: ${valid.err.msg}` };
  }
  try {
    return { ok: true, document: parser.parse(text) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, code: 'MALFORMED_XML', message: `Malformed XML: ${(error as Error).message}` };
  }
}

/** Serialises a document (escaping every value) with the XML declaration. */
export function buildXml(document: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(document) as string}`;
}

/** The carrier's error document. */
export function faultXml(code: string, message: string): string {
  return buildXml({ Fault: { Code: code, Message: message } });
}
