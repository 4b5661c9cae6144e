import {
  authenticationCheck,
  dataQualityCheck,
  emailQuality,
  reachableCheck,
  sampleReads,
  type DataQualitySample,
  type DoctorCheck,
  type DoctorContext,
  type SystemDoctor,
} from '../kit/doctor';

/** The unique contact property our customer ids live in: a one-time setup step in the portal. */
const CUSTOMER_ID_PROPERTY = 'plugboard_customer_id';

/** The credentials as a connection may carry them: a private app's token, or an OAuth app (with its refresh token). */
interface CrmCredentialsSeen {
  readonly baseUrl: string;
  readonly accessToken?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
}

interface Contact {
  readonly properties?: { readonly email?: string | null; readonly [CUSTOMER_ID_PROPERTY]?: string | null };
}

/**
 * The CRM's readiness (HubSpot CRM v3): the credentials (a private app's token, or an access token from the OAuth
 * refresh token at `POST /oauth/v1/token`), a page of contacts (latency, `X-HubSpot-RateLimit-*`), the unique property
 * our ids live in (HubSpot refuses a lookup by `idProperty` that is not a unique property with 400 "Unable to perform
 * lookup by non-unique … property"), and a data-quality sample of the contacts' e-mails.
 */
export const crmDoctor: SystemDoctor<object> = {
  async probe(context) {
    const connection = context.connection as CrmCredentialsSeen;
    const token = await accessTokenOf(context, connection);
    if ('check' in token) return { checks: [token.check] };
    const headers = { authorization: `Bearer ${token.value}` };
    const page = `/crm/v3/objects/contacts?limit=100&properties=email,${CUSTOMER_ID_PROPERTY}`;
    const { last, latenciesMs } = await sampleReads(context, 'contacts.list', { path: page, headers });
    const checks: DoctorCheck[] = [
      reachableCheck(last, 'GET /crm/v3/objects/contacts'),
      authenticationCheck(last, token.what, token.fix),
    ];
    if (last.status === 401 || last.status === 403) return { checks, latenciesMs };
    const lookup = await context.request('contacts.lookup', {
      path: `/crm/v3/objects/contacts/plugboard-doctor-probe?idProperty=${CUSTOMER_ID_PROPERTY}`,
      headers,
    });
    checks.push(
      lookup.status === 400 ?
        {
          name: 'unique property',
          status: 'fail',
          detail: `the contact property ${CUSTOMER_ID_PROPERTY} is absent or not unique (HubSpot refused a lookup by it: 400)`,
          action: `create the contact property ${CUSTOMER_ID_PROPERTY} (single-line text, "Require unique values" on) in the portal's settings`,
        }
      : { name: 'unique property', status: 'ok', detail: `the contact property ${CUSTOMER_ID_PROPERTY} is unique (a lookup by it answered ${lookup.status})` },
    );
    const contacts = ((last.body as { results?: unknown } | null)?.results ?? []) as readonly Contact[];
    const sample: DataQualitySample = {
      source: 'contacts (CRM)',
      records: contacts.length,
      ...emailQuality(contacts.map((contact) => contact.properties?.email)),
      withoutCustomer: contacts.filter((contact) => !contact.properties?.[CUSTOMER_ID_PROPERTY]).length,
    };
    checks.push(dataQualityCheck(sample));
    return { checks, latenciesMs, apiVersion: 'CRM v3', dataQuality: [sample] };
  },
};

type Token = { readonly value: string; readonly what: string; readonly fix: string } | { readonly check: DoctorCheck };

async function accessTokenOf(context: DoctorContext<object>, connection: CrmCredentialsSeen): Promise<Token> {
  if (connection.accessToken) {
    return { value: connection.accessToken, what: 'the private app\'s access token', fix: 'set CRM_ACCESS_TOKEN to the access token of a private app of this portal (scope crm.objects.contacts.read/write)' };
  }
  const grant: Record<string, string> =
    connection.refreshToken ?
      { grant_type: 'refresh_token', refresh_token: connection.refreshToken }
    : { grant_type: 'client_credentials' };
  const answer = await context.request('accessToken', {
    method: 'POST',
    path: '/oauth/v1/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...grant, client_id: connection.clientId ?? '', client_secret: connection.clientSecret ?? '' }).toString(),
  });
  const value = (answer.body as { access_token?: unknown } | null)?.access_token;
  if (answer.status === 200 && typeof value === 'string') {
    return { value, what: 'the OAuth access token', fix: 'set CRM_CLIENT_ID, CRM_CLIENT_SECRET and CRM_REFRESH_TOKEN to those of the app installed in this portal' };
  }
  const reason = (answer.body as { message?: unknown } | null)?.message;
  return {
    check: {
      name: 'authenticated',
      status: 'fail',
      detail: `the CRM's token endpoint refused the app's credentials (${answer.status}${typeof reason === 'string' ? `: ${reason}` : ''})`,
      action: 'set CRM_CLIENT_ID, CRM_CLIENT_SECRET and CRM_REFRESH_TOKEN to those of the app installed in this portal, or CRM_ACCESS_TOKEN to a private app\'s token',
    },
  };
}
