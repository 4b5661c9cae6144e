export {
  CLIENT_COMMON_NAME,
  createTestPki,
  DEFAULT_PKI_HOSTNAMES,
  DEFAULT_PKI_VALIDITY_DAYS,
  type CertificateAndKey,
  type TestPki,
  type TestPkiOptions,
} from './create-test-pki';
export { describeCertificate, type CertificateSummary } from './describe-certificate';
export {
  DEFAULT_RENEW_WITHIN_DAYS,
  loadOrCreatePki,
  PKI_FILES,
  writePki,
  type LoadedPki,
  type LoadOrCreatePkiOptions,
} from './pki-files';
