/**
 * Whether a merchant signed these bytes: every wire's authentication asks this after building
 * its own string to sign. On the thread pool, like the answer's signature: an RSA verify is the
 * largest single piece of a request's work, and on the event loop it would hold up every other
 * request meanwhile. A merchant has one key, or two while rotating; they are tried in turn.
 */
import type { KeyObject } from 'node:crypto';
import { verifyAsync } from '@openkka/sdk/signing';

export async function signedByAny(signed: Buffer, signature: Buffer, keys: readonly KeyObject[]) {
  for (const key of keys) if (await verifyAsync(signed, signature, key)) return true;
  return false;
}
