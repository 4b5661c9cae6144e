import { isIntegrationError, type IntegrationError } from '../../src/domain';

/**
 * What a call that must fail failed with: one of our IntegrationErrors, for the test to read its code and reason. A
 * call that succeeds fails the test; so does any other error, thrown as it came (its own stack is the clue).
 */
export async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => new Error('expected the call to fail, and it succeeded'),
    (caught: unknown) => caught,
  );
  if (!isIntegrationError(error)) throw error;
  return error;
}
