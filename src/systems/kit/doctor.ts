/**
 * What a system contributes to `npm run doctor` (src/doctor): a probe that asks the real system, or its sandbox, the
 * week-one questions of the playbook's discovery. Defined here, beside `defineSystem`, so a system's folder needs
 * nothing from src/doctor.
 */

/** One request of a probe, relative to the connection's base URL. */
export interface ProbeRequest {
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query below the base URL, e.g. `/v1/shipments?page_size=1`; or an absolute URL (a token endpoint). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is when a string, else as JSON. */
  readonly body?: unknown;
}

/** What the system answered: any status is an answer (the probe judges it); only no answer at all throws. */
export interface ProbeAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON when it is JSON, else its text. */
  readonly body: unknown;
  readonly text: string;
  readonly durationMs: number;
}

/** What a probe is run with. */
export interface DoctorContext<C> {
  readonly connection: C;
  /**
   * One call to the system through the composition root's resilience layer (policy, integration log, metrics), as
   * `doctor.<operation>`. Throws (an IntegrationError naming the system) only when no answer came.
   */
  request(operation: string, request: ProbeRequest): Promise<ProbeAnswer>;
  /** How many times a probe repeats its cheap read, for the latency figures. @default 5 */
  readonly samples: number;
  /** The site's database (src/db's `Database`), for the store's probe; opaque here. */
  readonly db?: object;
  readonly now: () => Date;
}

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding, in words an integrator acts on. */
export interface DoctorCheck {
  /** What was checked: `reachable`, `authenticated`, `api version`, `unique property`, … */
  readonly name: string;
  /** `fail`: the system is not ready; `warn`: ready, but look at it. */
  readonly status: CheckStatus;
  /** What was seen. */
  readonly detail: string;
  /** What to do about it (fail and warn). */
  readonly action?: string;
}

/** A data-quality sample: a few records read, and what is wrong with them. */
export interface DataQualitySample {
  /** What was sampled, e.g. `customers (store)`, `contacts (CRM)`. */
  readonly source: string;
  readonly records: number;
  readonly duplicateEmails: readonly string[];
  readonly invalidEmails: readonly string[];
  /** Orders, or records that should name a customer, that do not; undefined when not applicable. */
  readonly withoutCustomer?: number;
}

/** What a probe found. */
export interface DoctorFindings {
  readonly checks: readonly DoctorCheck[];
  /** The API version the system answers (a header, a version call), when it says one. */
  readonly apiVersion?: string;
  /** Durations of the repeated cheap read, in ms. */
  readonly latenciesMs?: readonly number[];
  readonly dataQuality?: readonly DataQualitySample[];
}

/** A system's readiness probe, run by `npm run doctor`. */
export interface SystemDoctor<C> {
  probe(context: DoctorContext<C>): Promise<DoctorFindings>;
}

/**
 * The `authenticated` check from an answer: 401 and 403 fail. `what` names the credential ("the API key"), `fix` what
 * to do in the integrator's words ("set COURIER_B_API_KEY to a key of this account").
 */
export function authenticationCheck(answer: ProbeAnswer, what: string, fix: string): DoctorCheck {
  if (answer.status === 401) return { name: 'authenticated', status: 'fail', detail: `${what} was refused (401)`, action: fix };
  if (answer.status === 403) {
    return { name: 'authenticated', status: 'fail', detail: `${what} is not allowed this read (403)`, action: `give it the read scopes, or ${fix}` };
  }
  return { name: 'authenticated', status: 'ok', detail: `${what} was accepted` };
}

/** The `reachable` check: the system answered (any status but a 5xx). */
export function reachableCheck(answer: ProbeAnswer, where: string): DoctorCheck {
  return answer.status >= 500 ?
      { name: 'reachable', status: 'fail', detail: `${where} answered ${answer.status}`, action: 'the system is failing: ask its owner, and probe again' }
    : { name: 'reachable', status: 'ok', detail: `${where} answered in ${answer.durationMs.toFixed(0)} ms` };
}

/** Repeats one cheap read `context.samples` times; answers the last answer and every duration. */
export async function sampleReads<C>(context: DoctorContext<C>, operation: string, request: ProbeRequest): Promise<{ last: ProbeAnswer; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  let last: ProbeAnswer | undefined;
  for (let index = 0; index < Math.max(1, context.samples); index += 1) {
    last = await context.request(operation, request);
    latenciesMs.push(last.durationMs);
  }
  return { last: last!, latenciesMs };
}

/** A pragmatic e-mail check (one @, a dotted domain, no spaces): what a vendor's own validation refuses. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Duplicate (case-insensitive) and invalid e-mails among the sampled ones. */
export function emailQuality(emails: readonly (string | null | undefined)[]): Pick<DataQualitySample, 'duplicateEmails' | 'invalidEmails'> {
  const counts = new Map<string, number>();
  const invalidEmails: string[] = [];
  for (const email of emails) {
    if (email === null || email === undefined || email === '') continue;
    if (!EMAIL.test(email)) invalidEmails.push(email);
    const key = email.trim().toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { duplicateEmails: [...counts].filter(([, count]) => count > 1).map(([email]) => email), invalidEmails };
}

/** A data-quality sample's check: a warning that names what was found (bad data is a finding, not a blocker). */
export function dataQualityCheck(sample: DataQualitySample): DoctorCheck {
  const problems = [
    sample.duplicateEmails.length ? `${sample.duplicateEmails.length} duplicate e-mail(s)` : '',
    sample.invalidEmails.length ? `${sample.invalidEmails.length} invalid e-mail(s)` : '',
    sample.withoutCustomer ? `${sample.withoutCustomer} without a customer` : '',
  ].filter(Boolean);
  return problems.length === 0 ?
      { name: 'data quality', status: 'ok', detail: `${sample.records} ${sample.source} sampled: no duplicate or invalid e-mail` }
    : {
        name: 'data quality',
        status: 'warn',
        detail: `${sample.records} ${sample.source} sampled: ${problems.join(', ')}`,
        action: 'clean these up with the data owner before the first sync (the report lists them)',
      };
}

/** Why a call got no answer, in a few words: the deepest cause's code and message (ECONNREFUSED, a TLS alert, …). */
export function whyNoAnswer(error: unknown): { readonly code?: string; readonly text: string } {
  let deepest = error as { message?: string; code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 8 && deepest?.cause; depth += 1) deepest = deepest.cause as typeof deepest;
  const code = typeof deepest?.code === 'string' ? deepest.code : undefined;
  const message = deepest?.message || String(error);
  return { ...(code ? { code } : {}), text: code && !message.includes(code) ? `${message} (${code})` : message };
}

/** Whether a call failed in the TLS handshake (our certificate or the server's refused), not for want of a server. */
export function isTlsFailure(error: unknown): boolean {
  const { code, text } = whyNoAnswer(error);
  return /^ERR_(SSL|TLS)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code ?? '') || /certificate|handshake|alert|ssl/i.test(text);
}
