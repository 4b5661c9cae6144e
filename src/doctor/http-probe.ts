import http from 'node:http';
import https from 'node:https';
import type { ProbeAnswer, ProbeRequest } from '../systems/kit/doctor';

/** Where a probe's requests go: the connection's base URL, and its client certificate when it has one. */
export interface ProbeTarget {
  readonly baseUrl: string;
  readonly tls?: { readonly ca?: string | Buffer; readonly cert?: string | Buffer; readonly key?: string | Buffer };
}

/** The largest answer a probe reads; the rest is cut (a probe reads one page, never a whole listing). */
const MAX_PROBE_BYTES = 2 * 1024 * 1024;

/**
 * One HTTP exchange of a probe. Any status is an answer; a refused connection, a TLS handshake refused, a timeout (the
 * signal) reject. Internal to src/doctor.
 */
export function sendProbe(target: ProbeTarget, request: ProbeRequest, signal?: AbortSignal): Promise<ProbeAnswer> {
  // The path is appended to the base URL's own (e.g. a versioned root such as /api/2.0); an absolute URL (a token endpoint) is kept.
  const url = /^https?:\/\//.test(request.path) ? new URL(request.path) : new URL(`${target.baseUrl.replace(/\/$/, '')}${request.path}`);
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const started = performance.now();
  return new Promise<ProbeAnswer>((resolve, reject) => {
    const options = { method: request.method ?? 'GET', headers, signal };
    const onAnswer = (response: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_PROBE_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        let parsed: unknown = text;
        if (/json/i.test(flat['content-type'] ?? '')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: response.statusCode ?? 0, headers: flat, body: parsed, text, durationMs: performance.now() - started });
      });
    };
    const outgoing =
      url.protocol === 'https:' ?
        https.request(url, { ...options, ...(target.tls ?? {}) }, onAnswer)
      : http.request(url, options, onAnswer);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
