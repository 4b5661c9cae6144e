export { createXmlCodec, decodeText } from './safe-xml';
export type { ParsedXml, XmlCodec, XmlCodecOptions, XmlRefusal } from './safe-xml';
