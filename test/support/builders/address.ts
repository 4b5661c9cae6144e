import type { PostalAddress } from '../../../src/domain';

/** A business address in the US, every field given (a second line, a phone, not residential): where an order ships to. */
export const anOfficeAddress = (): PostalAddress => ({
  name: 'Ada Jansen',
  phone: '+1 512 555 0142',
  line1: '500 W 2nd St',
  line2: 'Suite 1900',
  city: 'Austin',
  region: 'TX',
  postalCode: '78701',
  countryCode: 'US',
  residential: false,
});
