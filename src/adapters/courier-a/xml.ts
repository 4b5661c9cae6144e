import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { badResponse, type CallSite } from '../kit';

/** Internal to the courier-a adapter: its safe XML reader and writer. */

/** Elements that repeat, by path: always arrays once parsed, even when only one came. */
const REPEATED = new Set(['TrackResponse.Consignment']);

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and character references in one pass: nothing can expand twice. */
function decodeText(value: string): string {
  return value.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g, (match, hex, dec, name) => {
    if (name) return PREDEFINED[name as string] ?? match;
    const code = hex ? Number.parseInt(hex as string, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

// Entity processing is off, and answers carrying a DTD are refused before parsing: no declared entity is ever
// expanded (billion laughs) or fetched (XXE). The predefined entities are decoded by `decodeText`.
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

/** Serialises a request document, escaping every value. */
export function buildXml(document: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(document) as string}`;
}

/** Parses an answer; a DTD, an entity declaration or a malformed document is a bad response. */
export function parseXml(site: CallSite, text: string): unknown {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw badResponse(site, 'the answer carries a DOCTYPE or ENTITY declaration, which is refused');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw badResponse(site, `malformed XML (${text.length} bytes): ${valid.err.msg} at line ${valid.err.line}`);
  }
  try {
    return parser.parse(text);
  } catch (error) {
    throw badResponse(site, `malformed XML: ${(error as Error).message}`, error);
  }
}
