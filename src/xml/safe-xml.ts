import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The one safe XML reader and writer, shared by courier A's adapter and its sandbox (and any later XML system).
 *
 * Safe means: no document type declaration is ever read. A DTD is where external entities (XXE: `<!ENTITY x SYSTEM
 * "file:///etc/passwd">`) and entity expansion (billion laughs: entities defined by ten copies of the one before) live,
 * so any markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION`, in any case) refuses the
 * document before a parser sees it, and the parser itself expands no entity. The five predefined entities and
 * character references are decoded in one pass, so nothing can expand twice. Nesting is capped by the parser.
 */

/** Why a document was refused. */
export type XmlRefusal = 'DTD_NOT_ALLOWED' | 'MALFORMED_XML';

export type ParsedXml =
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly code: XmlRefusal; readonly message: string };

export interface XmlCodec {
  /** Parses a document; a DTD, an entity declaration or a malformed document is refused, never expanded. */
  parse(text: string): ParsedXml;
  /** Serialises a document with the XML declaration, escaping every value; throws a RangeError for a value XML cannot carry. */
  build(document: Record<string, unknown>): string;
}

export interface XmlCodecOptions {
  /** Elements that repeat, by dotted path (`TrackResponse.Consignment`): always arrays, even when only one came. */
  readonly repeated?: readonly string[];
  /** Deepest element nesting accepted. @default 32 */
  readonly maxDepth?: number;
  /**
   * Read and write attributes (and namespace declarations), as properties named `@_name` beside the element's
   * children (`{ link: { '@_href': '…', '@_rel': 'self' } }`); values are decoded and escaped like text.
   * @default false: attributes are dropped when read and cannot be written
   */
  readonly attributes?: boolean;
}

/** A markup declaration other than a comment or CDATA section: the start of a DTD, or a piece of one. */
const MARKUP_DECLARATION = /<!(?!--|\[CDATA\[)/;

/** Characters outside XML 1.0's Char production: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF. */
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** How an attribute is named among an element's properties when `attributes` is on. */
export const ATTRIBUTE_PREFIX = '@_';

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and character references in one pass: nothing can expand twice. */
export function decodeText(value: string): string {
  return value.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g, (match, hex, dec, name) => {
    if (name) return PREDEFINED[name as string] ?? match;
    const code = hex ? Number.parseInt(hex as string, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

export function createXmlCodec(options: XmlCodecOptions = {}): XmlCodec {
  const repeated = new Set(options.repeated ?? []);
  const lastNames = new Set([...repeated].map((path) => path.slice(path.lastIndexOf('.') + 1)));
  const attributes = options.attributes ?? false;
  const parser = new XMLParser({
    processEntities: false,
    htmlEntities: false,
    ignoreAttributes: !attributes,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    parseAttributeValue: false,
    attributeValueProcessor: (_name, value) => decodeText(value),
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    trimValues: true,
    maxNestedTags: options.maxDepth ?? 32,
    // The parser's path to a tag is asked for only when the tag's own name ends a repeated path: with jPath on, the
    // parser built that dotted string for every tag and attribute it met (a third of a short document's parse).
    jPath: false,
    isArray: (name, path, _leaf, isAttribute) => !isAttribute && lastNames.has(name) && repeated.has(path.toString()),
    tagValueProcessor: (_name, value) => decodeText(value),
  });
  const builder = new XMLBuilder({
    ignoreAttributes: !attributes,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    suppressEmptyNode: true,
    processEntities: true,
  });

  return {
    parse(text) {
      if (MARKUP_DECLARATION.test(text)) {
        return {
          ok: false,
          code: 'DTD_NOT_ALLOWED',
          message: 'the document carries a DOCTYPE or ENTITY declaration, which is refused (no entity is ever expanded or fetched)',
        };
      }
      const valid = XMLValidator.validate(text);
      if (valid !== true) {
        return { ok: false, code: 'MALFORMED_XML', message: `malformed XML (${text.length} bytes): ${valid.err.msg} at line ${valid.err.line}` };
      }
      try {
        return { ok: true, document: parser.parse(text) as Record<string, unknown> };
      } catch (error) {
        return { ok: false, code: 'MALFORMED_XML', message: `malformed XML: ${(error as Error).message}` };
      }
    },
    build(document) {
      const text = builder.build(document) as string;
      // XML 1.0 has no way to write these, escaped or not: a document carrying one means something else on the other side.
      if (NOT_XML_CHARACTER.test(text)) throw new RangeError('a value holds a character XML 1.0 cannot carry (a control character or a lone surrogate)');
      return `<?xml version="1.0" encoding="UTF-8"?>${text}`;
    },
  };
}
