import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The HTTP layer's refusals, before GraphQL (body too large or not JSON, a malformed Host, an unknown route, a method
 * the route does not take, headers too large, a request the HTTP parser cannot read): each with a stable code and the
 * request id, never a stack or an internal message. GraphQL's error shape on /graphql, the admin API's elsewhere.
 * Internal to the front door.
 */

/** What fastify's own refusals (body too large, not JSON, wrong content type) become. */
const FASTIFY_REFUSALS: Readonly<Record<string, { status: number; code: string; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this gateway takes.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request as application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_REQUEST', message: 'The request body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_REQUEST', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'MALFORMED_REQUEST', message: 'The Content-Length does not match the body.' },
};

/** A host name, an IPv4 address or a bracketed IPv6 address, with an optional port (RFC 9110's Host, kept simple). */
const VALID_HOST = /^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const GRAPHQL_PATH = '/graphql';

/** The documented shape of a refusal: GraphQL's on /graphql, the admin API's elsewhere. */
export function refusalBody(url: string, code: string, message: string, requestId: string): unknown {
  return url.split('?')[0] === GRAPHQL_PATH ? { errors: [{ message, extensions: { code, requestId } }] } : { error: { code, message, requestId } };
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(refusalBody(request.url, code, message, request.id));
}

/** Answers every error the HTTP layer meets as above; the full error of a 5xx goes to the log. */
export function installErrorAnswers(app: FastifyInstance, log: (fields: Record<string, unknown>, message: string) => void): void {
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    if (host !== undefined && !VALID_HOST.test(host)) {
      await refuse(request, reply, 400, 'BAD_REQUEST', 'The Host header is not a host name or address (with an optional port).');
    }
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.split('?')[0] === GRAPHQL_PATH) {
      return refuse(request, reply.header('allow', 'GET, POST, OPTIONS'), 405, 'METHOD_NOT_ALLOWED', `${GRAPHQL_PATH} takes GET (queries) and POST.`);
    }
    return refuse(request, reply, 404, 'NOT_FOUND', `Nothing is served at ${request.method} ${request.url.split('?')[0]}.`);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = FASTIFY_REFUSALS[error.code];
    const isJsonSyntax = error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message));
    const answer = known ?? (isJsonSyntax ? FASTIFY_REFUSALS.FST_ERR_CTP_INVALID_JSON_BODY! : undefined);
    const status = answer?.status ?? (error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500);
    const code = answer?.code ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
    const message = answer?.message ?? (status < 500 ? 'The request could not be read.' : 'Internal error');
    if (status >= 500) log({ requestId: request.id, url: request.url.split('?')[0], err: error }, 'request failed');
    return refuse(request, reply, status, code, message);
  });
}

/** The HTTP parser's refusals (before any route: no URL is known), as fastify's `clientErrorHandler`. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'The request headers are larger than this gateway takes.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request was not received in time.']
        : [400, 'Bad Request', 'MALFORMED_REQUEST', 'The request is not valid HTTP (its start line, headers or Content-Length).'];
  const requestId = randomUUID();
  const body = JSON.stringify({ errors: [{ message, extensions: { code, requestId } }] });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
