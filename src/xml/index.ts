export { ATTRIBUTE_PREFIX, createXmlCodec, decodeText } from './safe-xml';
export type { ParsedXml, XmlCodec, XmlCodecOptions, XmlRefusal } from './safe-xml';
export { createXsdValidator } from './xsd';
export type { XsdFile, XsdValidator, XsdValidatorOptions } from './xsd';
