import { bearer } from './tokens';

/**
 * Sends one mutation to the gateway as a client does (bearer token, idempotency key) and answers its data; an answer
 * with errors fails the test that sent it, naming them.
 */
export async function mutate<T>(url: string, token: string, query: string, variables: Record<string, unknown>, idempotencyKey: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token), 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}
