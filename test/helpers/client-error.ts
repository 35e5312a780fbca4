// The one way tests expect a client failure: a ClientError of a given kind whose message reads as text.
import * as assert from 'node:assert/strict';
import { ClientError } from '../../src/client/cluster';

/** Awaits `promise`, which must fail with a ClientError of `kind` whose message shows no raw XML, JSON or stack. */
export async function expectClientError(promise: Promise<unknown>, kind: ClientError['kind'], message?: RegExp, status?: number): Promise<ClientError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ClientError, `expected a ClientError(${kind}), got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  if (message) assert.match(caught.message, message);
  if (status !== undefined) assert.equal(caught.status, status);
  assert.doesNotMatch(caught.message, /<\?xml|<Error>|\n\s+at |"status":/, 'no raw XML, JSON or stack in the message');
  return caught;
}
