export { ATTRIBUTE_PREFIX, createXmlCodec, decodeText } from './safe-xml';
export type { ParsedXml, XmlCodec, XmlCodecOptions, XmlRefusal } from './safe-xml';
export { createXsdValidator, queuedValidation } from './xsd';
export type { ValidationQueue, XsdFile, XsdValidator, XsdValidatorOptions } from './xsd';
