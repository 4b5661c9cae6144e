import type { DataQualitySample, DoctorCheck } from '../systems/kit/doctor';

/** Latency of a system's repeated cheap read. */
export interface LatencyFigures {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** One system's readiness, as the report prints it. */
export interface SystemReadiness {
  readonly system: string;
  readonly title: string;
  /** Where it was probed (its base URL), or the site's database. */
  readonly target: string;
  /** No check failed. */
  readonly ready: boolean;
  readonly checks: readonly DoctorCheck[];
  readonly apiVersion?: string;
  /** Rate-limit headers seen on its answers (the last value of each). */
  readonly rateLimitHeaders: Readonly<Record<string, string>>;
  readonly latency?: LatencyFigures;
  readonly dataQuality: readonly DataQualitySample[];
  /** One line: `crm: ready (…)` or `courier-b: NOT READY: <what to do>`. */
  readonly verdict: string;
}

/** The readiness report of `npm run doctor`. */
export interface DoctorReport {
  readonly generatedAt: Date;
  /** `sandboxes` (PLUGBOARD_SANDBOXES=on) or `real` (each system's *_URL and credentials). */
  readonly mode: 'sandboxes' | 'real';
  readonly systems: readonly SystemReadiness[];
  /** Every system is ready. */
  readonly ready: boolean;
}
